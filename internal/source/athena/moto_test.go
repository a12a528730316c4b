package athena

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	awsglue "github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

type fastBackoff struct{}

func (fastBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Millisecond, nil }

func TestMotoAthenaSource(t *testing.T) {
	srv := motoSrv.Server(t)
	cust := moto.CustomerRole(t, srv, "320000000001")
	pager := moto.NewGluePager(t, srv.URL(), 2)
	ctx := context.Background()
	g := awsglue.NewFromConfig(cust.AWS)
	for _, db := range []string{"sales", "mart"} {
		if _, err := g.CreateDatabase(ctx, &awsglue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(db)}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tb := range []struct{ db, name string }{{"sales", "orders"}, {"sales", "customers"}, {"mart", "daily"}} {
		if _, err := g.CreateTable(ctx, &awsglue.CreateTableInput{DatabaseName: aws.String(tb.db), TableInput: &gluetypes.TableInput{
			Name: aws.String(tb.name), StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String("id"), Type: aws.String("bigint")}}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	a := awsathena.NewFromConfig(cust.AWS)
	if _, err := a.CreateWorkGroup(ctx, &awsathena.CreateWorkGroupInput{Name: aws.String("reports"), Configuration: &athenatypes.WorkGroupConfiguration{
		ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://results/reports/")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartQueryExecution(ctx, &awsathena.StartQueryExecutionInput{
		QueryString: aws.String("INSERT INTO mart.daily SELECT o.id FROM orders o JOIN customers c ON o.id = c.id"), WorkGroup: aws.String("reports"),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String("sales")},
	}); err != nil {
		t.Fatal(err)
	}

	// Built as ingest builds it, then given clients with a retryer that
	// does not wait: moto lacks BatchGetQueryExecution and answers 500.
	r := source.NewRegistry()
	Register(r)
	spec, _ := r.Lookup(Type)
	conn := spec.NewConnection().(*Connection)
	conn.AWSConfig = awsconn.Config{AccessKeyID: "test", SecretAccessKey: "test", Region: moto.Region, EndpointURL: pager.URL(), AssumeRoleARN: cust.RoleARN}
	conn.Workgroup, conn.S3StagingDir = "reports", "s3://results/lakemap/"
	sess, err := awsconn.NewSession(ctx, conn.AWSConfig, awsconn.Options{ServiceName: "ath"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := spec.New(source.Params{ServiceName: "ath", Connection: conn, SourceConfig: spec.NewSourceConfig(), AWS: sess})
	if err != nil {
		t.Fatal(err)
	}
	fast := pager.AWSConfig(cust.AWS)
	fast.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.Backoff, o.RateLimiter = fastBackoff{}, ratelimit.None })
	}
	s := src.(*Source)
	s.Athena.Client = awsathena.NewFromConfig(fast)
	s.Glue.Client = awsglue.NewFromConfig(fast)

	store := sqlitetest.Open(t)
	sum, err := (&scan.Runner{Store: store}).Run(ctx, "ath", Type, s)
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("scan %s: %v %v", sum.Status, err, sum.Errors)
	}
	for _, fqn := range []string{
		"ath", "ath.AwsDataCatalog", "ath.AwsDataCatalog.sales", "ath.AwsDataCatalog.sales.orders", "ath.AwsDataCatalog.mart.daily.id",
		"ath.reports", "ath.primary",
	} {
		if _, err := store.Get(ctx, fqn); err != nil {
			t.Errorf("%s: %v", fqn, err)
		}
	}
	svc, _ := store.Get(ctx, "ath")
	if svc.Attrs["sourceType"] != "athena" || svc.Attrs["workgroup"] != "reports" || svc.Attrs["s3StagingDir"] != "s3://results/lakemap/" {
		t.Errorf("service = %v", svc.Attrs)
	}
	queries := sqlitetest.Live(t, store, catalog.KindQuery)
	if len(queries) != 1 || queries[0].ParentFQN != "ath.reports" {
		t.Fatalf("queries = %+v", queries)
	}
	if _, err := (&lineage.Builder{Entities: store, Lineage: store, Sources: r}).AfterScan(ctx, "ath", sum.ScanID); err != nil {
		t.Fatal(err)
	}
	edges, err := store.Edges(ctx, "ath.AwsDataCatalog.mart.daily", catalog.Upstream, 1)
	if err != nil || len(edges) != 2 || edges[0].From != "ath.AwsDataCatalog.sales.customers" || edges[1].From != "ath.AwsDataCatalog.sales.orders" {
		t.Errorf("lineage = %+v, %v", edges, err)
	}
}
