package mcpserver

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Response size limits, in bytes of the JSON result (≈ 4 bytes a token).
const (
	defaultResultBytes = 16_000 // ≈ 4,000 tokens
	maxResultBytes     = 80_000 // ≈ 20,000 tokens
)

// TestEveryToolWithinBudget calls every tool the server has, with default
// arguments, over both transports, and checks each answer's size. A tool
// added without an entry here fails the test.
func TestEveryToolWithinBudget(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			// Each transport gets a fresh account: the calls change it.
			e := newLiveEnv(t)
			checkEveryTool(t, e, tr.connect(t, e, Scope{Name: "budget"}))
		})
	}
}

func checkEveryTool(t *testing.T, e *env, cs *mcp.ClientSession) {
	queryID := e.firstQueryID(t)
	role := "arn:aws:iam::" + e.cust.AccountID + ":role/GlueDQ"
	args := map[string]map[string]any{
		"list_connections":                   nil,
		"search_catalog":                     {"query": "wide column comment"},
		"get_entity":                         {"fqn": "prod.sales.wide"},
		"list_entities":                      {"kind": "table", "parent": "prod.sales"},
		"get_table_schema":                   {"fqn": "prod.sales.wide"},
		"get_lineage":                        {"fqn": "prod.sales.orders"},
		"list_partitions":                    {"fqn": "prod.sales.orders"},
		"get_recent_changes":                 {},
		"find_schema_drift":                  {},
		"s3_list_objects":                    {"connection": connS3, "bucket": e.bucket},
		"s3_read_object":                     {"connection": connS3, "bucket": e.bucket, "key": keyLong},
		"s3_get_object_metadata":             {"connection": connS3, "bucket": e.bucket, "key": keyLong},
		"athena_list_query_executions":       {"connection": connGlue},
		"athena_get_query_execution":         {"connection": connGlue, "queryExecutionId": queryID},
		"athena_get_query_results":           {"connection": connGlue, "queryExecutionId": queryID},
		"glue_get_column_statistics":         {"connection": connGlue, "database": "sales", "table": "orders"},
		"glue_list_data_quality_rulesets":    {"connection": connGlue},
		"glue_get_data_quality_result":       {"connection": connGlue, "database": "sales", "table": "orders"},
		"athena_start_query":                 {"connection": connGlue, "query": "SELECT 2"},
		"athena_stop_query":                  {"connection": connGlue, "queryExecutionId": queryID},
		"glue_write_data_quality_ruleset":    {"connection": connGlue, "action": "create", "name": "budget_rules", "ruleset": "Rules = [ RowCount > 0 ]"},
		"glue_start_data_quality_evaluation": {"connection": connGlue, "database": "sales", "table": "orders", "rulesets": []string{"orders_checks"}, "role": role},
		"glue_write_column_statistics": {"connection": connGlue, "action": "update", "database": "sales", "table": "orders",
			"statistics": []any{map[string]any{"column": "customer_id", "columnType": "bigint", "type": "LONG", "minimum": "1", "maximum": "5"}}},
		"s3_put_object":    {"connection": connS3, "bucket": e.bucket, "key": "budget.txt", "content": "x"},
		"s3_delete_object": {"connection": connS3, "bucket": e.bucket, "key": "budget.txt"},
	}
	tools := listTools(t, cs)
	// The registry's order runs creates before updates and deletes.
	for _, def := range e.srv.tools {
		name := def.tool.Name
		if tools[name] == nil {
			continue
		}
		a, ok := args[name]
		if !ok {
			t.Errorf("%s has no entry in this test", name)
			continue
		}
		res := mustCall(t, cs, name, a, nil)
		n := resultSize(res)
		t.Logf("%-36s %6d bytes", name, n)
		if n > defaultResultBytes {
			t.Errorf("%s: default answer is %d bytes, over %d", name, n, defaultResultBytes)
		}
	}
	if len(tools) != len(args)-missingLineage(e) {
		t.Errorf("%d tools listed, %d in this test", len(tools), len(args))
	}
}

// missingLineage is 1 when the store serves no lineage tool.
func missingLineage(e *env) int {
	for _, d := range e.srv.tools {
		if d.tool.Name == "get_lineage" {
			return 0
		}
	}
	return 1
}
