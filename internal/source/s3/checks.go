package s3

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

// checks are the probes of `lakemap connection test`: one harmless call per
// permission group.
func checks(p source.Params) []source.Check {
	clients := newSessionClients(p.AWS)
	region := p.AWS.Region()
	out := []source.Check{{
		Name:    "list S3 buckets",
		Actions: []string{"s3:ListAllMyBuckets"},
		Run: func(ctx context.Context) error {
			_, err := clients.S3(region).ListBuckets(ctx, &awss3.ListBucketsInput{MaxBuckets: aws.Int32(1)})
			return awsconn.Classify(err, "listing S3 buckets")
		},
	}}
	if conn, ok := p.Connection.(*Connection); ok && len(conn.BucketNames) > 0 {
		bucket := conn.BucketNames[0]
		out = append(out, source.Check{
			Name:    "list objects in bucket " + bucket,
			Actions: []string{"s3:GetBucketLocation", "s3:ListBucket"},
			Run: func(ctx context.Context) error {
				loc, err := clients.S3(region).GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String(bucket)})
				if err != nil {
					return awsconn.Classify(err, "reading the region of bucket "+bucket)
				}
				_, err = clients.S3(awsconn.BucketRegion(string(loc.LocationConstraint))).ListObjectsV2(ctx,
					&awss3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1)})
				return awsconn.Classify(err, "listing objects in bucket "+bucket)
			},
		})
	}
	if cfg, ok := p.SourceConfig.(*SourceConfig); !ok || cfg.IncludeMetrics {
		out = append(out, source.Check{
			Name:    "list CloudWatch S3 metrics",
			Actions: []string{"cloudwatch:ListMetrics", "cloudwatch:GetMetricData"},
			Run: func(ctx context.Context) error {
				_, err := clients.CloudWatch(region).ListMetrics(ctx, &awscw.ListMetricsInput{Namespace: aws.String("AWS/S3")})
				return awsconn.Classify(err, "listing CloudWatch metrics of S3")
			},
		})
	}
	return out
}
