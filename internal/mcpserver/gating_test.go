package mcpserver

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var writeTools = []string{
	"athena_start_query", "athena_stop_query",
	"glue_write_data_quality_ruleset", "glue_start_data_quality_evaluation", "glue_write_column_statistics",
	"s3_put_object", "s3_delete_object",
}

func listTools(t testing.TB, cs *mcp.ClientSession) map[string]*mcp.Tool {
	t.Helper()
	out := map[string]*mcp.Tool{}
	for tool, err := range cs.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		out[tool.Name] = tool
	}
	return out
}

// TestToolListFollowsScope: tools/list shows exactly what the session's
// connections allow, over both transports.
func TestToolListFollowsScope(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newCatalogEnv(t)
			for _, tc := range []struct {
				name     string
				scope    Scope
				want     []string
				wantNone []string
			}{
				{"every connection", Scope{}, append([]string{"search_catalog", "s3_list_objects", "athena_get_query_results"}, writeTools...), nil},
				{"ReadOnly connections only", Scope{Connections: []string{connGlueRO, connS3RO}},
					[]string{"search_catalog", "s3_read_object", "athena_get_query_results", "glue_get_column_statistics"}, writeTools},
				{"read-only token on ReadWrite connections", Scope{ReadOnly: true}, []string{"s3_list_objects"}, writeTools},
				{"S3 ReadOnly only", Scope{Connections: []string{connS3RO}}, []string{"s3_list_objects", "get_table_schema"},
					append([]string{"athena_list_query_executions", "glue_get_column_statistics"}, writeTools...)},
				{"S3 ReadWrite", Scope{Connections: []string{connS3}}, []string{"s3_put_object", "s3_delete_object"}, []string{"athena_start_query", "glue_write_data_quality_ruleset"}},
				{"Glue ReadWrite", Scope{Connections: []string{connGlue}}, []string{"athena_start_query", "s3_put_object", "glue_write_column_statistics"}, []string{"s3_delete_object"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tools := listTools(t, tr.connect(t, e, tc.scope))
					for _, n := range tc.want {
						if tools[n] == nil {
							t.Errorf("tools/list lacks %s", n)
						}
					}
					for _, n := range tc.wantNone {
						if tools[n] != nil {
							t.Errorf("tools/list shows %s", n)
						}
					}
				})
			}
		})
	}
}

// TestAnnotations: reads say they are read-only (and so not destructive),
// writes say whether they destroy; catalog tools say they make no call out
// (openWorldHint false; its default, true, fits every live tool).
func TestAnnotations(t *testing.T) {
	e := newCatalogEnv(t)
	tools := listTools(t, connectInMemory(t, e, Scope{}))
	if len(tools) < 20 {
		t.Fatalf("only %d tools", len(tools))
	}
	for name, tool := range tools {
		a := tool.Annotations
		if a == nil {
			t.Errorf("%s: no annotations", name)
			continue
		}
		readOnly, destructive, idempotent, openWorld := hints(a)
		if live := strings.HasPrefix(name, "s3_") || strings.HasPrefix(name, "athena_") || strings.HasPrefix(name, "glue_"); openWorld != live {
			t.Errorf("%s: openWorldHint %v", name, openWorld)
		}
		write := slices.Contains(writeTools, name)
		switch {
		case write && (readOnly || a.DestructiveHint == nil):
			t.Errorf("%s: a write tool with %+v (it must state destructiveHint)", name, a)
		case !write && (!readOnly || destructive || !idempotent):
			t.Errorf("%s: a read tool with %+v", name, a)
		}
		if strings.Contains(name, "delete") && !destructive {
			t.Errorf("%s: deletes without destructiveHint", name)
		}
	}
}

// TestWritesRefusedOnReadOnly: a write tool naming a ReadOnly connection,
// or called from a read-only session, is refused before any request leaves
// lakemap; a ReadOnly-only session does not even have the tool.
func TestWritesRefusedOnReadOnly(t *testing.T) {
	e := newLiveEnv(t)
	writeArgs := map[string]map[string]any{
		"athena_start_query":                 {"connection": connGlueRO, "query": "DROP TABLE sales.orders"},
		"athena_stop_query":                  {"connection": connGlueRO, "queryExecutionId": "x"},
		"glue_write_data_quality_ruleset":    {"connection": connGlueRO, "action": "create", "name": "n", "ruleset": "Rules = [ RowCount > 0 ]"},
		"glue_start_data_quality_evaluation": {"connection": connGlueRO, "database": "sales", "table": "orders", "rulesets": []string{"orders_checks"}, "role": "arn:aws:iam::123456789012:role/x"},
		"glue_write_column_statistics": {"connection": connGlueRO, "action": "update", "database": "sales", "table": "orders",
			"statistics": []any{map[string]any{"column": "status", "columnType": "string", "type": "STRING"}}},
		"s3_put_object":    {"connection": connS3RO, "bucket": e.bucket, "key": keyText, "content": "overwritten"},
		"s3_delete_object": {"connection": connS3RO, "bucket": e.bucket, "key": keyText},
	}
	if len(writeArgs) != len(writeTools) {
		t.Fatal("writeArgs must cover every write tool")
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Run("mixed session names a ReadOnly connection", func(t *testing.T) {
				cs := tr.connect(t, e, Scope{Name: "mixed"})
				for _, tool := range writeTools {
					wantToolError(t, call(t, cs, tool, writeArgs[tool], nil), "access_denied", "is ReadOnly", "runs only on ReadWrite connections", "nothing was sent to AWS")
				}
			})
			t.Run("read-only session names a ReadWrite connection", func(t *testing.T) {
				// The tools are not listed; a client calling them anyway
				// is told why.
				cs := tr.connect(t, e, Scope{Name: "ro", ReadOnly: true})
				for _, tool := range writeTools {
					args := map[string]any{}
					for k, v := range writeArgs[tool] {
						args[k] = v
					}
					args["connection"] = strings.TrimSuffix(writeArgs[tool]["connection"].(string), "-ro")
					wantToolError(t, call(t, cs, tool, args, nil), "access_denied", "`"+tool+"` is available only on ReadWrite connections; this session (`", "`) is ReadOnly", "nothing was sent")
				}
			})
			t.Run("ReadOnly-only session", func(t *testing.T) {
				cs := tr.connect(t, e, Scope{Name: "ro-conns", Connections: []string{connGlueRO, connS3RO}})
				for _, tool := range writeTools {
					conn := writeArgs[tool]["connection"].(string)
					wantToolError(t, call(t, cs, tool, writeArgs[tool], nil), "`"+tool+"` is available only on ReadWrite connections; `"+conn+"` is ReadOnly")
				}
			})
		})
	}
	// Nothing reached AWS at all: not a write, not even an AssumeRole.
	if ops := e.front.Ops(); len(ops) != 0 {
		t.Errorf("refused writes sent requests: %v", ops)
	}
	if ops := e.pager.WriteOps(); len(ops) != 0 {
		t.Errorf("writes reached moto: %v", ops)
	}
}

// TestReadOnlySessionSendsNoWrite drives every read tool on ReadOnly
// connections and checks, at the proxy in front of moto, that only reads
// went out.
func TestReadOnlySessionSendsNoWrite(t *testing.T) {
	e := newLiveEnv(t)
	queryID := e.firstQueryID(t)
	e.front.ClearOps()
	cs := connectHTTP(t, e, Scope{Name: "ro", Connections: []string{connGlueRO, connS3RO}})
	for tool, args := range map[string]map[string]any{
		"s3_list_objects":                 {"connection": connS3RO, "bucket": e.bucket},
		"s3_read_object":                  {"connection": connS3RO, "bucket": e.bucket, "key": keyText},
		"s3_get_object_metadata":          {"connection": connS3RO, "bucket": e.bucket, "key": keyText},
		"athena_list_query_executions":    {"connection": connGlueRO},
		"athena_get_query_execution":      {"connection": connGlueRO, "queryExecutionId": queryID},
		"athena_get_query_results":        {"connection": connGlueRO, "queryExecutionId": queryID},
		"glue_get_column_statistics":      {"connection": connGlueRO, "database": "sales", "table": "orders"},
		"glue_list_data_quality_rulesets": {"connection": connGlueRO},
		"glue_get_data_quality_result":    {"connection": connGlueRO, "database": "sales", "table": "orders"},
	} {
		mustCall(t, cs, tool, args, nil)
	}
	if len(e.front.Ops()) == 0 {
		t.Fatal("the proxy recorded nothing: is it in the path?")
	}
	if ops := e.front.WriteOps(); len(ops) != 0 {
		t.Errorf("a ReadOnly session sent writes: %v", ops)
	}
}

// TestDescriptionsNameOnlyListedTools: no description or schema of a
// session's tools points the agent at a tool that session does not have.
func TestDescriptionsNameOnlyListedTools(t *testing.T) {
	e := newCatalogEnv(t)
	var all []string
	for _, d := range e.srv.tools {
		all = append(all, d.tool.Name)
	}
	for _, scope := range []Scope{{}, {Connections: []string{connGlueRO, connS3RO}}, {ReadOnly: true}, {Connections: []string{connS3RO}}, {Connections: []string{connS3}}} {
		t.Run(strings.Join(scope.Connections, ","), func(t *testing.T) {
			tools := listTools(t, connectInMemory(t, e, scope))
			for _, tool := range tools {
				b, _ := json.Marshal(tool)
				for _, name := range all {
					if tools[name] == nil && strings.Contains(string(b), name) {
						t.Errorf("%s names %s, which this session lacks", tool.Name, name)
					}
				}
			}
		})
	}
}

// TestMissingWriteToolExplained: without moto, a write tool absent from the
// session answers why instead of "unknown tool".
func TestMissingWriteToolExplained(t *testing.T) {
	e := newCatalogEnv(t)
	for _, tc := range []struct {
		name  string
		scope Scope
		args  map[string]any
		want  string
	}{
		{"read-only scope", Scope{Name: "bot", ReadOnly: true}, map[string]any{"connection": connGlue, "query": "SELECT 1"}, "this session (`bot`) is ReadOnly"},
		{"ReadOnly connection", Scope{Name: "bot", Connections: []string{connGlueRO}}, map[string]any{"connection": connGlueRO, "query": "SELECT 1"}, "`prod-ro` is ReadOnly"},
		{"no connection named", Scope{Name: "bot", Connections: []string{connGlueRO}}, map[string]any{"query": "SELECT 1"}, "no connection this session reaches is ReadWrite"},
		{"connection out of scope", Scope{Name: "bot", Connections: []string{connGlueRO}}, map[string]any{"connection": connGlue, "query": "SELECT 1"}, "`prod` is not a connection this session can use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := connectInMemory(t, e, tc.scope)
			wantToolError(t, call(t, cs, "athena_start_query", tc.args, nil), "access_denied", "`athena_start_query` is available only on ReadWrite connections; ", tc.want)
		})
	}
	t.Run("a tool lakemap lacks is still unknown", func(t *testing.T) {
		cs := connectInMemory(t, e, Scope{ReadOnly: true})
		_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "drop_everything"})
		if err == nil || !strings.Contains(err.Error(), "unknown tool") {
			t.Errorf("err = %v, want unknown tool", err)
		}
	})
}
