package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/workflow"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

// estate is a customer account seeded with a realistic Glue catalog.
type estate struct {
	cust  moto.Customer
	pager *moto.Pager
	glue  *glue.Client
}

func newEstate(t *testing.T) *estate {
	t.Helper()
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	// Two tables per page: every listing below really pages.
	pager := moto.NewGluePager(t, srv.URL(), 2)
	return &estate{cust: cust, pager: pager, glue: glue.NewFromConfig(cust.AWS)}
}

func (e *estate) createDatabase(t *testing.T, name, desc string) {
	t.Helper()
	_, err := e.glue.CreateDatabase(context.Background(), &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(name), Description: aws.String(desc)}})
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
}

func (e *estate) createTable(t *testing.T, db string, in gluetypes.TableInput) {
	t.Helper()
	_, err := e.glue.CreateTable(context.Background(), &glue.CreateTableInput{DatabaseName: aws.String(db), TableInput: &in})
	if err != nil {
		t.Fatalf("create table %s.%s: %v", db, aws.ToString(in.Name), err)
	}
}

func (e *estate) deleteTable(t *testing.T, db, name string) {
	t.Helper()
	_, err := e.glue.DeleteTable(context.Background(), &glue.DeleteTableInput{DatabaseName: aws.String(db), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("delete table %s.%s: %v", db, name, err)
	}
}

func cols(specs ...string) []gluetypes.Column {
	out := make([]gluetypes.Column, 0, len(specs))
	for _, s := range specs {
		name, rest, _ := strings.Cut(s, " ")
		typ, comment, _ := strings.Cut(rest, " -- ")
		out = append(out, gluetypes.Column{Name: aws.String(name), Type: aws.String(typ), Comment: aws.String(comment)})
	}
	return out
}

// seed builds: sales (orders, a 300-column wide table, a view, an Iceberg
// table, a unicode-named table), finance and a_tmp (filtered out).
func (e *estate) seed(t *testing.T) {
	e.createDatabase(t, "sales", "Orders and customers")
	e.createDatabase(t, "finance", "Ledgers — comptabilité")
	e.createDatabase(t, "scratch_tmp", "to be filtered out")
	e.createTable(t, "sales", gluetypes.TableInput{
		Name: aws.String("orders"), Description: aws.String("One row per order"), TableType: aws.String("EXTERNAL_TABLE"), Owner: aws.String("data-platform"),
		Parameters: map[string]string{"classification": "parquet"},
		StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/sales/orders/"),
			InputFormat: aws.String("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"),
			SerdeInfo:   &gluetypes.SerDeInfo{SerializationLibrary: aws.String("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")},
			Columns: cols("order_id bigint -- primary key", "customer_email string -- who ordered",
				"shipping struct<city:string,geo:struct<lat:double,lon:double>> -- delivery address",
				"lines array<struct<sku:string,qty:int>>")},
		PartitionKeys: cols("dt string -- load date"),
	})
	wide := make([]string, 300)
	for i := range wide {
		wide[i] = fmt.Sprintf("metric_%03d double -- measure %d", i, i)
	}
	e.createTable(t, "sales", gluetypes.TableInput{Name: aws.String("wide_metrics"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols(wide...)}})
	e.createTable(t, "sales", gluetypes.TableInput{Name: aws.String("big_orders"), TableType: aws.String("VIRTUAL_VIEW"),
		ViewOriginalText:  aws.String("SELECT * FROM sales.orders WHERE amount > 1000"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols("order_id bigint")}})
	e.createTable(t, "sales", gluetypes.TableInput{Name: aws.String("customers"), TableType: aws.String("EXTERNAL_TABLE"),
		Parameters:        map[string]string{"table_type": "ICEBERG", "metadata_location": "s3://lake/sales/customers/metadata/1.json"},
		StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/sales/customers/"), Columns: cols("customer_id bigint")}})
	e.createTable(t, "finance", gluetypes.TableInput{Name: aws.String("grand_livre_été"), Description: aws.String("Écritures comptables 日本語"),
		TableType: aws.String("EXTERNAL_TABLE"), StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols("montant decimal(12,2) -- en euros")}})
	e.createTable(t, "finance", gluetypes.TableInput{Name: aws.String("ledger.v2"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols("entry_id bigint")}})
	e.createTable(t, "scratch_tmp", gluetypes.TableInput{Name: aws.String("junk"), StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols("x int")}})
}

func (e *estate) workflow(t *testing.T, externalID string) *workflow.Workflow {
	t.Helper()
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: prod_glue
  serviceConnection:
    config:
      type: Glue
      awsConfig:
        awsAccessKeyId: AKIAVENDOR0000000000
        awsSecretAccessKey: vendor-secret-value
        awsRegion: us-east-1
        endPointURL: %s
        assumeRoleArn: %s
        assumeRoleExternalId: %s
  sourceConfig:
    config:
      type: DatabaseMetadata
      # Athena has its own tests; moto re-creates the primary workgroup on
      # every call, which would show as a change here.
      includeAthena: false
      databaseFilterPattern:
        excludes: [".*_tmp$"]
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: INFO
`, e.pager.URL(), e.cust.RoleARN, externalID)
	wf, err := workflow.Parse("glue.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		t.Fatalf("parse workflow: %v", err)
	}
	return wf
}

func openStore(t *testing.T) (catalog.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lakemap.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestGlueScanEndToEnd(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, dbPath := openStore(t)
	box, err := secrets.NewBox("test key")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	sum, err := ingest.Run(ctx, st, e.workflow(t, "vendor-5f0c2a8e"), ingest.Options{Secrets: box})
	if err != nil {
		t.Fatalf("ingest: %v (summary %+v)", err, sum)
	}
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status = %s, errors %v", sum.Status, sum.Errors)
	}
	wantAdded := map[catalog.Kind]int64{catalog.KindService: 1, catalog.KindDatabase: 2, catalog.KindTable: 6}
	for k, n := range wantAdded {
		if got := sum.Stats.Of(k).Added; got != n {
			t.Errorf("added %s = %d, want %d", k, got, n)
		}
	}
	// 4+1 orders columns + 5 nested (city, geo, lat, lon, sku, qty = 6) + 300 + 1 + 1 + 1 + 1.
	if got := sum.Stats.Of(catalog.KindColumn).Added; got != 5+6+300+4 {
		t.Errorf("added columns = %d, want %d", got, 5+6+300+4)
	}

	// Paging really happened: sales has 4 tables at 2 per page.
	if n := e.pager.Count("GetTables"); n < 3 {
		t.Errorf("GetTables calls = %d, want paged listing (>= 3: sales has two pages)", n)
	}
	if w := e.pager.WriteOps(); len(w) != 0 {
		t.Errorf("a ReadOnly scan sent write calls: %v", w)
	}

	orders, err := st.Get(ctx, "prod_glue.sales.orders")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"location": "s3://lake/sales/orders/", "format": "parquet", "owner": "data-platform", "isView": false, "tableType": "EXTERNAL_TABLE"} {
		if got := orders.Attrs[k]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("orders.%s = %v, want %v", k, got, want)
		}
	}
	if _, ok := orders.Attrs["partitionKeys"]; !ok {
		t.Error("orders has no partitionKeys")
	}
	for fqn, want := range map[string]string{
		"prod_glue.sales.orders.shipping.geo.lat": "double",
		"prod_glue.sales.orders.lines.sku":        "string",
		"prod_glue.sales.orders.dt":               "string",
		`prod_glue.finance."ledger.v2".entry_id`:  "bigint",
		"prod_glue.finance.grand_livre_été":       "",
	} {
		ent, err := st.Get(ctx, fqn)
		if err != nil {
			t.Errorf("Get(%s): %v", fqn, err)
			continue
		}
		if want != "" && ent.Attrs["dataType"] != want {
			t.Errorf("%s dataType = %v, want %s", fqn, ent.Attrs["dataType"], want)
		}
	}
	if v, _ := st.Get(ctx, "prod_glue.sales.big_orders"); v.Attrs["isView"] != true {
		t.Errorf("big_orders isView = %v", v.Attrs["isView"])
	}
	if c, _ := st.Get(ctx, "prod_glue.sales.customers"); c.Attrs["format"] != "iceberg" {
		t.Errorf("customers format = %v, want iceberg", c.Attrs["format"])
	}
	if _, err := st.Get(ctx, "prod_glue.scratch_tmp"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("filtered database was catalogued: err = %v", err)
	}

	for query, wantFQN := range map[string]string{
		"orders":         "prod_glue.sales.orders",
		"customer_email": "prod_glue.sales.orders.customer_email",
		"comptables":     "prod_glue.finance.grand_livre_été",
		"metric_150":     "prod_glue.sales.wide_metrics.metric_150",
	} {
		res, err := st.Search(ctx, catalog.SearchQuery{Text: query, Limit: 10})
		if err != nil {
			t.Fatalf("search %q: %v", query, err)
		}
		if !hasHit(res, wantFQN) {
			t.Errorf("search %q: %s not among %v", query, wantFQN, hitFQNs(res))
		}
	}

	// The connection is remembered; its secret never reaches the file in clear.
	conn, err := st.GetConnection(ctx, "prod_glue")
	if err != nil {
		t.Fatal(err)
	}
	if conn.RoleARN != e.cust.RoleARN || conn.ExternalID != "vendor-5f0c2a8e" || conn.AccessLevel != catalog.ReadOnly {
		t.Errorf("connection = %+v", conn)
	}
	st.Close()
	assertFileLacks(t, dbPath, "vendor-secret-value")
}

func TestRescanMarksDroppedTablesDeleted(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, _ := openStore(t)
	ctx := context.Background()
	wf := e.workflow(t, "vendor-5f0c2a8e")
	if _, err := ingest.Run(ctx, st, wf, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	e.deleteTable(t, "sales", "wide_metrics")
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Stats.Of(catalog.KindTable).Deleted; got != 1 {
		t.Errorf("deleted tables = %d, want 1", got)
	}
	if got := sum.Stats.Of(catalog.KindColumn).Deleted; got != 300 {
		t.Errorf("deleted columns = %d, want 300 (the dropped table's)", got)
	}
	if got := sum.Stats.Of(catalog.KindTable).Unchanged; got != 5 {
		t.Errorf("unchanged tables = %d, want 5", got)
	}
	ent, err := st.Get(ctx, "prod_glue.sales.wide_metrics")
	if err != nil || !ent.Deleted {
		t.Fatalf("wide_metrics deleted = %v, err %v", ent.Deleted, err)
	}
	h, err := st.History(ctx, "prod_glue.sales.wide_metrics", 10)
	if err != nil || len(h) == 0 || h[0].Type != catalog.ChangeDeleted {
		t.Errorf("history = %+v, err %v; want newest entry deleted", h, err)
	}
	res, err := st.Search(ctx, catalog.SearchQuery{Text: "wide_metrics"})
	if err != nil || hasHit(res, "prod_glue.sales.wide_metrics") {
		t.Errorf("deleted table still found by default search: %v %v", hitFQNs(res), err)
	}
}

func TestAccessDeniedOnOneDatabaseDeletesNothing(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, _ := openStore(t)
	ctx := context.Background()
	wf := e.workflow(t, "vendor-5f0c2a8e")
	if _, err := ingest.Run(ctx, st, wf, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	e.deleteTable(t, "sales", "orders") // would be a deletion, if sales could be listed
	e.pager.FailWhen(func(op string, body []byte) *moto.Fault {
		if op == "GetTables" && bytes.Contains(body, []byte(`"sales"`)) {
			return &moto.Fault{Code: "AccessDeniedException", Status: 400, Message: "not authorized to perform glue:GetTables"}
		}
		return nil
	})
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if err != nil {
		t.Fatalf("a warning must not fail the run: %v", err)
	}
	if sum.Status != catalog.ScanPartial || len(sum.Errors) != 1 {
		t.Fatalf("status = %s, errors %v; want partial with one error", sum.Status, sum.Errors)
	}
	if !strings.Contains(sum.Errors[0], "sales") || !strings.Contains(strings.ToLower(sum.Errors[0]), "access denied") {
		t.Errorf("error %q does not name the database and the cause", sum.Errors[0])
	}
	for k, c := range sum.Stats {
		if c.Deleted != 0 {
			t.Errorf("%d %s entities deleted during a scan that hit AccessDenied", c.Deleted, k)
		}
	}
	if ent, err := st.Get(ctx, "prod_glue.sales.orders"); err != nil || ent.Deleted {
		t.Errorf("orders deleted=%v err=%v; want kept as it was", ent.Deleted, err)
	}
}

func TestAccessDeniedOnDatabasesFailsScanAndKeepsCatalog(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, _ := openStore(t)
	ctx := context.Background()
	wf := e.workflow(t, "vendor-5f0c2a8e")
	if _, err := ingest.Run(ctx, st, wf, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Stats(ctx, "prod_glue")
	e.pager.FailNext("GetDatabases", 1, "AccessDeniedException", 400)
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if !apperr.Is(err, apperr.AccessDenied) {
		t.Fatalf("err = %v, want AccessDenied", err)
	}
	if len(apperr.AdviceOf(err)) == 0 {
		t.Error("AccessDenied carries no advice")
	}
	if sum.Status != catalog.ScanFailed {
		t.Errorf("status = %s, want failed", sum.Status)
	}
	after, _ := st.Stats(ctx, "prod_glue")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("catalog changed by a failed scan: %v -> %v", before, after)
	}
}

func TestThrottlingStormEndsWithSameCatalog(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, _ := openStore(t)
	ctx := context.Background()
	wf := e.workflow(t, "vendor-5f0c2a8e")
	if _, err := ingest.Run(ctx, st, wf, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	e.pager.FailWhen(func(op string, body []byte) *moto.Fault {
		if op != "GetTables" && op != "GetDatabases" {
			return nil
		}
		if calls.Add(1)%3 == 0 {
			return &moto.Fault{Code: "ThrottlingException", Status: 400, Message: "Rate exceeded"}
		}
		return nil
	})
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("scan under throttling: status %s err %v errors %v", sum.Status, err, sum.Errors)
	}
	for k, c := range sum.Stats {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("%s changed under throttling: %+v", k, *c)
		}
	}
}

func hasHit(res catalog.SearchResult, fqn string) bool {
	for _, h := range res.Hits {
		if h.FQN == fqn {
			return true
		}
	}
	return false
}

func hitFQNs(res catalog.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.FQN
	}
	return out
}

func assertFileLacks(t *testing.T, dir, needle string) {
	t.Helper()
	matches, _ := filepath.Glob(dir + "*")
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		if bytes.Contains(data, []byte(needle)) {
			t.Errorf("%s contains a secret in clear text", m)
		}
	}
}

func TestRescanWithoutChangesChangesNothing(t *testing.T) {
	e := newEstate(t)
	e.seed(t)
	st, _ := openStore(t)
	ctx := context.Background()
	wf := e.workflow(t, "vendor-5f0c2a8e")
	if _, err := ingest.Run(ctx, st, wf, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range sum.Stats {
		if c.Added+c.Updated+c.Deleted != 0 {
			ch, _ := st.Changes(ctx, catalog.ChangesQuery{Service: "prod_glue", Kinds: []catalog.Kind{k}, Limit: 3})
			t.Errorf("%s changed on an identical rescan: %+v; latest changes %+v", k, *c, ch)
		}
	}
}
