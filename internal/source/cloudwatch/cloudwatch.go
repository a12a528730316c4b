// Package cloudwatch reads the CloudWatch metrics lakemap catalogues: the
// daily S3 storage metrics (namespace AWS/S3) of each bucket, read in the
// bucket's own region.
//
// Its clients come from awsconn (Session.CloudWatch, NewCloudWatchClient),
// which selects the awsQuery protocol: the pinned SDK client defaults to
// CBOR, which moto does not speak; awsconn's NewCloudWatchClient says why
// awsQuery is used in production too.
package cloudwatch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// API is the part of the CloudWatch client lakemap uses; the IAM actions
// are cloudwatch:GetMetricData and cloudwatch:ListMetrics, as
// OpenMetadata's S3 guide grants.
type API interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}
