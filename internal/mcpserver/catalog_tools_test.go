package mcpserver

import (
	"fmt"
	"strings"
	"testing"
)

// TestCatalogTools calls every catalog tool over both transports.
func TestCatalogTools(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newCatalogEnv(t)
			cs := tr.connect(t, e, Scope{Name: "test"})

			t.Run("list_connections", func(t *testing.T) {
				var out ConnectionsOutput
				res := mustCall(t, cs, "list_connections", nil, &out)
				if out.Total != 4 || len(out.Connections) != 4 {
					t.Fatalf("connections = %+v", out)
				}
				for _, c := range out.Connections {
					if want := c.AccessLevel == "ReadWrite"; c.WriteTools != want {
						t.Errorf("%s: writeTools = %v, want %v", c.Name, c.WriteTools, want)
					}
				}
				if strings.Contains(text(res), "test\"") || strings.Contains(fmt.Sprint(res.StructuredContent), "awsSecretAccessKey") {
					t.Errorf("list_connections shows secrets: %s", text(res))
				}
			})

			t.Run("search_catalog", func(t *testing.T) {
				var out SearchOutput
				res := mustCall(t, cs, "search_catalog", map[string]any{"query": "orders", "connection": connGlue, "kinds": []string{"table"}}, &out)
				if len(out.Hits) == 0 || out.Hits[0].FQN != "prod.sales.orders" {
					t.Fatalf("hits = %+v", out.Hits)
				}
				for _, h := range out.Hits {
					if h.Connection != connGlue || h.Kind != "table" {
						t.Errorf("hit outside the filter: %+v", h)
					}
				}
				if !strings.Contains(text(res), "prod.sales.orders") {
					t.Errorf("text lacks the hit: %s", text(res))
				}
			})

			t.Run("search_catalog pages", func(t *testing.T) {
				var p1, p2 SearchOutput
				mustCall(t, cs, "search_catalog", map[string]any{"query": "wide column comment", "limit": 5}, &p1)
				if len(p1.Hits) != 5 || !p1.Truncated || p1.NextCursor == "" || p1.Total <= 5 {
					t.Fatalf("page 1 = %d hits, truncated %v, total %d", len(p1.Hits), p1.Truncated, p1.Total)
				}
				mustCall(t, cs, "search_catalog", map[string]any{"query": "wide column comment", "limit": 5, "cursor": p1.NextCursor}, &p2)
				if len(p2.Hits) == 0 || p2.Hits[0].FQN == p1.Hits[0].FQN {
					t.Errorf("page 2 repeats page 1: %v / %v", p1.Hits[0].FQN, p2.Hits)
				}
			})

			t.Run("get_entity table", func(t *testing.T) {
				var out EntityOutput
				mustCall(t, cs, "get_entity", map[string]any{"fqn": "prod.sales.orders"}, &out)
				if out.Entity.Kind != "table" || len(out.Children) != 5 || out.Children[0].Name != "order_id" || out.Truncated {
					t.Fatalf("get_entity = %+v", out)
				}
			})

			t.Run("get_entity wide table pages columns", func(t *testing.T) {
				var out EntityOutput
				mustCall(t, cs, "get_entity", map[string]any{"fqn": "prod.sales.wide", "limit": 100}, &out)
				if out.ChildrenTotal == nil || *out.ChildrenTotal != wideColumns || !out.Truncated || len(out.Children) == 0 || len(out.Children) > 100 {
					t.Fatalf("wide: %d children of %v, truncated %v", len(out.Children), out.ChildrenTotal, out.Truncated)
				}
				seen := len(out.Children)
				for out.NextCursor != "" {
					next := out.NextCursor
					out = EntityOutput{}
					mustCall(t, cs, "get_entity", map[string]any{"fqn": "prod.sales.wide", "limit": 1000, "cursor": next}, &out)
					seen += len(out.Children)
				}
				if seen != wideColumns {
					t.Errorf("paged through %d columns, want %d", seen, wideColumns)
				}
			})

			t.Run("get_entity quoting", func(t *testing.T) {
				for _, fqn := range []string{`prod.sales."daily.totals"`, `"prod"."sales"."daily.totals"`, `prod.sales.daily.totals`, `"prod.sales.orders"`, ` prod.sales.orders `} {
					var out EntityOutput
					mustCall(t, cs, "get_entity", map[string]any{"fqn": fqn}, &out)
					if out.Entity.Kind != "table" {
						t.Errorf("%s: kind %s", fqn, out.Entity.Kind)
					}
				}
			})

			t.Run("list_databases", func(t *testing.T) {
				var out ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "database", "connection": connGlue}, &out)
				if len(out.Items) != 1 || out.Items[0].FQN != "prod.sales" || out.Items[0].Facts["tableCount"] == nil {
					t.Fatalf("databases = %+v", out.Items)
				}
				out = ListOutput{}
				mustCall(t, cs, "list_entities", map[string]any{"kind": "database", "connection": ""}, &out)
				if len(out.Items) != 2 {
					t.Errorf("databases of every connection = %+v", out.Items)
				}
			})

			t.Run("list_tables", func(t *testing.T) {
				// Plural and other case are forgiven.
				var plural ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "Tables", "parent": "prod.sales"}, &plural)
				if len(plural.Items) != 3 {
					t.Errorf("kind Tables = %+v", plural)
				}
				var out ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "table", "parent": "prod.sales", "limit": 2}, &out)
				if len(out.Items) != 2 || !out.Truncated || out.Total == nil || *out.Total != 3 {
					t.Fatalf("tables page 1 = %+v", out)
				}
				var rest ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "table", "parent": "prod.sales", "limit": 2, "cursor": out.NextCursor}, &rest)
				if len(rest.Items) != 1 || rest.Truncated {
					t.Errorf("tables page 2 = %+v", rest)
				}
			})

			t.Run("get_table_schema", func(t *testing.T) {
				var out SchemaOutput
				res := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.orders"}, &out)
				if out.ColumnsTotal != 5 || len(out.Columns) != 5 || out.Columns[2].Type != "decimal(10,2)" || len(out.PartitionKeys) != 1 || out.Truncated {
					t.Fatalf("schema = %+v", out)
				}
				if !strings.Contains(text(res), "amount decimal(10,2)") {
					t.Errorf("schema text: %s", text(res))
				}
				var wide SchemaOutput
				mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.wide"}, &wide)
				if len(wide.Columns) < 50 || wide.Columns[0].Name != "c0000" || !wide.Truncated || wide.ColumnsTotal != wideColumns {
					t.Errorf("wide schema page: %d columns from %v, truncated %v, total %d", len(wide.Columns), wide.Columns[:1], wide.Truncated, wide.ColumnsTotal)
				}
			})

			t.Run("list_buckets and list_containers", func(t *testing.T) {
				var b ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "bucket", "connection": connS3}, &b)
				if len(b.Items) != 1 || b.Items[0].Name != "landing" {
					t.Fatalf("buckets = %+v", b.Items)
				}
				var c ListOutput
				mustCall(t, cs, "list_entities", map[string]any{"kind": "container", "parent": b.Items[0].FQN}, &c)
				if len(c.Items) != 1 || c.Items[0].Facts["format"] != "parquet" {
					t.Fatalf("containers = %+v", c.Items)
				}
			})

			t.Run("get_recent_changes", func(t *testing.T) {
				var out ChangesOutput
				mustCall(t, cs, "get_recent_changes", map[string]any{"since": "1h", "connection": connGlue, "kinds": []string{"table", "column"}, "limit": 10}, &out)
				// Counts cover the whole window, not the page.
				if len(out.Changes) != 10 || !out.Truncated || out.Counts["added"] != out.Total || out.Total <= 10 || !out.AtLeast {
					t.Fatalf("changes = %d, truncated %v, counts %v", len(out.Changes), out.Truncated, out.Counts)
				}
				schema := 0
				for _, c := range out.Changes {
					if c.SchemaChange {
						schema++
					}
				}
				if schema == 0 {
					t.Errorf("no column change flagged schemaChange: %+v", out.Changes)
				}
			})
		})
	}
}

// TestCatalogBadInput checks each refusal's message.
func TestCatalogBadInput(t *testing.T) {
	e := newCatalogEnv(t)
	cs := connectInMemory(t, e, Scope{Name: "test"})
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"unknown FQN suggests", "get_entity", map[string]any{"fqn": "prod.sales.ordrs"}, []string{"not_found", `no entity "prod.sales.ordrs"`, "did you mean", "prod.sales.orders"}},
		{"unknown FQN under a known parent", "get_table_schema", map[string]any{"fqn": "prod.sales.zzzzqqq"}, []string{"not_found", `database "prod.sales" exists`}},
		{"empty FQN", "get_entity", map[string]any{"fqn": ""}, []string{"invalid", "fqn is required"}},
		{"bad quoting", "get_entity", map[string]any{"fqn": `prod."sales`}, []string{"invalid", "unbalanced double quote"}},
		{"unknown connection", "list_entities", map[string]any{"kind": "database", "connection": "prdo"}, []string{"not_found", `unknown connection "prdo"`, `did you mean "prod"`}},
		{"negative limit", "search_catalog", map[string]any{"query": "orders", "limit": -1}, []string{"invalid", "limit -1: must be a positive number"}},
		{"negative depth", "get_recent_changes", map[string]any{"limit": -5}, []string{"invalid", "limit -5"}},
		{"empty query", "search_catalog", map[string]any{"query": ""}, []string{"invalid", "query is required"}},
		{"unknown kind", "search_catalog", map[string]any{"query": "x", "kinds": []string{"tabel"}}, []string{"invalid", `unknown kind "tabel"`}},
		{"forged cursor", "list_entities", map[string]any{"kind": "table", "parent": "prod.sales", "cursor": "garbage!"}, []string{"invalid", "cursor"}},
		{"schema of a database", "get_table_schema", map[string]any{"fqn": "prod.sales"}, []string{"invalid", "is a database, not a table"}},
		{"unknown kind", "list_entities", map[string]any{"kind": "column"}, []string{"invalid", `kind "column"`, "database, table, bucket, container, workgroup", "search_catalog"}},
		{"tables without parent", "list_entities", map[string]any{"kind": "table"}, []string{"invalid", "give parent", "kind database lists those"}},
		{"databases under a parent", "list_entities", map[string]any{"kind": "database", "parent": "prod"}, []string{"invalid", "give connection, not parent"}},
		{"containers with a connection", "list_entities", map[string]any{"kind": "container", "parent": "lake.landing", "connection": "lake"}, []string{"invalid", "give parent alone"}},
		{"tables of a table", "list_entities", map[string]any{"kind": "table", "parent": "prod.sales.orders"}, []string{"invalid", "is a table; tables live under a database"}},
		{"bad since", "get_recent_changes", map[string]any{"since": "yesterday"}, []string{"invalid", `since "yesterday"`}},
		{"unknown argument", "get_entity", map[string]any{"fqn": "prod.sales.orders", "colums": 3}, []string{"invalid", `get_entity takes no argument "colums"`}},
		{"misspelt argument", "get_entity", map[string]any{"fqn": "prod.sales.orders", "limt": 3}, []string{"invalid", `did you mean "limit"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantToolError(t, call(t, cs, tc.tool, tc.args, nil), tc.want...)
		})
	}
}

// TestHugeLimitsClamped: a limit above the maximum is served at the
// maximum, and the answer still fits the hard budget.
func TestHugeLimitsClamped(t *testing.T) {
	e := newCatalogEnv(t)
	cs := connectInMemory(t, e, Scope{Name: "test"})
	var out SchemaOutput
	res := mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.wide", "limit": 1_000_000}, &out)
	if len(out.Columns) == 0 || len(out.Columns) > 1000 || !out.Truncated || out.NextCursor == "" {
		t.Fatalf("clamped schema page: %d columns, truncated %v", len(out.Columns), out.Truncated)
	}
	if n := resultSize(res); n > maxResultBytes {
		t.Errorf("result is %d bytes, over the %d hard limit", n, maxResultBytes)
	}
	var s SearchOutput
	res = mustCall(t, cs, "search_catalog", map[string]any{"query": "wide", "limit": 1 << 40}, &s)
	if n := resultSize(res); n > maxResultBytes || !s.Truncated {
		t.Errorf("search: %d bytes, truncated %v", n, s.Truncated)
	}
}

// TestScopeHidesOtherConnections: a token for prod-ro sees only prod-ro's
// catalog.
func TestScopeHidesOtherConnections(t *testing.T) {
	e := newCatalogEnv(t)
	cs := connectInMemory(t, e, Scope{Name: "scoped", Connections: []string{connGlueRO}})
	var out SearchOutput
	mustCall(t, cs, "search_catalog", map[string]any{"query": "orders"}, &out)
	for _, h := range out.Hits {
		if h.Connection != connGlueRO {
			t.Errorf("scoped search shows %s", h.FQN)
		}
	}
	wantToolError(t, call(t, cs, "get_entity", map[string]any{"fqn": "prod.sales.orders"}, nil), "not_found", `no entity "prod.sales.orders"`)
	wantToolError(t, call(t, cs, "list_entities", map[string]any{"kind": "database", "connection": connGlue}, nil), "not_found", "unknown connection")
	var conns ConnectionsOutput
	mustCall(t, cs, "list_connections", nil, &conns)
	if conns.Total != 1 || conns.Connections[0].Name != connGlueRO {
		t.Errorf("scoped connections = %+v", conns)
	}
}
