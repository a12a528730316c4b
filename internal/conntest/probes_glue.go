package conntest

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/awsconn"
)

// Probes of the glue service's groups: the Glue Data Catalog and Athena.
// Errors go through awsconn.Classify, whose kinds the recorder reads.

// probeGlueCatalog lists databases and the tables of a few, noting the S3
// locations the S3 probes then read.
func probeGlueCatalog(ctx context.Context, e *env, r *recorder) {
	dbs, err := e.c.glue.GetDatabases(ctx, &glue.GetDatabasesInput{CatalogId: e.glueCatalog(), MaxResults: aws.Int32(3)})
	if !r.call("glue:GetDatabases", awsconn.Classify(err, "listing Glue databases")) {
		return
	}
	var names []string
	for _, db := range dbs.DatabaseList {
		names = append(names, str(db.Name))
	}
	if len(names) == 0 {
		// Not found in a database that does not exist proves the call allowed.
		names = []string{e.probeName}
	}
	for _, db := range names[:min(len(names), 3)] {
		out, err := e.c.glue.GetTables(ctx, &glue.GetTablesInput{CatalogId: e.glueCatalog(), DatabaseName: aws.String(db), MaxResults: aws.Int32(20)})
		if !r.call("glue:GetTables", awsconn.Classify(err, "listing Glue tables in "+db)) {
			if len(r.denied) > 0 {
				return
			}
			continue
		}
		for _, t := range out.TableList {
			if t.StorageDescriptor != nil {
				e.tableLocations = addLocation(e.tableLocations, str(t.StorageDescriptor.Location))
			}
		}
	}
}

// probeGlueDataQuality sends a ruleset that is not DQDL: AWS authorizes
// glue:CreateDataQualityRuleset, then rejects the ruleset.
func probeGlueDataQuality(ctx context.Context, e *env, r *recorder) {
	_, err := e.c.glue.ListDataQualityRulesets(ctx, &glue.ListDataQualityRulesetsInput{MaxResults: aws.Int32(1)})
	r.call("glue:ListDataQualityRulesets", awsconn.Classify(err, "listing Glue data quality rulesets"))
	_, err = e.c.glue.CreateDataQualityRuleset(ctx, &glue.CreateDataQualityRulesetInput{
		Name:        aws.String(e.probeName),
		Ruleset:     aws.String("lakemap connection test: this is not DQDL"),
		Description: aws.String("lakemap connection test: an invalid ruleset AWS must refuse"),
	})
	r.write("glue:CreateDataQualityRuleset", "Glue data quality ruleset "+e.probeName,
		awsconn.Classify(err, "probing glue:CreateDataQualityRuleset with an invalid ruleset"))
}

// probeGlueColumnStatistics writes statistics of a table that does not
// exist: AWS authorizes the call, then answers EntityNotFoundException.
func probeGlueColumnStatistics(ctx context.Context, e *env, r *recorder) {
	_, err := e.c.glue.UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{
		DatabaseName: aws.String(e.probeName),
		TableName:    aws.String(e.probeName),
		ColumnStatisticsList: []gluetypes.ColumnStatistics{{
			ColumnName:   aws.String("probe"),
			ColumnType:   aws.String("string"),
			AnalyzedTime: aws.Time(time.Now()),
			StatisticsData: &gluetypes.ColumnStatisticsData{
				Type:                       gluetypes.ColumnStatisticsTypeString,
				StringColumnStatisticsData: &gluetypes.StringColumnStatisticsData{},
			},
		}},
	})
	r.write("glue:UpdateColumnStatisticsForTable", "column statistics of "+e.probeName+"."+e.probeName,
		awsconn.Classify(err, "probing glue:UpdateColumnStatisticsForTable on a table that does not exist"))
}

// readWorkGroups lists workgroups and reads the primary one (or the first),
// noting where it writes query results.
func readWorkGroups(ctx context.Context, e *env, r *recorder) {
	out, err := e.c.athena.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{MaxResults: aws.Int32(50)})
	if !r.call("athena:ListWorkGroups", awsconn.Classify(err, "listing Athena workgroups")) {
		return
	}
	name := "primary"
	found := false
	for _, wg := range out.WorkGroups {
		found = found || str(wg.Name) == name
	}
	if !found && len(out.WorkGroups) > 0 {
		name = str(out.WorkGroups[0].Name)
	}
	wg, err := e.c.athena.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(name)})
	if !r.call("athena:GetWorkGroup", awsconn.Classify(err, "reading Athena workgroup "+name)) || wg.WorkGroup == nil {
		return
	}
	if c := wg.WorkGroup.Configuration; c != nil && c.ResultConfiguration != nil {
		e.resultLocations = addLocation(e.resultLocations, str(c.ResultConfiguration.OutputLocation))
	}
}

func listQueries(ctx context.Context, e *env, r *recorder) {
	_, err := e.c.athena.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{MaxResults: aws.Int32(1)})
	r.call("athena:ListQueryExecutions", awsconn.Classify(err, "listing Athena query executions"))
}

func probeAthenaRead(ctx context.Context, e *env, r *recorder) {
	readWorkGroups(ctx, e, r)
	listQueries(ctx, e, r)
}

// probeAthenaWorkGroups updates a workgroup that does not exist.
func probeAthenaWorkGroups(ctx context.Context, e *env, r *recorder) {
	readWorkGroups(ctx, e, r)
	_, err := e.c.athena.UpdateWorkGroup(ctx, &athena.UpdateWorkGroupInput{
		WorkGroup:   aws.String(e.probeName),
		Description: aws.String("lakemap connection test: this workgroup does not exist"),
	})
	r.write("athena:UpdateWorkGroup", "Athena workgroup "+e.probeName,
		awsconn.Classify(err, "probing athena:UpdateWorkGroup on a workgroup that does not exist"))
}

// probeAthenaDataCatalogs updates a data catalog that does not exist.
func probeAthenaDataCatalogs(ctx context.Context, e *env, r *recorder) {
	_, err := e.c.athena.ListDataCatalogs(ctx, &athena.ListDataCatalogsInput{MaxResults: aws.Int32(2)})
	r.call("athena:ListDataCatalogs", awsconn.Classify(err, "listing Athena data catalogs"))
	_, err = e.c.athena.UpdateDataCatalog(ctx, &athena.UpdateDataCatalogInput{
		Name:        aws.String(e.probeName),
		Type:        athenatypes.DataCatalogTypeHive,
		Description: aws.String("lakemap connection test: this data catalog does not exist"),
		Parameters:  map[string]string{"metadata-function": "arn:aws:lambda:" + e.region + ":000000000000:function:" + e.probeName},
	})
	r.write("athena:UpdateDataCatalog", "Athena data catalog "+e.probeName,
		awsconn.Classify(err, "probing athena:UpdateDataCatalog on a data catalog that does not exist"))
}

// probeAthenaQueries starts a query in a workgroup that does not exist:
// AWS authorizes athena:StartQueryExecution, then refuses the workgroup.
func probeAthenaQueries(ctx context.Context, e *env, r *recorder) {
	listQueries(ctx, e, r)
	_, err := e.c.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString: aws.String("SELECT 1"),
		WorkGroup:   aws.String(e.probeName),
	})
	r.write("athena:StartQueryExecution", "an Athena query in workgroup "+e.probeName,
		awsconn.Classify(err, "probing athena:StartQueryExecution in a workgroup that does not exist"))
}
