package s3

import (
	"context"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source/cloudwatch"
)

// API is the part of the S3 client the scanner uses, hence the IAM actions
// it needs: s3:ListAllMyBuckets, s3:GetBucketLocation,
// s3:GetBucketVersioning, s3:GetBucketTagging, s3:GetBucketPolicy,
// s3:ListBucket (ListObjectsV2), s3:ListBucketVersions, s3:GetObject (range
// reads of samples and manifests, and HeadObject) and s3:GetObjectTagging:
// the vendor guide's ReadOnly policy.
type API interface {
	ListBuckets(ctx context.Context, in *awss3.ListBucketsInput, opts ...func(*awss3.Options)) (*awss3.ListBucketsOutput, error)
	GetBucketLocation(ctx context.Context, in *awss3.GetBucketLocationInput, opts ...func(*awss3.Options)) (*awss3.GetBucketLocationOutput, error)
	GetBucketVersioning(ctx context.Context, in *awss3.GetBucketVersioningInput, opts ...func(*awss3.Options)) (*awss3.GetBucketVersioningOutput, error)
	GetBucketTagging(ctx context.Context, in *awss3.GetBucketTaggingInput, opts ...func(*awss3.Options)) (*awss3.GetBucketTaggingOutput, error)
	GetBucketPolicy(ctx context.Context, in *awss3.GetBucketPolicyInput, opts ...func(*awss3.Options)) (*awss3.GetBucketPolicyOutput, error)
	ListObjectsV2(ctx context.Context, in *awss3.ListObjectsV2Input, opts ...func(*awss3.Options)) (*awss3.ListObjectsV2Output, error)
	ListObjectVersions(ctx context.Context, in *awss3.ListObjectVersionsInput, opts ...func(*awss3.Options)) (*awss3.ListObjectVersionsOutput, error)
	GetObject(ctx context.Context, in *awss3.GetObjectInput, opts ...func(*awss3.Options)) (*awss3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *awss3.HeadObjectInput, opts ...func(*awss3.Options)) (*awss3.HeadObjectOutput, error)
	GetObjectTagging(ctx context.Context, in *awss3.GetObjectTaggingInput, opts ...func(*awss3.Options)) (*awss3.GetObjectTaggingOutput, error)
}

// Clients hands out one client per region: a bucket's calls go to its own
// region's endpoint, which avoids S3's cross-region redirects and is where
// CloudWatch holds the bucket's metrics.
type Clients interface {
	S3(region string) API
	CloudWatch(region string) cloudwatch.API
}

// sessionClients hands out the session's clients, which awsconn builds
// once per region; they share credentials and the call limiter.
type sessionClients struct{ session *awsconn.Session }

func newSessionClients(s *awsconn.Session) sessionClients { return sessionClients{session: s} }

func (c sessionClients) S3(region string) API { return c.session.S3(region) }

func (c sessionClients) CloudWatch(region string) cloudwatch.API { return c.session.CloudWatch(region) }

// StaticClients serves every region with the same clients: tests, and
// endpoints that are not region-aware.
type StaticClients struct {
	S3API  API
	CWAPI  cloudwatch.API
	Region func(region string) // called with each region asked, if set
}

func (c StaticClients) S3(region string) API {
	if c.Region != nil {
		c.Region(region)
	}
	return c.S3API
}

func (c StaticClients) CloudWatch(region string) cloudwatch.API {
	if c.Region != nil {
		c.Region(region)
	}
	return c.CWAPI
}
