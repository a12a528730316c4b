package awsconn

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/lakemap/lakemap/internal/awsconn/s3list"
)

// Every AWS client lakemap uses is built here, from the session's
// aws.Config: its credentials (the assumed role's, cached and refreshed),
// region, endPointURL, retryer and call limiter all come with it. A client
// is built once per service and region and shared: clients are safe for
// concurrent use, and building one per call would redo the endpoint and
// middleware set-up every time.
//
// Adding a service is one method:
//
//	func (s *Session) Foo() *foo.Client { return client(s, "foo", "", foo.NewFromConfig) }

// clientKey names a cached client.
type clientKey struct{ service, region string }

// client returns the session's client of a service in region ("" is the
// connection's own), building it on first use with newFromConfig and opts.
func client[C, O any](s *Session, service, region string, newFromConfig func(aws.Config, ...func(*O)) C, opts ...func(*O)) C {
	if region == "" {
		region = s.cfg.Region
	}
	key := clientKey{service, region}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[key].(C); ok {
		return c
	}
	c := newFromConfig(s.AWSForRegion(region), opts...)
	s.clients[key] = c
	return c
}

// S3 is the S3 client for region: a bucket's calls go to its own region's
// endpoint, which avoids S3's cross-region redirects. See NewS3Client.
func (s *Session) S3(region string) *s3.Client {
	return client(s, "s3", region, s3.NewFromConfig, s3Options(s.cfg.EndpointURL != ""))
}

// Glue is the Glue client of the connection's region.
func (s *Session) Glue() *glue.Client { return client(s, "glue", "", glue.NewFromConfig) }

// Athena is the Athena client of the connection's region.
func (s *Session) Athena() *athena.Client { return client(s, "athena", "", athena.NewFromConfig) }

// STS is the STS client of the connection's region; it signs with the
// session's credentials (the assumed role's, when there is one).
func (s *Session) STS() *sts.Client { return client(s, "sts", "", sts.NewFromConfig) }

// CloudWatch is the CloudWatch client for region (S3 metrics live in their
// bucket's region), speaking awsQuery: see NewCloudWatchClient.
func (s *Session) CloudWatch(region string) *cloudwatch.Client {
	return client(s, "cloudwatch", region, cloudwatch.NewFromConfig, useQueryProtocol)
}

// DataZone is the DataZone client of the connection's region.
func (s *Session) DataZone() *datazone.Client {
	return client(s, "datazone", "", datazone.NewFromConfig)
}

// IAM is the IAM client; IAM is global, so the region only picks the
// partition's endpoint.
func (s *Session) IAM() *iam.Client { return client(s, "iam", "", iam.NewFromConfig) }

// NewS3Client builds an S3 client as lakemap uses them from a bare
// aws.Config (tests, and fakes without a session); Session.S3 is the same
// client with the session's config.
func NewS3Client(cfg aws.Config, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(cfg, s3Options(pathStyle))
}

// s3Options is how lakemap's S3 clients differ from the SDK's defaults.
func s3Options(pathStyle bool) func(*s3.Options) {
	return func(o *s3.Options) {
		// Emulators and S3-compatible stores behind endPointURL serve
		// buckets as paths, not as host names.
		o.UsePathStyle = pathStyle
		// lakemap reads objects by byte ranges (samples, manifests, the
		// MCP read tool's slices), which S3's full-object checksums do
		// not cover: validating them is impossible, and the SDK would
		// log so for every read.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		// Listings of millions of keys are CPU-bound in the SDK's XML
		// decoder; s3list decodes them several times faster and falls
		// back to the SDK for anything unusual.
		o.APIOptions = append(o.APIOptions, s3list.UseFastDecoder)
	}
}

// NewCloudWatchClient builds a CloudWatch client speaking awsQuery from a
// bare aws.Config; Session.CloudWatch is the same client with the session's
// config.
//
// CloudWatch answers four wire protocols: awsQuery (form-encoded requests,
// XML answers, what every SDK spoke for a decade), awsJson1_0, AWS JSON 1.1
// and Smithy RPC v2 CBOR. Since v1.53.0 the Go SDK's client defaults to
// CBOR, which moto (the emulator lakemap's tests run against) does not
// speak. lakemap keeps the pinned client (one SDK version for the whole
// binary) and selects awsQuery through the client's Protocol option, in
// production as in tests, so that the code the tests exercise against moto
// is the code that runs against AWS. awsQuery is served in every region
// and partition; the traffic is a few calls per bucket, so CBOR's smaller
// payloads would not matter. A CBOR<->JSON shim in front of moto was the
// alternative; it would have tested the shim's CBOR rather than AWS's.
func NewCloudWatchClient(cfg aws.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, useQueryProtocol)
}

func useQueryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

// BucketRegion turns GetBucketLocation's LocationConstraint into a region:
// S3 answers "" for us-east-1 and "EU" for buckets made long ago in
// eu-west-1.
func BucketRegion(constraint string) string {
	switch constraint {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return constraint
}
