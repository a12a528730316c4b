package conntest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
)

// The calls the probes make, one interface per service: each method is one
// IAM action, named in the probe that calls it.

type glueAPI interface {
	GetDatabases(ctx context.Context, in *glue.GetDatabasesInput, opts ...func(*glue.Options)) (*glue.GetDatabasesOutput, error)
	GetTables(ctx context.Context, in *glue.GetTablesInput, opts ...func(*glue.Options)) (*glue.GetTablesOutput, error)
	ListDataQualityRulesets(ctx context.Context, in *glue.ListDataQualityRulesetsInput, opts ...func(*glue.Options)) (*glue.ListDataQualityRulesetsOutput, error)
	CreateDataQualityRuleset(ctx context.Context, in *glue.CreateDataQualityRulesetInput, opts ...func(*glue.Options)) (*glue.CreateDataQualityRulesetOutput, error)
	UpdateColumnStatisticsForTable(ctx context.Context, in *glue.UpdateColumnStatisticsForTableInput, opts ...func(*glue.Options)) (*glue.UpdateColumnStatisticsForTableOutput, error)
}

type athenaAPI interface {
	ListWorkGroups(ctx context.Context, in *athena.ListWorkGroupsInput, opts ...func(*athena.Options)) (*athena.ListWorkGroupsOutput, error)
	GetWorkGroup(ctx context.Context, in *athena.GetWorkGroupInput, opts ...func(*athena.Options)) (*athena.GetWorkGroupOutput, error)
	UpdateWorkGroup(ctx context.Context, in *athena.UpdateWorkGroupInput, opts ...func(*athena.Options)) (*athena.UpdateWorkGroupOutput, error)
	ListQueryExecutions(ctx context.Context, in *athena.ListQueryExecutionsInput, opts ...func(*athena.Options)) (*athena.ListQueryExecutionsOutput, error)
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	ListDataCatalogs(ctx context.Context, in *athena.ListDataCatalogsInput, opts ...func(*athena.Options)) (*athena.ListDataCatalogsOutput, error)
	UpdateDataCatalog(ctx context.Context, in *athena.UpdateDataCatalogInput, opts ...func(*athena.Options)) (*athena.UpdateDataCatalogOutput, error)
}

type s3API interface {
	ListBuckets(ctx context.Context, in *s3.ListBucketsInput, opts ...func(*s3.Options)) (*s3.ListBucketsOutput, error)
	GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, opts ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, opts ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, opts ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObjectTagging(ctx context.Context, in *s3.GetObjectTaggingInput, opts ...func(*s3.Options)) (*s3.GetObjectTaggingOutput, error)
}

type cloudWatchAPI interface {
	ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

type dataZoneAPI interface {
	ListDomains(ctx context.Context, in *datazone.ListDomainsInput, opts ...func(*datazone.Options)) (*datazone.ListDomainsOutput, error)
	Search(ctx context.Context, in *datazone.SearchInput, opts ...func(*datazone.Options)) (*datazone.SearchOutput, error)
	GetLineageNode(ctx context.Context, in *datazone.GetLineageNodeInput, opts ...func(*datazone.Options)) (*datazone.GetLineageNodeOutput, error)
}

type iamAPI interface {
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, opts ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

// clients are built from the connection's session; s3 is per region so a
// bucket's calls go to its own region.
type clients struct {
	glue       glueAPI
	athena     athenaAPI
	s3         func(region string) s3API
	cloudWatch cloudWatchAPI
	dataZone   dataZoneAPI
	iam        iamAPI
}

func sessionClients(s *awsconn.Session) clients {
	return clients{
		glue:       s.Glue(),
		athena:     s.Athena(),
		s3:         func(region string) s3API { return s.S3(region) },
		cloudWatch: s.CloudWatch(""),
		dataZone:   s.DataZone(),
		iam:        s.IAM(),
	}
}

func str(p *string) string { return aws.ToString(p) }
