package mcpserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
)

// seedFacts adds a service "facts" with a partitioned table, a Presto view,
// a workgroup and an Athena query that wrote the view's base table.
func seedFacts(t testing.TB, e *env) {
	t.Helper()
	const svc = "facts"
	db := catalog.Child(svc, "web")
	tbl := catalog.Child(db, "clicks")
	view := catalog.Child(db, "clicks_v")
	wg := catalog.Child(svc, "primary")
	q := catalog.Child(wg, "q-123")
	newest := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	ents := []catalog.Entity{
		{FQN: svc, Kind: catalog.KindService, Service: svc, Name: svc, Attrs: map[string]any{"sourceType": "glue"}},
		{FQN: db, Kind: catalog.KindDatabase, Service: svc, ParentFQN: svc, Name: "web", Attrs: map[string]any{"locationUri": "s3://web/"}},
		{FQN: tbl, Kind: catalog.KindTable, Service: svc, ParentFQN: db, Name: "clicks", Attrs: map[string]any{
			"tableType": "EXTERNAL_TABLE", "partitionCount": int64(3), "newestPartition": "dt=2025-03-03/region=eu",
			"newestPartitionCreated": newest.Format(time.RFC3339),
			"partitionKeys":          []any{map[string]any{"name": "dt", "type": "string"}, map[string]any{"name": "region", "type": "string"}}}},
		{FQN: view, Kind: catalog.KindTable, Service: svc, ParentFQN: db, Name: "clicks_v", Attrs: map[string]any{
			"tableType": "VIRTUAL_VIEW", "isView": true, "viewOriginalText": sqlparse.EncodePrestoView("SELECT * FROM web.clicks WHERE region = 'eu'", "awsdatacatalog", "web")}},
		{FQN: wg, Kind: catalog.KindWorkgroup, Service: svc, ParentFQN: svc, Name: "primary", Attrs: map[string]any{"state": "ENABLED"}},
		{FQN: q, Kind: catalog.KindQuery, Service: svc, ParentFQN: wg, Name: "q-123", Attrs: map[string]any{
			"query": "INSERT INTO web.clicks SELECT * FROM web.raw", "catalog": "awsdatacatalog", "workgroup": "primary"}},
	}
	for i, p := range []string{"dt=2025-03-01/region=eu", "dt=2025-03-02/region=us", "dt=2025-03-03/region=eu"} {
		created := newest.Add(time.Duration(i-2) * 24 * time.Hour)
		ents = append(ents, catalog.Entity{FQN: catalog.Child(tbl, p), Kind: catalog.KindPartition, Service: svc, ParentFQN: tbl, Name: p,
			SourceCreated: &created, Attrs: map[string]any{"location": "s3://web/clicks/" + p + "/"}})
	}
	ents = append(ents, table(svc, db, "raw", "raw clicks", []col{{"id", "bigint", ""}}, "")...)
	upsert(t, e.store, svc, ents)
	if err := e.store.ReplaceEdges(e.ctx, 1, catalog.EdgeQuery, []string{q}, []catalog.Edge{
		{From: catalog.Child(db, "raw"), To: tbl, Kind: catalog.EdgeQuery, Origin: q, Evidence: "query q-123", Service: svc, At: newest}}); err != nil {
		t.Fatal(err)
	}
}

func TestFactsWhereAgentsLook(t *testing.T) {
	e := newCatalogEnv(t)
	seedFacts(t, e)
	cs := connectInMemory(t, e, Scope{Name: "test"})

	t.Run("schema has partitions", func(t *testing.T) {
		var out SchemaOutput
		res := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "facts.web.clicks"}, &out)
		if out.Partitions != 3 || out.Newest != "dt=2025-03-03/region=eu" || fmt.Sprint(out.PartitionKeys) != "[dt region]" {
			t.Errorf("schema = %+v", out)
		}
		if !strings.Contains(text(res), "partitions: 3; newest dt=2025-03-03/region=eu") {
			t.Errorf("text lacks partitions: %s", text(res))
		}
	})
	t.Run("view SQL decoded", func(t *testing.T) {
		var out SchemaOutput
		mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "facts.web.clicks_v"}, &out)
		if out.ViewSQL != "SELECT * FROM web.clicks WHERE region = 'eu'" {
			t.Errorf("viewSql = %q", out.ViewSQL)
		}
	})
	t.Run("compact schema", func(t *testing.T) {
		var full, compact SchemaOutput
		r1 := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.wide"}, &full)
		r2 := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.wide", "compact": true}, &compact)
		if len(compact.Columns) <= len(full.Columns) || compact.Columns[1].Comment != "" || compact.Columns[1].Type != "string" {
			t.Errorf("compact %d columns vs full %d: %+v", len(compact.Columns), len(full.Columns), compact.Columns[1])
		}
		if resultSize(r2) > 2*(answerJSONBudget+answerTextBudget) || resultSize(r1) > 2*(answerJSONBudget+answerTextBudget) {
			t.Errorf("sizes %d / %d exceed the budget", resultSize(r1), resultSize(r2))
		}
	})
	t.Run("explicit limit pages within the budget", func(t *testing.T) {
		var out SchemaOutput
		res := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.wide", "limit": 1000}, &out)
		if !out.Truncated || out.NextCursor == "" || len(out.Columns) >= 1000 {
			t.Errorf("limit 1000 gave %d columns, truncated %v", len(out.Columns), out.Truncated)
		}
		if n := resultSize(res); n > 2*(answerJSONBudget+answerTextBudget) {
			t.Errorf("limit 1000 answered %d bytes", n)
		}
	})
	t.Run("lineage edge has SQL and catalog", func(t *testing.T) {
		var out LineageOutput
		res := mustCall(t, cs, "get_lineage", map[string]any{"fqn": "facts.web.clicks", "direction": "upstream"}, &out)
		if len(out.Edges) != 1 || out.Edges[0].SQL != "INSERT INTO web.clicks SELECT * FROM web.raw" || out.Edges[0].Catalog != "awsdatacatalog" {
			t.Errorf("edges = %+v", out.Edges)
		}
		if !strings.Contains(text(res), "SQL: INSERT INTO") {
			t.Errorf("text lacks SQL: %s", text(res))
		}
	})
	t.Run("list_tables total", func(t *testing.T) {
		var out ListOutput
		mustCall(t, cs, "list_entities", map[string]any{"kind": "table", "parent": "facts.web", "limit": 1}, &out)
		if out.Total == nil || *out.Total != 3 || !out.Truncated {
			t.Errorf("list_tables = %+v", out)
		}
	})
	t.Run("list_databases total and table count", func(t *testing.T) {
		var out ListOutput
		mustCall(t, cs, "list_entities", map[string]any{"kind": "database", "connection": "facts"}, &out)
		if out.Total == nil || *out.Total != 1 || len(out.Items) != 1 {
			t.Fatalf("list_databases = %+v", out)
		}
		if f := out.Items[0].Facts; fmt.Sprint(f["tableCount"]) != "3" || f["locationUri"] != "s3://web/" {
			t.Errorf("facts = %v", f)
		}
	})
	t.Run("list_workgroups", func(t *testing.T) {
		var out ListOutput
		mustCall(t, cs, "list_entities", map[string]any{"kind": "workgroup"}, &out)
		if out.Total == nil || *out.Total != 1 || out.Items[0].FQN != "facts.primary" {
			t.Errorf("list_workgroups = %+v", out)
		}
	})
	t.Run("list_partitions", func(t *testing.T) {
		for _, tc := range []struct {
			filter string
			want   []string
		}{
			{"", []string{"dt=2025-03-03/region=eu", "dt=2025-03-02/region=us", "dt=2025-03-01/region=eu"}},
			{"region=eu", []string{"dt=2025-03-03/region=eu", "dt=2025-03-01/region=eu"}},
			{"dt=2025-03-0 region=us", []string{"dt=2025-03-02/region=us"}},
			{"dt=1999", nil},
		} {
			var out PartitionsOutput
			mustCall(t, cs, "list_partitions", map[string]any{"fqn": "facts.web.clicks", "filter": tc.filter}, &out)
			var got []string
			for _, p := range out.Partitions {
				got = append(got, p.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || out.Total != len(tc.want) {
				t.Errorf("filter %q: %v (total %d), want %v", tc.filter, got, out.Total, tc.want)
			}
		}
		wantToolError(t, call(t, cs, "list_partitions", map[string]any{"fqn": "facts.web.clicks", "filter": "nonsense"}, nil), "invalid", "key=value")
		wantToolError(t, call(t, cs, "list_partitions", map[string]any{"fqn": "facts.web"}, nil), "invalid", "is a database")
	})
	t.Run("recent changes count the window", func(t *testing.T) {
		var out ChangesOutput
		res := mustCall(t, cs, "get_recent_changes", map[string]any{"limit": 2}, &out)
		if out.Total <= 2 || out.Counts["added"] != out.Total || len(out.Changes) != 2 {
			t.Errorf("changes total %d counts %v page %d", out.Total, out.Counts, len(out.Changes))
		}
		if !strings.Contains(text(res), fmt.Sprintf("%d changes since", out.Total)) {
			t.Errorf("text: %s", text(res))
		}
	})
}

func TestSearchAsAgentsWrite(t *testing.T) {
	e := newCatalogEnv(t)
	seedFacts(t, e)
	cs := connectInMemory(t, e, Scope{Name: "test"})
	for _, tc := range []struct {
		name  string
		args  map[string]any
		first string
	}{
		{"inside a word", map[string]any{"query": "rders"}, "prod.sales.orders"},
		{"partial words", map[string]any{"query": "orders nonexistentword"}, "prod.sales.orders"},
		{"query SQL", map[string]any{"query": "INSERT clicks", "kinds": "query_execution"}, "facts.primary.q-123"},
		{"empty query lists a kind", map[string]any{"kinds": []string{"workgroup"}}, "facts.primary"},
		{"a kind word", map[string]any{"query": "workgroups"}, "facts.primary"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out SearchOutput
			mustCall(t, cs, "search_catalog", tc.args, &out)
			if len(out.Hits) == 0 || out.Hits[0].FQN != tc.first {
				t.Fatalf("hits = %+v, want %s first", out.Hits, tc.first)
			}
			for i := 1; i < len(out.Hits); i++ {
				if out.Hits[i].Score > out.Hits[i-1].Score {
					t.Errorf("not in score order: %+v", out.Hits)
				}
			}
		})
	}
	wantToolError(t, call(t, cs, "search_catalog", map[string]any{"query": ""}, nil), "invalid", "query is required")
}
