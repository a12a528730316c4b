package lineage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

// staticSource emits fixed entities and completes nothing.
type staticSource []catalog.Entity

func (s staticSource) Scan(ctx context.Context, sink source.Sink) error {
	return sink.Emit(ctx, s...)
}

func scanAndBuild(t *testing.T, store catalog.Store, service, sourceType string, entities []catalog.Entity) lineage.Report {
	t.Helper()
	sum, err := (&scan.Runner{Store: store}).Run(context.Background(), service, sourceType, staticSource(entities))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&lineage.Builder{Entities: store, Lineage: store, Sources: all.NewRegistry()}).AfterScan(context.Background(), service, sum.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func ent(kind catalog.Kind, fqn string, attrs map[string]any) catalog.Entity {
	parts, _ := catalog.SplitFQN(fqn)
	parent, _ := catalog.ParentFQN(fqn)
	return catalog.Entity{FQN: fqn, Kind: kind, Service: parts[0], ParentFQN: parent, Name: parts[len(parts)-1], Attrs: attrs}
}

func table(fqn, location string) catalog.Entity {
	attrs := map[string]any{"isView": false}
	if location != "" {
		attrs["location"] = location
	}
	return ent(catalog.KindTable, fqn, attrs)
}

func view(fqn, text string) catalog.Entity {
	return ent(catalog.KindTable, fqn, map[string]any{"isView": true, "tableType": "VIRTUAL_VIEW", "viewOriginalText": text})
}

func query(fqn, sql, database string, at time.Time) catalog.Entity {
	return ent(catalog.KindQuery, fqn, map[string]any{
		"query": sql, "state": "SUCCEEDED", "database": database, "catalog": "AwsDataCatalog", "statementType": "DML",
		"completed": at.UTC().Format(time.RFC3339Nano),
	})
}

// glueLake is a glue service: raw.orders is loaded into stage.orders by a
// CTAS, stage.orders into mart.daily by an INSERT, and mart.daily_v views
// mart.daily. One view's SQL does not parse.
func glueLake() []catalog.Entity {
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	return []catalog.Entity{
		ent(catalog.KindService, "lake", map[string]any{"sourceType": "glue"}),
		ent(catalog.KindDatabase, "lake.raw", nil),
		ent(catalog.KindDatabase, "lake.stage", nil),
		ent(catalog.KindDatabase, "lake.mart", nil),
		table("lake.raw.orders", "s3://landing/raw/orders/"),
		table("lake.stage.orders", "s3://lake-data/stage/orders"),
		table("lake.mart.daily", ""),
		view("lake.mart.daily_v", sqlparse.EncodePrestoView(`SELECT d.*, c.name FROM daily d JOIN "Raw"."Customers" c ON c.id = d.cid`, "awsdatacatalog", "mart")),
		view("lake.mart.broken_v", sqlparse.EncodePrestoView("SELECT * FROM (SELECT 1", "awsdatacatalog", "mart")),
		view("lake.mart.hive_v", "SELECT * FROM stage.orders UNION ALL SELECT * FROM other_catalog.x.y"),
		ent(catalog.KindWorkgroup, "lake.primary", nil),
		query("lake.primary.q1", "CREATE TABLE stage.orders WITH (format='PARQUET') AS SELECT * FROM raw.orders WHERE ok", "raw", at),
		query("lake.primary.q2", "INSERT INTO daily SELECT dt, count(*) FROM stage.orders GROUP BY dt", "mart", at.Add(time.Hour)),
		query("lake.primary.q3", "INSERT INTO daily SELECT dt, count(*) FROM stage.orders GROUP BY dt", "mart", at.Add(2*time.Hour)),
		query("lake.primary.q4", "SELECT * FROM mart.daily", "mart", at),
		query("lake.primary.q5", "SELEKT garbage FROM", "mart", at),
	}
}

func s3Lake() []catalog.Entity {
	return []catalog.Entity{
		ent(catalog.KindService, "s3", map[string]any{"sourceType": "s3"}),
		ent(catalog.KindBucket, "s3.landing", nil),
		ent(catalog.KindContainer, `s3.landing.raw`, map[string]any{"path": "raw"}),
		ent(catalog.KindContainer, `s3.landing.raw.raw/orders`, map[string]any{"path": "raw/orders/"}),
		ent(catalog.KindBucket, "s3.lake-data", nil),
	}
}

func edgeLines(edges []catalog.Edge) []string {
	var out []string
	for _, e := range edges {
		out = append(out, fmt.Sprintf("%d %s -> %s %s", e.Hop, e.From, e.To, e.Kind))
	}
	sort.Strings(out)
	return out
}

func TestLineageThreeHopsAndStorage(t *testing.T) {
	for _, order := range []string{"glue first", "s3 first"} {
		t.Run(order, func(t *testing.T) {
			store := sqlitetest.Open(t)
			var rep lineage.Report
			if order == "glue first" {
				rep = scanAndBuild(t, store, "lake", "glue", glueLake())
				scanAndBuild(t, store, "s3", "s3", s3Lake())
			} else {
				scanAndBuild(t, store, "s3", "s3", s3Lake())
				rep = scanAndBuild(t, store, "lake", "glue", glueLake())
			}
			if rep.Views != 3 || rep.ViewsUnparsed != 1 || rep.Queries != 5 || rep.QueriesUnparsed != 1 || rep.QueriesWriting != 3 {
				t.Errorf("report = %+v", rep)
			}
			if len(rep.Problems) != 2 || !strings.Contains(rep.Problems[0]+rep.Problems[1], "view lake.mart.broken_v") {
				t.Errorf("problems = %q", rep.Problems)
			}
			edges, err := store.Edges(context.Background(), "lake.mart.daily_v", catalog.Upstream, 4)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"1 lake.mart.daily -> lake.mart.daily_v view",
				"1 lake.raw.customers -> lake.mart.daily_v view",
				"2 lake.stage.orders -> lake.mart.daily query",
				"2 lake.stage.orders -> lake.mart.daily query",
				"3 lake.raw.orders -> lake.stage.orders query",
				"3 s3.lake-data -> lake.stage.orders storage",
				`4 s3.landing.raw.raw/orders -> lake.raw.orders storage`,
			}
			if got := edgeLines(edges); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("upstream of daily_v:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			down, err := store.Edges(context.Background(), `s3.landing.raw.raw/orders`, catalog.Downstream, 0)
			if err != nil {
				t.Fatal(err)
			}
			wantDown := []string{
				`1 s3.landing.raw.raw/orders -> lake.raw.orders storage`,
				"2 lake.raw.orders -> lake.stage.orders query",
				"3 lake.stage.orders -> lake.mart.daily query",
				"3 lake.stage.orders -> lake.mart.daily query",
				"3 lake.stage.orders -> lake.mart.hive_v view",
			}
			if got := edgeLines(down); strings.Join(got, "\n") != strings.Join(wantDown, "\n") {
				t.Errorf("downstream of the container:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantDown, "\n"))
			}
		})
	}
}

func TestLineageReplacedOnRescan(t *testing.T) {
	store := sqlitetest.Open(t)
	scanAndBuild(t, store, "s3", "s3", s3Lake())
	scanAndBuild(t, store, "lake", "glue", glueLake())

	// The view now reads another table, the raw table moved, and the S3
	// container of its old place is gone.
	next := glueLake()
	for i, e := range next {
		switch e.FQN {
		case "lake.mart.daily_v":
			next[i] = view(e.FQN, sqlparse.EncodePrestoView("SELECT * FROM stage.orders", "awsdatacatalog", "mart"))
		case "lake.raw.orders":
			next[i] = table(e.FQN, "s3://landing/raw/")
		}
	}
	scanAndBuild(t, store, "lake", "glue", next)
	edges, err := store.Edges(context.Background(), "lake.mart.daily_v", catalog.Upstream, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := edgeLines(edges); strings.Join(got, ",") != "1 lake.stage.orders -> lake.mart.daily_v view" {
		t.Errorf("view edges after the change: %v", got)
	}
	edges, _ = store.Edges(context.Background(), "lake.raw.orders", catalog.Upstream, 1)
	if got := edgeLines(edges); strings.Join(got, ",") != "1 s3.landing.raw -> lake.raw.orders storage" {
		t.Errorf("storage edges after the move: %v", got)
	}
}

func TestLineageAthenaLayout(t *testing.T) {
	store := sqlitetest.Open(t)
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	scanAndBuild(t, store, "ath", "athena", []catalog.Entity{
		ent(catalog.KindService, "ath", map[string]any{"sourceType": "athena"}),
		ent(catalog.KindDataCatalog, "ath.AwsDataCatalog", map[string]any{"type": "GLUE"}),
		ent(catalog.KindDataCatalog, "ath.partner", map[string]any{"type": "GLUE"}),
		ent(catalog.KindDatabase, "ath.AwsDataCatalog.sales", nil),
		ent(catalog.KindDatabase, "ath.partner.shared", nil),
		table("ath.AwsDataCatalog.sales.orders", ""),
		table("ath.partner.shared.customers", ""),
		ent(catalog.KindWorkgroup, "ath.primary", nil),
		query("ath.primary.q1", "CREATE TABLE sales.enriched AS SELECT * FROM orders o JOIN partner.shared.customers c ON o.c = c.id JOIN lambda_cat.x.y z ON true", "sales", at),
	})
	edges, err := store.Edges(context.Background(), "ath.AwsDataCatalog.sales.enriched", catalog.Upstream, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "1 ath.AwsDataCatalog.sales.orders -> ath.AwsDataCatalog.sales.enriched query,1 ath.partner.shared.customers -> ath.AwsDataCatalog.sales.enriched query"
	if got := strings.Join(edgeLines(edges), ","); got != want {
		t.Errorf("edges = %s\nwant    %s", got, want)
	}
}

func TestLineageCommand(t *testing.T) {
	store := sqlitetest.Open(t)
	scanAndBuild(t, store, "s3", "s3", s3Lake())
	scanAndBuild(t, store, "lake", "glue", glueLake())
	// Each run opens the catalog file anew, as the CLI does: the command
	// closes what it opened.
	open := func(ctx context.Context) (lineage.Stores, error) {
		s, err := sqlite.Open(ctx, store.Path())
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	run := func(args ...string) (string, error) {
		cmd := lineage.NewCommand(open, all.NewRegistry())
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.ExecuteContext(context.Background())
		return out.String(), err
	}
	out, err := run("lake.mart.daily", "--upstream", "--depth", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Upstream lineage of lake.mart.daily (depth 2):",
		"lake.stage.orders  ->  lake.mart.daily",
		"query q3 (insert) (+1 more) at 2024-05-01T12:00:00Z",
		"lake.raw.orders",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = run(`lake.mart."daily"`, "--downstream", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res lineage.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if res.FQN != "lake.mart.daily" || res.Kind != catalog.KindTable || len(res.Edges) != 1 || res.Edges[0].To != "lake.mart.daily_v" {
		t.Errorf("json result = %+v", res)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"lake.mart.daily", "--upstream", "--downstream"}, "--upstream and --downstream exclude each other"},
		{[]string{"lake.mart.daily", "--depth", "0"}, "--depth must be 1-20, got 0"},
		{[]string{`lake."mart`}, "unbalanced double quote"},
		{[]string{"lake.mart.nope"}, "no entity lake.mart.nope in the catalog"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := run(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}

	out, err = run("rebuild", "lake")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "queries: 5 read, 3 writing a table, 1 not parsed") {
		t.Errorf("rebuild output:\n%s", out)
	}
}
