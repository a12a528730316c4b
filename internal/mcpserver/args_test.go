package mcpserver

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCoerceArgs(t *testing.T) {
	shapes := argShapes(reflect.TypeFor[SearchInput]())
	tests := []struct {
		name, in, want string
	}{
		{"numeric string", `{"query":"x","limit":"5"}`, `{"limit":5,"query":"x"}`},
		{"padded numeric string", `{"limit":" 7 "}`, `{"limit":7}`},
		{"null number dropped", `{"query":"x","limit":null}`, `{"query":"x"}`},
		{"empty number dropped", `{"limit":""}`, `{}`},
		{"single string for a list", `{"kinds":"table"}`, `{"kinds":["table"]}`},
		{"list unchanged", `{"kinds":["table"]}`, `{"kinds":["table"]}`},
		{"bool string", `{"includeDeleted":"true"}`, `{"includeDeleted":true}`},
		{"null string dropped", `{"cursor":null}`, `{}`},
		{"non-numeric string left for validation", `{"limit":"five"}`, `{"limit":"five"}`},
		{"bad bool left for validation", `{"includeDeleted":"maybe"}`, `{"includeDeleted":"maybe"}`},
		{"unknown field untouched", `{"other":null}`, `{"other":null}`},
		{"not an object", `[1,2]`, `[1,2]`},
		{"empty", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(coerceArgs(json.RawMessage(tt.in), shapes))
			if tt.want == tt.in {
				if got != tt.in {
					t.Errorf("got %s, want unchanged", got)
				}
				return
			}
			var g, w any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("got invalid JSON %s", got)
			}
			_ = json.Unmarshal([]byte(tt.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestArgShapesFollowEmbedded(t *testing.T) {
	shapes := argShapes(reflect.TypeFor[QueryResultsInput]())
	if _, ok := shapes["connection"]; !ok {
		t.Errorf("embedded Conn's connection missing: %v", shapes)
	}
}

// TestLenientArguments: what agents commonly send is read as they meant it.
func TestLenientArguments(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newCatalogEnv(t)
			cs := tr.connect(t, e, Scope{Name: "test", Connections: []string{connGlue, connS3}})
			t.Run("limit as a string", func(t *testing.T) {
				var out SearchOutput
				mustCall(t, cs, "search_catalog", map[string]any{"query": "wide column comment", "limit": "5"}, &out)
				if len(out.Hits) != 5 {
					t.Errorf("hits = %d, want 5", len(out.Hits))
				}
			})
			t.Run("limit null", func(t *testing.T) {
				mustCall(t, cs, "search_catalog", map[string]any{"query": "orders", "limit": nil}, nil)
			})
			t.Run("kinds as one string", func(t *testing.T) {
				var out SearchOutput
				mustCall(t, cs, "search_catalog", map[string]any{"query": "orders", "kinds": "table"}, &out)
				if len(out.Hits) == 0 {
					t.Fatal("no hits")
				}
				for _, h := range out.Hits {
					if h.Kind != "table" {
						t.Errorf("hit of kind %s", h.Kind)
					}
				}
			})
			t.Run("limit not a number", func(t *testing.T) {
				wantToolError(t, call(t, cs, "search_catalog", map[string]any{"query": "orders", "limit": "five"}, nil), "limit")
			})
			for _, fqn := range []string{"PROD.Sales.Orders", "sales.orders", "Sales.ORDERS"} {
				t.Run("fqn "+fqn, func(t *testing.T) {
					var out SchemaOutput
					mustCall(t, cs, "get_table_schema", map[string]any{"fqn": fqn}, &out)
					if out.FQN != "prod.sales.orders" {
						t.Errorf("resolved to %q", out.FQN)
					}
				})
			}
		})
	}
	t.Run("ambiguous without the service", func(t *testing.T) {
		e := newCatalogEnv(t)
		cs := connectInMemory(t, e, Scope{Name: "all"})
		wantToolError(t, call(t, cs, "get_table_schema", map[string]any{"fqn": "sales.orders"}, nil), "ambiguous", "prod.sales.orders", "prod-ro.sales.orders")
	})
	t.Run("no match still suggests", func(t *testing.T) {
		e := newCatalogEnv(t)
		cs := connectInMemory(t, e, Scope{Name: "all"})
		wantToolError(t, call(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.ordres"}, nil), "did you mean", "prod.sales.orders")
	})
}
