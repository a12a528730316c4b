package mcpserver

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLiveTools calls every live read and write tool over both transports
// against moto (and the Glue fakes).
func TestLiveTools(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newLiveEnv(t)
			cs := tr.connect(t, e, Scope{Name: "test"})
			obj := func(key string, extra map[string]any) map[string]any {
				args := map[string]any{"connection": connS3, "bucket": e.bucket, "key": key}
				for k, v := range extra {
					args[k] = v
				}
				return args
			}

			t.Run("s3_list_objects", func(t *testing.T) {
				var out S3ListOutput
				mustCall(t, cs, "s3_list_objects", map[string]any{"connection": connS3, "bucket": e.bucket, "delimiter": "/"}, &out)
				if len(out.Prefixes) != 4 || len(out.Objects) != 0 || out.Truncated {
					t.Fatalf("top level = %+v", out)
				}
				seen, cursor := 0, ""
				for {
					var page S3ListOutput
					mustCall(t, cs, "s3_list_objects", map[string]any{"connection": connGlueRO, "bucket": "s3://" + e.bucket + "/", "prefix": "many/", "limit": 50, "cursor": cursor}, &page)
					seen += len(page.Objects)
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				if seen != manyKeys {
					t.Errorf("paged through %d keys, want %d", seen, manyKeys)
				}
			})

			t.Run("s3_read_object", func(t *testing.T) {
				var out S3ReadOutput
				res := mustCall(t, cs, "s3_read_object", obj(keyText, nil), &out)
				if out.Content != textBody || out.Truncated || out.Size != int64(len(textBody)) {
					t.Fatalf("read = %+v", out)
				}
				if !strings.Contains(text(res), "hello lakemap") {
					t.Errorf("text: %s", text(res))
				}
				// A long object comes in whole characters, slice by slice.
				var got strings.Builder
				var offset int64
				for {
					var part S3ReadOutput
					mustCall(t, cs, "s3_read_object", obj(keyLong, map[string]any{"offset": offset, "maxBytes": 4001}), &part)
					if !utf8.ValidString(part.Content) {
						t.Fatalf("slice at %d is not valid UTF-8", offset)
					}
					got.WriteString(part.Content)
					if !part.Truncated {
						break
					}
					offset = part.NextOffset
				}
				if got.String() != longBody {
					t.Errorf("reassembled %d bytes, want %d", got.Len(), len(longBody))
				}
			})

			t.Run("s3_read_object refuses binary", func(t *testing.T) {
				wantToolError(t, call(t, cs, "s3_read_object", obj(keyParquet, nil), nil), "invalid", "looks binary", ".parquet", "text only", "s3_get_object_metadata")
				wantToolError(t, call(t, cs, "s3_read_object", obj(keyPNG, nil), nil), "invalid", "looks binary", "NUL bytes")
			})

			t.Run("s3_get_object_metadata", func(t *testing.T) {
				var out S3MetadataOutput
				mustCall(t, cs, "s3_get_object_metadata", obj(keyText, nil), &out)
				if out.Size != int64(len(textBody)) || out.ContentType != "text/plain" || out.ETag == "" {
					t.Fatalf("metadata = %+v", out)
				}
			})

			t.Run("s3_put_object and s3_delete_object", func(t *testing.T) {
				var put S3WriteOutput
				mustCall(t, cs, "s3_put_object", obj("agent/out.txt", map[string]any{"content": "written by an agent"}), &put)
				if put.Bytes != 19 || put.ETag == "" {
					t.Fatalf("put = %+v", put)
				}
				var read S3ReadOutput
				mustCall(t, cs, "s3_read_object", obj("agent/out.txt", nil), &read)
				if read.Content != "written by an agent" {
					t.Errorf("read back %q", read.Content)
				}
				mustCall(t, cs, "s3_delete_object", obj("agent/out.txt", nil), nil)
				wantToolError(t, call(t, cs, "s3_get_object_metadata", obj("agent/out.txt", nil), nil), "not_found")
			})

			queryID := e.firstQueryID(t)
			t.Run("athena_list_query_executions", func(t *testing.T) {
				var out QueryListOutput
				mustCall(t, cs, "athena_list_query_executions", map[string]any{"connection": connGlue}, &out)
				if len(out.Executions) == 0 || out.Executions[len(out.Executions)-1].State != "SUCCEEDED" {
					t.Fatalf("executions = %+v", out)
				}
			})

			t.Run("athena_get_query_execution", func(t *testing.T) {
				var out QueryView
				mustCall(t, cs, "athena_get_query_execution", map[string]any{"connection": connGlueRO, "queryExecutionId": queryID}, &out)
				if out.ID != queryID || out.State != "SUCCEEDED" || !strings.Contains(out.Query, "sales.orders") {
					t.Fatalf("execution = %+v", out)
				}
			})

			t.Run("athena_get_query_results pages", func(t *testing.T) {
				var rows [][]*string
				cursor := ""
				for {
					var page QueryResultsOutput
					mustCall(t, cs, "athena_get_query_results", map[string]any{"connection": connGlueRO, "queryExecutionId": queryID, "limit": 50, "cursor": cursor}, &page)
					if len(page.Columns) != 2 || page.Columns[0].Name != "id" {
						t.Fatalf("columns = %+v", page.Columns)
					}
					rows = append(rows, page.Rows...)
					if cursor = page.NextCursor; cursor == "" {
						break
					}
				}
				if len(rows) != resultRows || *rows[0][0] != "0" || rows[1][1] != nil || *rows[resultRows-1][0] != "119" {
					t.Fatalf("got %d rows (first %v)", len(rows), rows[0])
				}
			})

			t.Run("athena_start_query and athena_stop_query", func(t *testing.T) {
				var out StartQueryOutput
				mustCall(t, cs, "athena_start_query", map[string]any{"connection": connGlue, "query": "SELECT 1", "database": "sales", "waitSeconds": 30}, &out)
				if out.QueryExecutionID == "" || !out.Done || out.Execution.State != "SUCCEEDED" || !strings.Contains(out.Next, "athena_get_query_results") {
					t.Fatalf("start = %+v", out)
				}
				var stop StopQueryOutput
				mustCall(t, cs, "athena_stop_query", map[string]any{"connection": connGlue, "queryExecutionId": out.QueryExecutionID}, &stop)
				if !stop.StopRequested {
					t.Errorf("stop = %+v", stop)
				}
			})

			tbl := map[string]any{"connection": connGlue, "database": "sales", "table": "orders"}
			with := func(extra map[string]any) map[string]any {
				out := map[string]any{}
				for k, v := range tbl {
					out[k] = v
				}
				for k, v := range extra {
					out[k] = v
				}
				return out
			}

			t.Run("glue_get_column_statistics", func(t *testing.T) {
				var out ColumnStatsOutput
				mustCall(t, cs, "glue_get_column_statistics", with(nil), &out)
				if len(out.Statistics) != 2 || len(out.Errors)+len(out.Missing) != 3 {
					t.Fatalf("stats = %+v", out)
				}
				byName := map[string]ColumnStats{}
				for _, s := range out.Statistics {
					byName[s.Column] = s
				}
				if s := byName["order_id"]; s.Type != "LONG" || s.Maximum != "9000" || *s.NumberOfDistinctValues != 8999 {
					t.Errorf("order_id = %+v", s)
				}
			})

			t.Run("glue_update and delete column statistics", func(t *testing.T) {
				var up StatsWriteOutput
				mustCall(t, cs, "glue_write_column_statistics", with(map[string]any{"action": "update", "statistics": []any{
					map[string]any{"column": "amount", "columnType": "decimal(10,2)", "type": "DECIMAL", "numberOfNulls": 0, "numberOfDistinctValues": 10, "minimum": "-3.50", "maximum": "1234.56"},
					map[string]any{"column": "dt", "columnType": "date", "type": "date", "numberOfNulls": 1, "numberOfDistinctValues": 30, "minimum": "2025-01-01", "maximum": "2025-01-30"},
				}}), &up)
				if len(up.Columns) != 2 || len(up.Errors) != 0 {
					t.Fatalf("update = %+v", up)
				}
				var got ColumnStatsOutput
				mustCall(t, cs, "glue_get_column_statistics", with(map[string]any{"columns": []string{"amount", "dt"}}), &got)
				if len(got.Statistics) != 2 || got.Statistics[0].Minimum != "-3.50" || got.Statistics[0].Maximum != "1234.56" {
					t.Fatalf("read back = %+v", got.Statistics)
				}
				mustCall(t, cs, "glue_write_column_statistics", with(map[string]any{"action": "delete", "column": "amount"}), nil)
				got = ColumnStatsOutput{}
				mustCall(t, cs, "glue_get_column_statistics", with(map[string]any{"columns": []string{"amount"}}), &got)
				if len(got.Statistics) != 0 {
					t.Errorf("amount still has statistics: %+v", got)
				}
			})

			t.Run("glue data quality rulesets", func(t *testing.T) {
				var list RulesetListOutput
				mustCall(t, cs, "glue_list_data_quality_rulesets", map[string]any{"connection": connGlueRO, "database": "sales", "table": "orders"}, &list)
				if len(list.Rulesets) != 1 || list.Rulesets[0].Name != "orders_checks" {
					t.Fatalf("rulesets = %+v", list)
				}
				mustCall(t, cs, "glue_write_data_quality_ruleset", map[string]any{"connection": connGlue, "action": "create", "name": "agent_rules",
					"ruleset": `Rules = [ RowCount > 0 ]`, "database": "sales", "table": "orders", "description": "made by a test"}, nil)
				mustCall(t, cs, "glue_write_data_quality_ruleset", map[string]any{"connection": connGlue, "action": "update", "name": "agent_rules", "ruleset": `Rules = [ RowCount > 10 ]`}, nil)
				var one RulesetListOutput
				mustCall(t, cs, "glue_list_data_quality_rulesets", map[string]any{"connection": connGlue, "name": "agent_rules"}, &one)
				if len(one.Rulesets) != 1 {
					t.Fatalf("by name: %+v", one)
				}
				rs := one.Rulesets[0]
				if rs.Ruleset != `Rules = [ RowCount > 10 ]` || rs.Table != "orders" {
					t.Errorf("ruleset = %+v", rs)
				}
				mustCall(t, cs, "glue_write_data_quality_ruleset", map[string]any{"connection": connGlue, "action": "delete", "name": "agent_rules"}, nil)
				wantToolError(t, call(t, cs, "glue_list_data_quality_rulesets", map[string]any{"connection": connGlue, "name": "agent_rules"}, nil), "not_found")
				wantToolError(t, call(t, cs, "glue_list_data_quality_rulesets", map[string]any{"connection": connGlue, "name": "x", "table": "orders"}, nil), "invalid", "name reads one ruleset")
			})

			t.Run("glue data quality evaluation", func(t *testing.T) {
				var run StartEvaluationOutput
				mustCall(t, cs, "glue_start_data_quality_evaluation", with(map[string]any{"rulesets": []string{"orders_checks"},
					"role": "arn:aws:iam::" + e.cust.AccountID + ":role/GlueDQ"}), &run)
				if run.RunID == "" {
					t.Fatal("no run id")
				}
				var byRun DQResultOutput
				mustCall(t, cs, "glue_get_data_quality_result", map[string]any{"connection": connGlueRO, "runId": run.RunID}, &byRun)
				if byRun.Run == nil || byRun.Run.Status != "SUCCEEDED" || len(byRun.Results) != 1 {
					t.Fatalf("by run = %+v", byRun)
				}
				r := byRun.Results[0]
				if r.RulesTotal != 3 || r.Rules[0].Result != "FAIL" || !strings.Contains(r.Rules[0].Message, "-3.5") {
					t.Errorf("result = %+v (want the failure first)", r)
				}
				var latest DQResultOutput
				mustCall(t, cs, "glue_get_data_quality_result", with(nil), &latest)
				if len(latest.Results) != 1 || latest.Results[0].ResultID != r.ResultID {
					t.Errorf("latest = %+v", latest)
				}
			})
		})
	}
}

// TestLiveBadInput checks refusals that happen before or at AWS.
func TestLiveBadInput(t *testing.T) {
	e := newLiveEnv(t)
	cs := connectInMemory(t, e, Scope{Name: "test"})
	for _, tc := range []struct {
		name string
		tool string
		args map[string]any
		want []string
	}{
		{"unknown connection", "s3_list_objects", map[string]any{"connection": "laek", "bucket": e.bucket}, []string{"not_found", `unknown connection "laek"`, `did you mean "lake"`}},
		{"no connection", "s3_list_objects", map[string]any{"connection": "", "bucket": e.bucket}, []string{"invalid", "needs a connection", connS3}},
		{"wrong family", "athena_list_query_executions", map[string]any{"connection": connS3}, []string{"invalid", `connection "lake" is a s3 connection`}},
		{"negative limit", "s3_list_objects", map[string]any{"connection": connS3, "bucket": e.bucket, "limit": -2}, []string{"invalid", "limit -2"}},
		{"negative maxBytes", "s3_read_object", map[string]any{"connection": connS3, "bucket": e.bucket, "key": keyText, "maxBytes": -1}, []string{"invalid", "maxBytes -1"}},
		{"offset past the end", "s3_read_object", map[string]any{"connection": connS3, "bucket": e.bucket, "key": keyText, "offset": 1 << 20}, []string{"invalid", "past the end"}},
		{"missing object", "s3_read_object", map[string]any{"connection": connS3, "bucket": e.bucket, "key": "nope.txt"}, []string{"not_found", "reading s3://"}},
		{"missing bucket", "s3_list_objects", map[string]any{"connection": connS3, "bucket": "no-such-bucket-x"}, []string{"not_found"}},
		{"unknown query", "athena_get_query_results", map[string]any{"connection": connGlue, "queryExecutionId": ""}, []string{"invalid", "queryExecutionId is required"}},
		{"stats type", "glue_write_column_statistics", map[string]any{"connection": connGlue, "action": "update", "database": "sales", "table": "orders",
			"statistics": []any{map[string]any{"column": "a", "columnType": "int", "type": "INTEGER"}}}, []string{"invalid", `type "INTEGER"`}},
		{"dq without target", "glue_get_data_quality_result", map[string]any{"connection": connGlue}, []string{"invalid", "name a result"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantToolError(t, call(t, cs, tc.tool, tc.args, nil), tc.want...)
		})
	}
}
