package onboard

// The IAM statements below are the vendor guide's (seeds/000), Sid for Sid and
// action for action, in its order. The one addition is cloudWatchMetricsRead
// for s3: lakemap's S3 source reads bucket sizes and object counts from
// CloudWatch, as OpenMetadata's S3 connector documents (seeds/002).
// testdata/seed holds the guide's blocks; policy_test.go compares them.

// statement is one Allow statement of a permission policy. Every action of a
// statement belongs to one IAM service, so --resources ARNs can be matched to
// the statements they restrict.
type statement struct {
	Sid     string
	Actions []string
	// Unscoped statements keep "Resource": "*" whatever --resources says,
	// because their actions support no resource-level permissions.
	Unscoped bool
}

// serviceSpec declares one onboarding target.
type serviceSpec struct {
	Name string // the --service value and workflow source.type
	// Title names the IAM policies (GlueReadOnlyAccess) and the roles.
	Title string
	// Template names the CloudFormation template file lakemap-<Template>-crossaccount.yaml.
	Template string
	// ConnectionType is the workflow's serviceConnection.config.type.
	ConnectionType string
	Description    string
	ReadOnly       []statement
	ReadWrite      []statement
	// ARNServices are the services whose ARNs --resources may name.
	ARNServices []string
	// Probe is a read-only AWS CLI call that proves the role works.
	Probe string
}

var (
	glueCatalogRead = statement{Sid: "GlueCatalogReadAccess", Actions: []string{
		"glue:GetDatabase",
		"glue:GetDatabases",
		"glue:GetTable",
		"glue:GetTables",
		"glue:GetPartition",
		"glue:GetPartitions",
		"glue:SearchTables",
		"glue:GetUserDefinedFunction",
		"glue:GetUserDefinedFunctions",
	}}
	athenaQueryRead = statement{Sid: "AthenaQueryRead", Actions: []string{
		"athena:GetDataCatalog",
		"athena:ListDataCatalogs",
		"athena:GetWorkGroup",
		"athena:ListWorkGroups",
		"athena:GetQueryExecution",
		"athena:GetQueryResults",
		"athena:ListQueryExecutions",
		"athena:BatchGetQueryExecution",
	}}
	glueS3Read = statement{Sid: "S3ReadAccess", Actions: []string{
		"s3:GetBucketLocation",
		"s3:GetObject",
		"s3:ListBucket",
	}}
	glueDataQuality = statement{Sid: "GlueDataQualityAccess", Actions: []string{
		"glue:CreateDataQualityRuleset",
		"glue:GetDataQualityRuleset",
		"glue:UpdateDataQualityRuleset",
		"glue:DeleteDataQualityRuleset",
		"glue:ListDataQualityRulesets",
		"glue:StartDataQualityRuleRecommendationRun",
		"glue:GetDataQualityRuleRecommendationRun",
		"glue:StartDataQualityRulesetEvaluationRun",
		"glue:GetDataQualityRulesetEvaluationRun",
		"glue:ListDataQualityResults",
	}}
	glueColumnStatistics = statement{Sid: "GlueColumnStatisticsAccess", Actions: []string{
		"glue:GetColumnStatisticsForTable",
		"glue:GetColumnStatisticsForPartition",
		"glue:UpdateColumnStatisticsForTable",
		"glue:UpdateColumnStatisticsForPartition",
		"glue:DeleteColumnStatisticsForTable",
		"glue:DeleteColumnStatisticsForPartition",
	}}
	athenaWorkGroup = statement{Sid: "AthenaWorkGroupAccess", Actions: []string{
		"athena:CreateWorkGroup",
		"athena:GetWorkGroup",
		"athena:ListWorkGroups",
		"athena:UpdateWorkGroup",
		"athena:DeleteWorkGroup",
	}}
	athenaDataCatalog = statement{Sid: "AthenaDataCatalogAccess", Actions: []string{
		"athena:GetDataCatalog",
		"athena:ListDataCatalogs",
		"athena:UpdateDataCatalog",
	}}
	athenaQuery = statement{Sid: "AthenaQueryAccess", Actions: []string{
		"athena:StartQueryExecution",
		"athena:GetQueryExecution",
		"athena:GetQueryResults",
		"athena:StopQueryExecution",
		"athena:ListQueryExecutions",
		"athena:BatchGetQueryExecution",
	}}
	glueS3AthenaResults = statement{Sid: "S3AccessForAthenaResults", Actions: []string{
		"s3:GetBucketLocation",
		"s3:GetObject",
		"s3:ListBucket",
		"s3:PutObject",
	}}

	s3BucketRead = statement{Sid: "S3BucketReadAccess", Actions: []string{
		"s3:ListBucket",
		"s3:GetBucketLocation",
		"s3:GetBucketVersioning",
		"s3:GetBucketTagging",
		"s3:GetBucketPolicy",
		"s3:ListAllMyBuckets",
	}}
	s3ObjectRead = statement{Sid: "S3ObjectReadAccess", Actions: []string{
		"s3:GetObject",
		"s3:GetObjectVersion",
		"s3:GetObjectTagging",
	}}
	s3Write = statement{Sid: "S3WriteAccess", Actions: []string{
		"s3:PutObject",
		"s3:PutObjectTagging",
		"s3:DeleteObject",
		"s3:DeleteObjectVersion",
		"s3:CreateBucket",
		"s3:DeleteBucket",
		"s3:PutBucketTagging",
	}}
	// Not in the vendor guide: see the comment at the top of this file.
	cloudWatchMetricsRead = statement{Sid: "CloudWatchMetricsRead", Unscoped: true, Actions: []string{
		"cloudwatch:GetMetricData",
		"cloudwatch:ListMetrics",
	}}

	dataZoneRead = statement{Sid: "DataZoneReadAccess", Actions: []string{
		"datazone:GetDomain",
		"datazone:ListDomains",
		"datazone:GetProject",
		"datazone:ListProjects",
		"datazone:GetEnvironment",
		"datazone:ListEnvironments",
		"datazone:GetEnvironmentProfile",
		"datazone:ListEnvironmentProfiles",
		"datazone:GetDataSource",
		"datazone:ListDataSources",
		"datazone:GetAsset",
		"datazone:GetFormType",
		"datazone:GetListing",
		"datazone:SearchListings",
		"datazone:ListAssetRevisions",
		"datazone:GetGlossary",
		"datazone:GetGlossaryTerm",
	}}
	dataZoneWrite = statement{Sid: "DataZoneWriteAccess", Actions: []string{
		"datazone:CreateAsset",
		"datazone:UpdateAsset",
		"datazone:DeleteAsset",
		"datazone:CreateListing",
		"datazone:UpdateListing",
		"datazone:DeleteListing",
		"datazone:CreateAssetRevision",
		"datazone:CreateDataSource",
		"datazone:UpdateDataSource",
		"datazone:DeleteDataSource",
	}}
)

// services is read-only; lookups hand out copies.
var services = [...]serviceSpec{
	{
		Name:           Glue,
		Title:          "Glue",
		Template:       "glue-athena",
		ConnectionType: "Glue",
		Description:    "AWS Glue Data Catalog, Athena and the S3 data behind them",
		ReadOnly:       []statement{glueCatalogRead, athenaQueryRead, glueS3Read},
		ReadWrite: []statement{glueCatalogRead, glueDataQuality, glueColumnStatistics,
			athenaWorkGroup, athenaDataCatalog, athenaQuery, glueS3AthenaResults},
		ARNServices: []string{"glue", "athena", "s3"},
		Probe:       "aws glue get-databases",
	},
	{
		Name:           S3,
		Title:          "S3",
		Template:       "s3",
		ConnectionType: "S3",
		Description:    "Amazon S3 buckets and objects, with CloudWatch storage metrics",
		ReadOnly:       []statement{s3BucketRead, s3ObjectRead, cloudWatchMetricsRead},
		ReadWrite:      []statement{s3BucketRead, s3ObjectRead, s3Write, cloudWatchMetricsRead},
		ARNServices:    []string{"s3"},
		Probe:          "aws s3api list-buckets",
	},
	{
		Name:           DataZone,
		Title:          "DataZone",
		Template:       "datazone",
		ConnectionType: "DataZone",
		Description:    "Amazon DataZone domains, projects, assets and glossaries",
		ReadOnly:       []statement{dataZoneRead},
		ReadWrite:      []statement{dataZoneRead, dataZoneWrite},
		ARNServices:    []string{"datazone"},
		Probe:          "aws datazone list-domains",
	},
}

func lookupService(name string) (serviceSpec, bool) {
	for _, s := range services {
		if s.Name == name {
			return s, true
		}
	}
	return serviceSpec{}, false
}

func (s serviceSpec) statements(access string) []statement {
	if access == ReadWrite {
		return s.ReadWrite
	}
	return s.ReadOnly
}

// policyName is the vendor guide's inline policy name, e.g. GlueReadOnlyAccess.
func (s serviceSpec) policyName(access string) string { return s.Title + access + "Access" }

func (s serviceSpec) defaultRoleName() string  { return s.Title + "AccessRoleForLakemap" }
func (s serviceSpec) defaultStackName() string { return "Lakemap" + s.Title + "Access" }
func (s serviceSpec) templateFile() string     { return "lakemap-" + s.Template + "-crossaccount.yaml" }
func (s serviceSpec) defaultTemplateURL() string {
	return DefaultTemplateBaseURL + s.templateFile()
}
