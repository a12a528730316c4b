package securitytest

import (
	"context"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/secrets"
)

// fastAWS keeps retries of injected or unimplemented calls short.
var fastAWS = awsconn.Options{MaxAttempts: 2, MaxBackoff: time.Millisecond}

// Every call a scan of each source makes is in the onboard policy of the
// connection's service and access level, or on the optional-read list.
func TestScansStayInsideTheOnboardPolicy(t *testing.T) {
	l := newLab(t)
	for _, src := range []string{"glue", "athena", "s3", "datazone"} {
		for _, access := range []string{"ReadOnly", "ReadWrite"} {
			t.Run(src+"/"+access, func(t *testing.T) {
				l.rec.Clear()
				w := workflowSpec{Source: src, Access: access}
				sum, err := ingest.Run(context.Background(), l.store, l.workflow(t, w), ingest.Options{AWS: fastAWS})
				if err != nil {
					t.Fatalf("scan: %v", err)
				}
				if sum.Status == catalog.ScanFailed {
					t.Fatalf("scan failed: %v", sum.Errors)
				}
				l.rec.CheckLeastPrivilege(t, l.grants(w))
				t.Logf("%s %s: %v", src, access, awsActions(l))
			})
		}
	}
}

// `lakemap connection test` calls only what the connection's policy
// grants (its write probes included), or optional reads.
func TestConnectionTestStaysInsideTheOnboardPolicy(t *testing.T) {
	l := newLab(t)
	for _, src := range []string{"glue", "s3", "datazone"} {
		for _, access := range []string{"ReadOnly", "ReadWrite"} {
			t.Run(src+"/"+access, func(t *testing.T) {
				l.rec.Clear()
				w := workflowSpec{Source: src, Access: access}
				rep := l.connectionTest(t, l.workflow(t, w), nil)
				if len(rep.Results) < 2 {
					t.Fatalf("connection test stopped early: %+v", rep.Results)
				}
				l.rec.CheckLeastPrivilege(t, l.grants(w))
				t.Logf("%s %s: %v", src, access, awsActions(l))
			})
		}
	}
}

// liveCalls are calls of every live tool, with arguments that reach AWS
// against the lab's estate; a tool's own errors do not matter here, only
// the AWS calls it makes.
func liveCalls(conn string) []struct {
	tool string
	args map[string]any
} {
	c := func(kv ...any) map[string]any {
		m := map[string]any{"connection": conn}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	return []struct {
		tool string
		args map[string]any
	}{
		{"s3_list_objects", c("bucket", "lake-data")},
		{"s3_read_object", c("bucket", "lake-data", "key", "sales/orders/dt=2024-01-01/part-0.csv")},
		{"s3_get_object_metadata", c("bucket", "lake-data", "key", "sales/orders/dt=2024-01-01/part-0.csv")},
		{"athena_list_query_executions", c()},
		{"glue_get_column_statistics", c("database", "sales", "table", "orders")},
		{"glue_list_data_quality_rulesets", c()},
		{"glue_list_data_quality_rulesets", c("name", "lakemap-test-ruleset")},
		{"glue_get_data_quality_result", c("database", "sales", "table", "orders")},
		{"athena_start_query", c("query", "SELECT 1", "outputLocation", "s3://athena-results/out/", "waitSeconds", 1)},
		{"athena_get_query_execution", c("queryExecutionId", "00000000-0000-0000-0000-000000000000")},
		{"athena_get_query_results", c("queryExecutionId", "00000000-0000-0000-0000-000000000000")},
		{"athena_stop_query", c("queryExecutionId", "00000000-0000-0000-0000-000000000000")},
		{"glue_write_data_quality_ruleset", c("action", "create", "name", "lakemap-test-ruleset", "ruleset", `Rules = [ RowCount > 0 ]`, "database", "sales", "table", "orders")},
		{"glue_write_data_quality_ruleset", c("action", "update", "name", "lakemap-test-ruleset", "ruleset", `Rules = [ RowCount > 1 ]`)},
		{"glue_write_data_quality_ruleset", c("action", "delete", "name", "lakemap-test-ruleset")},
		{"glue_write_column_statistics", c("action", "update", "database", "sales", "table", "orders", "statistics", []any{map[string]any{"column": "order_id", "type": "LONG", "numberOfNulls": 0, "numberOfDistinctValues": 1}})},
		{"glue_write_column_statistics", c("action", "delete", "database", "sales", "table", "orders", "column", "order_id")},
		{"s3_put_object", c("bucket", "lake-data", "key", "lakemap-test/put.txt", "content", "hello")},
		{"s3_delete_object", c("bucket", "lake-data", "key", "lakemap-test/put.txt")},
	}
}

// Live MCP tools — read tools on ReadOnly connections, read and write tools
// on ReadWrite ones — call only what the connection's policy grants.
func TestLiveToolsStayInsideTheOnboardPolicy(t *testing.T) {
	l := newLab(t)
	box, err := secrets.NewBox("securitytest-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"glue", "s3"} {
		for _, access := range []string{"ReadOnly", "ReadWrite"} {
			t.Run(src+"/"+access, func(t *testing.T) {
				ctx := context.Background()
				w := workflowSpec{Source: src, Access: access}
				if err := ingest.Remember(ctx, l.store, l.workflow(t, w), box); err != nil {
					t.Fatal(err)
				}
				cs := l.mcpClient(t, box, nil)
				l.rec.Clear()
				called := callLiveTools(t, cs, w.connName())
				if len(l.rec.Calls()) == 0 {
					t.Fatalf("no live tool reached AWS (tools called: %v)", called)
				}
				l.rec.CheckLeastPrivilege(t, l.grants(w))
				t.Logf("%s %s: tools %v\n  actions %v", src, access, called, awsActions(l))
			})
		}
	}
}

// callLiveTools calls every live tool the session offers on conn and
// returns their names.
func callLiveTools(t *testing.T, cs *mcp.ClientSession, conn string) []string {
	t.Helper()
	ctx := context.Background()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, tool := range tools.Tools {
		offered[tool.Name] = true
	}
	var called []string
	for _, lc := range liveCalls(conn) {
		if !offered[lc.tool] {
			continue
		}
		called = append(called, lc.tool)
		if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: lc.tool, Arguments: lc.args}); err != nil {
			t.Fatalf("%s: %v", lc.tool, err)
		}
	}
	return called
}
