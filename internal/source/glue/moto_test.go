package glue

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

// motoLake is a customer account seeded through moto and the Glue pager.
type motoLake struct {
	srv   *moto.Server
	cust  moto.Customer
	pager *moto.Pager
}

func col(name, typ string) types.Column {
	return types.Column{Name: aws.String(name), Type: aws.String(typ)}
}

// newMotoLake seeds: databases sales, mart and restricted; a partitioned
// sales.orders with 25 partitions and column statistics; views over mart
// tables, one whose SQL does not parse; a user-defined function; an Athena
// workgroup whose history holds a CTAS and an INSERT ... SELECT.
func newMotoLake(t *testing.T, account string) *motoLake {
	t.Helper()
	srv := motoSrv.Server(t)
	l := &motoLake{srv: srv, cust: moto.CustomerRole(t, srv, account), pager: moto.NewGluePager(t, srv.URL(), 2)}
	ctx := context.Background()
	g := glue.NewFromConfig(l.pager.AWSConfig(l.cust.AWS))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seeding %s: %v", what, err)
		}
	}
	for _, db := range []string{"sales", "mart", "restricted"} {
		_, err := g.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String(db), Description: aws.String(db + " data")}})
		must(db, err)
	}
	_, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &types.TableInput{
		Name: aws.String("orders"), TableType: aws.String("EXTERNAL_TABLE"),
		Parameters: map[string]string{"classification": "parquet"},
		StorageDescriptor: &types.StorageDescriptor{
			Columns:  []types.Column{col("id", "bigint"), col("amount", "decimal(10,2)"), col("customer_id", "bigint")},
			Location: aws.String("s3://landing/raw/orders/"),
		},
		PartitionKeys: []types.Column{col("dt", "string")},
	}})
	must("sales.orders", err)
	var parts []types.PartitionInput
	for i := range 25 {
		day := time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		parts = append(parts, types.PartitionInput{Values: []string{day}, StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://landing/raw/orders/dt=" + day + "/")}})
	}
	out, err := g.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("sales"), TableName: aws.String("orders"), PartitionInputList: parts})
	must("partitions", err)
	if len(out.Errors) > 0 {
		t.Fatalf("seeding partitions: %+v", out.Errors[0])
	}
	for _, tb := range []struct{ db, name string }{{"sales", "customers"}, {"mart", "stage"}, {"mart", "daily"}, {"restricted", "secrets"}} {
		_, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(tb.db), TableInput: &types.TableInput{
			Name: aws.String(tb.name), StorageDescriptor: &types.StorageDescriptor{Columns: []types.Column{col("id", "bigint")}, Location: aws.String("s3://lake/" + tb.db + "/" + tb.name + "/")},
		}})
		must(tb.name, err)
	}
	for _, v := range []struct{ name, sql string }{
		{"daily_v", "SELECT d.*, c.id AS cid FROM daily d JOIN sales.customers c ON c.id = d.id"},
		{"broken_v", "SELECT * FROM (SELECT 1"},
	} {
		_, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("mart"), TableInput: &types.TableInput{
			Name: aws.String(v.name), TableType: aws.String("VIRTUAL_VIEW"),
			ViewOriginalText: aws.String(sqlparse.EncodePrestoView(v.sql, "awsdatacatalog", "mart")), ViewExpandedText: aws.String("/* Presto View */"),
			StorageDescriptor: &types.StorageDescriptor{Columns: []types.Column{col("id", "bigint")}},
		}})
		must(v.name, err)
	}
	_, err = g.CreateUserDefinedFunction(ctx, &glue.CreateUserDefinedFunctionInput{DatabaseName: aws.String("sales"), FunctionInput: &types.UserDefinedFunctionInput{
		FunctionName: aws.String("mask_email"), ClassName: aws.String("com.example.Mask"), OwnerName: aws.String("etl"), OwnerType: types.PrincipalTypeUser,
		ResourceUris: []types.ResourceUri{{ResourceType: types.ResourceTypeJar, Uri: aws.String("s3://jars/mask.jar")}},
	}})
	must("function", err)
	_, err = g.UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{DatabaseName: aws.String("sales"), TableName: aws.String("orders"),
		ColumnStatisticsList: []types.ColumnStatistics{{
			ColumnName: aws.String("amount"), ColumnType: aws.String("decimal(10,2)"), AnalyzedTime: aws.Time(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)),
			StatisticsData: &types.ColumnStatisticsData{Type: types.ColumnStatisticsTypeDecimal, DecimalColumnStatisticsData: &types.DecimalColumnStatisticsData{
				NumberOfNulls: 2, NumberOfDistinctValues: 40,
				MinimumValue: &types.DecimalNumber{Scale: 2, UnscaledValue: []byte{0x01}}, MaximumValue: &types.DecimalNumber{Scale: 2, UnscaledValue: []byte{0x30, 0x39}},
			}},
		}},
	})
	must("statistics", err)

	a := athena.NewFromConfig(l.cust.AWS)
	_, err = a.CreateWorkGroup(ctx, &athena.CreateWorkGroupInput{Name: aws.String("etl"), Configuration: &athenatypes.WorkGroupConfiguration{
		ResultConfiguration:           &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://athena-results/etl/")},
		EnforceWorkGroupConfiguration: aws.Bool(true), BytesScannedCutoffPerQuery: aws.Int64(10_000_000_000),
	}})
	must("workgroup", err)
	l.seedQueryResults(t)
	for _, q := range []string{
		"CREATE TABLE mart.stage WITH (format = 'PARQUET') AS SELECT * FROM sales.orders WHERE amount > 0",
		"INSERT INTO daily SELECT * FROM stage",
	} {
		_, err := a.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
			QueryString: aws.String(q), WorkGroup: aws.String("etl"),
			QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String("mart"), Catalog: aws.String("AwsDataCatalog")},
		})
		must("query", err)
	}
	return l
}

// seedQueryResults queues the rows moto returns for the next queries, as
// TESTING-AWS.md describes; the scan reads executions, not results, but the
// queries must look real.
func (l *motoLake) seedQueryResults(t *testing.T) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"account_id": l.cust.AccountID, "region": moto.Region, "results": []any{
		map[string]any{"rows": []any{}, "column_info": []any{}},
		map[string]any{"rows": []any{map[string]any{"Data": []any{map[string]any{"VarCharValue": "rows"}, map[string]any{"VarCharValue": "25"}}}}, "column_info": []any{}},
	}})
	resp, err := http.Post(l.srv.URL()+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("seeding Athena results: status %d", resp.StatusCode)
	}
}

// scanner builds the glue source as ingest would, through the registry's
// spec, against the pager with the customer's role assumed. The retryer is
// the test's fast one so that throttling storms take no time.
func (l *motoLake) scanner(t *testing.T, access catalog.AccessLevel) *Scanner {
	t.Helper()
	cfg := DefaultSourceConfig()
	cfg.TableThreads = 4
	awsCfg := testAWS(l.pager.URL())
	awsCfg.Credentials = l.cust.AWS.Credentials
	s, err := NewScanner(glue.NewFromConfig(awsCfg), "lake", *cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.AccessLevel = access
	s.RoleARN = l.cust.RoleARN
	s.Region = moto.Region
	if s.Athena, err = athenascan.New(athena.NewFromConfig(awsCfg), "lake", cfg.Options, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func (l *motoLake) scan(t *testing.T, store catalog.Store, access catalog.AccessLevel) scan.Summary {
	t.Helper()
	sum, err := (&scan.Runner{Store: store}).Run(context.Background(), "lake", "glue", l.scanner(t, access))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return sum
}

func TestMotoScan(t *testing.T) {
	l := newMotoLake(t, "310000000001")
	store := sqlitetest.Open(t)
	sum := l.scan(t, store, catalog.ReadWrite)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	ctx := context.Background()
	get := func(fqn string) catalog.Entity {
		t.Helper()
		e, err := store.Get(ctx, fqn)
		if err != nil {
			t.Fatalf("%s: %v", fqn, err)
		}
		return e
	}
	if n := len(sqlitetest.Live(t, store, catalog.KindDatabase)); n != 3 {
		t.Errorf("%d databases, want 3", n)
	}
	if n := len(sqlitetest.Live(t, store, catalog.KindPartition)); n != 25 {
		t.Errorf("%d partitions, want 25", n)
	}
	// Attributes come back from the catalog as decoded JSON: numbers are float64.
	orders := get("lake.sales.orders")
	if orders.Attrs["partitionCount"] != float64(25) || orders.Attrs["newestPartition"] == nil {
		t.Errorf("orders = %v", orders.Attrs)
	}
	p := get("lake.sales.orders.dt=2024-01-07")
	if p.Attrs["location"] != "s3://landing/raw/orders/dt=2024-01-07/" || p.SourceCreated == nil {
		t.Errorf("partition = %+v", p)
	}
	stats, _ := get("lake.sales.orders.amount").Attrs["statistics"].(map[string]any)
	if stats["type"] != "DECIMAL" || stats["maximum"] != "123.45" || stats["minimum"] != "0.01" || stats["numberOfDistinctValues"] != float64(40) {
		t.Errorf("statistics = %#v", stats)
	}
	if fn := get("lake.sales.mask_email"); fn.Kind != catalog.KindFunction || fn.Attrs["className"] != "com.example.Mask" {
		t.Errorf("function = %+v", fn)
	}
	wg := get("lake.etl")
	if wg.Attrs["outputLocation"] != "s3://athena-results/etl/" || wg.Attrs["enforceWorkGroupConfiguration"] != true || wg.Attrs["state"] != "ENABLED" {
		t.Errorf("workgroup = %v", wg.Attrs)
	}
	get("lake.primary")
	queries := sqlitetest.Live(t, store, catalog.KindQuery)
	if len(queries) != 2 {
		t.Fatalf("%d query executions, want 2", len(queries))
	}

	// Lineage: daily_v <- daily <- stage <- orders <- S3, whichever runs second.
	rep, err := (&lineage.Builder{Entities: store, Lineage: store}).AfterScan(ctx, "lake", sum.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ViewsUnparsed != 1 || rep.Views != 2 || rep.QueriesWriting != 2 {
		t.Errorf("lineage report = %+v", rep)
	}
	edges, err := store.Edges(ctx, "lake.mart.daily_v", catalog.Upstream, 3)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range edges {
		got[fmt.Sprintf("%d %s -> %s", e.Hop, e.From, e.To)] = true
	}
	for _, want := range []string{
		"1 lake.mart.daily -> lake.mart.daily_v", "1 lake.sales.customers -> lake.mart.daily_v",
		"2 lake.mart.stage -> lake.mart.daily", "3 lake.sales.orders -> lake.mart.stage",
	} {
		if !got[want] {
			t.Errorf("lineage lacks %q; has %v", want, got)
		}
	}
}

func TestMotoThrottlingStorm(t *testing.T) {
	l := newMotoLake(t, "310000000002")
	store := sqlitetest.Open(t)
	if sum := l.scan(t, store, catalog.ReadWrite); sum.Status != catalog.ScanSucceeded {
		t.Fatalf("clean scan %s: %v", sum.Status, sum.Errors)
	}
	before := sqlitetest.Snapshot(t, store)
	var n atomic.Int64
	l.pager.FailWhen(func(op string, _ []byte) *moto.Fault {
		// moto lacks BatchGetQueryExecution: its 500s and the storm's
		// throttling together would exhaust the retries before the
		// scanner falls back to GetQueryExecution, which the storm hits.
		if op != "AssumeRole" && op != "BatchGetQueryExecution" && n.Add(1)%3 == 0 {
			return &moto.Fault{Code: "ThrottlingException", Status: http.StatusBadRequest, Message: "Rate exceeded"}
		}
		return nil
	})
	sum := l.scan(t, store, catalog.ReadWrite)
	l.pager.FailWhen(nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("storm scan %s: %v", sum.Status, sum.Errors)
	}
	if n.Load() < 30 {
		t.Errorf("only %d calls went through the storm", n.Load())
	}
	// moto answers GetWorkGroup with CreationTime = now: workgroups
	// "change" on every scan there, storm or not.
	after := sqlitetest.Snapshot(t, store)
	for _, wg := range sqlitetest.Live(t, store, catalog.KindWorkgroup) {
		delete(before, wg.FQN)
		delete(after, wg.FQN)
	}
	for kind, c := range sum.Stats {
		if c.Added+c.Deleted != 0 || c.Updated != 0 && kind != catalog.KindWorkgroup {
			t.Errorf("%s changed in the storm: %+v", kind, *c)
		}
	}
	compareSnapshots(t, before, after)
}

func TestMotoAccessDenied(t *testing.T) {
	l := newMotoLake(t, "310000000003")
	store := sqlitetest.Open(t)
	l.scan(t, store, catalog.ReadWrite)
	before := len(sqlitetest.Live(t, store, catalog.KindTable))

	denied := &moto.Fault{Code: "AccessDeniedException", Status: http.StatusForbidden, Message: "not authorized"}
	l.pager.FailWhen(func(op string, body []byte) *moto.Fault {
		switch {
		case op == "GetTables" && strings.Contains(string(body), `"restricted"`):
			return denied
		case op == "GetColumnStatisticsForTable":
			return denied
		}
		return nil
	})
	sum := l.scan(t, store, catalog.ReadWrite)
	l.pager.FailWhen(nil)
	if sum.Status != catalog.ScanPartial || len(sum.Errors) != 1 || len(sum.Warnings) != 1 {
		t.Fatalf("status %s, errors %q, warnings %q: want partial with one error for the database and one warning for statistics", sum.Status, sum.Errors, sum.Warnings)
	}
	joined := strings.Join(append(sum.Errors, sum.Warnings...), "\n")
	for _, want := range []string{`listing Glue tables in database "restricted": access denied`, "glue:GetColumnStatisticsForTable"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors lack %q:\n%s", want, joined)
		}
	}
	for kind, c := range sum.Stats {
		if c.Deleted != 0 {
			t.Errorf("%d %s entities deleted", c.Deleted, kind)
		}
	}
	if got := len(sqlitetest.Live(t, store, catalog.KindTable)); got != before {
		t.Errorf("%d live tables, want %d", got, before)
	}
	if l.pager.Count("GetColumnStatisticsForTable") == 0 {
		t.Error("statistics were never asked")
	}
}

func TestMotoPartitionsDropped(t *testing.T) {
	l := newMotoLake(t, "310000000004")
	store := sqlitetest.Open(t)
	l.scan(t, store, catalog.ReadOnly)
	var drop []types.PartitionValueList
	for i := 10; i < 25; i++ {
		drop = append(drop, types.PartitionValueList{Values: []string{time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")}})
	}
	_, err := glue.NewFromConfig(l.cust.AWS).BatchDeletePartition(context.Background(), &glue.BatchDeletePartitionInput{
		DatabaseName: aws.String("sales"), TableName: aws.String("orders"), PartitionsToDelete: drop,
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := l.scan(t, store, catalog.ReadOnly)
	if c := sum.Stats[catalog.KindPartition]; c == nil || c.Deleted != 15 {
		t.Fatalf("partition stats %+v, want 15 deleted", c)
	}
	orders, _ := store.Get(context.Background(), "lake.sales.orders")
	if orders.Attrs["partitionCount"] != float64(10) {
		t.Errorf("partitionCount = %v, want 10", orders.Attrs["partitionCount"])
	}
}

// TestMotoRegisteredSource builds the source as ingest does: the registry's
// spec, a real session assuming the customer's role through the pager.
func TestMotoRegisteredSource(t *testing.T) {
	l := newMotoLake(t, "310000000005")
	r := source.NewRegistry()
	Register(r)
	spec, _ := r.Lookup("glue")
	conn := spec.NewConnection().(*Connection)
	conn.AWSConfig = awsconn.Config{
		AccessKeyID: "test", SecretAccessKey: "test", Region: moto.Region, EndpointURL: l.pager.URL(),
		AssumeRoleARN: l.cust.RoleARN, AssumeRoleExternalID: "lakemap-test",
	}
	ctx := context.Background()
	sess, err := awsconn.NewSession(ctx, conn.AWSConfig, awsconn.Options{ServiceName: "lake"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := spec.NewSourceConfig().(*SourceConfig)
	// moto lacks BatchGetQueryExecution, and the session's retryer backs
	// off for a minute before the scanner falls back to single reads;
	// TestMotoScan covers the history with a fast retryer.
	cfg.IncludeQueryHistory = false
	src, err := spec.New(source.Params{ServiceName: "lake", Connection: conn, SourceConfig: cfg, AWS: sess})
	if err != nil {
		t.Fatal(err)
	}
	store := sqlitetest.Open(t)
	l.pager.ClearRequests()
	sum, err := (&scan.Runner{Store: store}).Run(ctx, "lake", "glue", src)
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("scan %s: %v %v", sum.Status, err, sum.Errors)
	}
	svc, _ := store.Get(ctx, "lake")
	if svc.Attrs["accountId"] != l.cust.AccountID {
		t.Errorf("service = %v", svc.Attrs)
	}
	for _, fqn := range []string{"lake.sales.orders.dt=2024-01-25", "lake.sales.mask_email", "lake.etl", "lake.mart.daily_v"} {
		if _, err := store.Get(ctx, fqn); err != nil {
			t.Errorf("%s: %v", fqn, err)
		}
	}
	if w := l.pager.WriteOps(); len(w) > 0 {
		t.Errorf("the scan wrote: %v", w)
	}
	if l.pager.Count("AssumeRole") == 0 {
		t.Error("the role was not assumed")
	}
}
