// Package cloudwatch reads the CloudWatch metrics lakemap catalogues: the
// daily S3 storage metrics (namespace AWS/S3) of each bucket, read in the
// bucket's own region.
//
// # Protocol
//
// CloudWatch answers four wire protocols: awsQuery (form-encoded requests,
// XML answers, what every SDK spoke for a decade), awsJson1_0, AWS JSON 1.1
// and Smithy RPC v2 CBOR. Since v1.53.0 the Go SDK's client defaults to
// CBOR, which moto (the emulator lakemap's tests run against) does not
// speak. NewClient keeps the pinned client (one SDK version for the whole
// binary) and selects awsQuery through the client's Protocol option, in
// production as in tests, so that the code the tests exercise against moto
// is the code that runs against AWS. awsQuery is served in every region
// and partition; the traffic is a few calls per bucket, so CBOR's smaller
// payloads would not matter. A CBOR<->JSON shim in front of moto was the
// alternative; it would have tested the shim's CBOR rather than AWS's.
package cloudwatch

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// API is the part of the CloudWatch client lakemap uses; the IAM actions
// are cloudwatch:GetMetricData and cloudwatch:ListMetrics, as
// OpenMetadata's S3 guide grants.
type API interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}

// NewClient returns a CloudWatch client for cfg speaking awsQuery (see the
// package comment for why).
func NewClient(cfg aws.Config, optFns ...func(*cloudwatch.Options)) *cloudwatch.Client {
	opts := append([]func(*cloudwatch.Options){UseQueryProtocol}, optFns...)
	return cloudwatch.NewFromConfig(cfg, opts...)
}

// UseQueryProtocol is the client option NewClient applies.
func UseQueryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}
