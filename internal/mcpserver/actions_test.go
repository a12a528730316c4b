package mcpserver

import "testing"

// TestActionArguments: a write tool with several actions refuses an
// unknown action, and an argument the chosen action does not take, by
// name and before any AWS call (the connections point nowhere).
func TestActionArguments(t *testing.T) {
	e := newCatalogEnv(t)
	e.putDataZoneConnection("dz", "http://127.0.0.1:9")
	cs := connectInMemory(t, e, Scope{Name: "actions"})
	for _, tc := range []struct {
		name, tool string
		args       map[string]any
		want       []string
	}{
		{"unknown action", "glue_write_data_quality_ruleset", map[string]any{"connection": connGlue, "action": "rename", "name": "r"},
			[]string{"invalid", `action "rename"`, "create, update, delete", "nothing was sent"}},
		{"no action", "glue_write_column_statistics", map[string]any{"connection": connGlue, "database": "sales", "table": "orders"},
			// The schema requires it: the SDK refuses the call by name.
			[]string{"missing properties", "action"}},
		{"argument of another action", "glue_write_column_statistics", map[string]any{"connection": connGlue, "action": "delete",
			"database": "sales", "table": "orders", "column": "amount", "statistics": []any{map[string]any{"column": "amount", "type": "LONG"}}},
			[]string{"invalid", "action delete does not take statistics", "column"}},
		{"confirm on publish", "datazone_write_asset", map[string]any{"connection": "dz", "action": "publish", "asset": "x", "confirm": "x"},
			[]string{"invalid", "action publish does not take confirm"}},
		{"project on update", "datazone_write_data_source", map[string]any{"connection": "dz", "action": "Update", "dataSource": "x", "project": "p"},
			[]string{"invalid", "action update does not take project"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantToolError(t, call(t, cs, tc.tool, tc.args, nil), tc.want...)
		})
	}
}
