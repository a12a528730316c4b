package sqlparse

import (
	"reflect"
	"strings"
	"testing"
)

func refs(names ...string) []Ref {
	var out []Ref
	for _, n := range names {
		parts := strings.Split(n, ".")
		switch len(parts) {
		case 1:
			out = append(out, Ref{Name: parts[0]})
		case 2:
			out = append(out, Ref{Schema: parts[0], Name: parts[1]})
		default:
			out = append(out, Ref{Catalog: parts[0], Schema: parts[1], Name: parts[2]})
		}
	}
	return out
}

func ref(name string) *Ref { r := refs(name)[0]; return &r }

func TestParse(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		kind   Kind
		target *Ref
		reads  []Ref
	}{
		{name: "simple select", sql: "SELECT * FROM sales.orders", kind: KindQuery, reads: refs("sales.orders")},
		{name: "three parts", sql: "select a from AwsDataCatalog.Sales.Orders o", kind: KindQuery, reads: refs("awsdatacatalog.sales.orders")},
		{name: "quoted identifiers", sql: `SELECT "a" FROM "Sales"."order ""items"""`, kind: KindQuery, reads: refs(`sales.order "items"`)},
		{name: "backquotes", sql: "SELECT * FROM `sales`.`orders`", kind: KindQuery, reads: refs("sales.orders")},
		{name: "joins", sql: `SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id) CROSS JOIN d, e x WHERE x.y = 1`,
			kind: KindQuery, reads: refs("a", "b", "c", "d", "e")},
		{name: "comma list with aliases", sql: "SELECT * FROM s.a AS x, s.b y, s.c", kind: KindQuery, reads: refs("s.a", "s.b", "s.c")},
		{name: "select list commas are not relations", sql: "SELECT a, b, c FROM t WHERE a IN (1, 2) GROUP BY a, b", kind: KindQuery, reads: refs("t")},
		{name: "subquery in from", sql: "SELECT * FROM (SELECT * FROM inner_t) sub JOIN other o ON sub.id = o.id", kind: KindQuery, reads: refs("inner_t", "other")},
		{name: "subquery in where", sql: "SELECT * FROM a WHERE id IN (SELECT id FROM b WHERE EXISTS (SELECT 1 FROM c))", kind: KindQuery, reads: refs("a", "b", "c")},
		{name: "scalar subquery in select", sql: "SELECT (SELECT max(x) FROM m) AS mx, y FROM n", kind: KindQuery, reads: refs("m", "n")},
		{name: "cte names excluded", sql: "WITH recent AS (SELECT * FROM sales.orders WHERE dt > '2024'), top AS (SELECT * FROM recent) SELECT * FROM top JOIN dims.customers c ON true",
			kind: KindQuery, reads: refs("sales.orders", "dims.customers")},
		{name: "cte with column list", sql: "WITH x (a, b) AS (SELECT 1, 2 FROM src) SELECT * FROM x", kind: KindQuery, reads: refs("src")},
		{name: "cte shadowing a table is not itself", sql: "WITH orders AS (SELECT * FROM orders WHERE ok) SELECT * FROM orders", kind: KindQuery, reads: refs("orders")},
		{name: "qualified name is never a cte", sql: "WITH orders AS (SELECT 1) SELECT * FROM sales.orders, orders", kind: KindQuery, reads: refs("sales.orders")},
		{name: "recursive cte", sql: "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t", kind: KindQuery},
		{name: "nested cte scope", sql: "SELECT * FROM (WITH q AS (SELECT * FROM base) SELECT * FROM q) z, q", kind: KindQuery, reads: refs("base", "q")},
		{name: "function from is not a table", sql: "SELECT extract(year FROM ts), substring(s FROM 2 FOR 3), trim(BOTH ' ' FROM s) FROM t", kind: KindQuery, reads: refs("t")},
		{name: "is distinct from", sql: "SELECT * FROM a WHERE x IS DISTINCT FROM y AND z IS NOT DISTINCT FROM w", kind: KindQuery, reads: refs("a")},
		{name: "comments and strings", sql: "-- FROM fake1\nSELECT 'FROM fake2', \"from\" /* JOIN fake3 */ FROM real_t -- trailing", kind: KindQuery, reads: refs("real_t")},
		{name: "unnest and lateral", sql: "SELECT * FROM t CROSS JOIN UNNEST(t.arr) WITH ORDINALITY AS u(v, i) LEFT JOIN LATERAL (SELECT * FROM l WHERE l.k = t.k) ON true", kind: KindQuery, reads: refs("t", "l")},
		{name: "table function", sql: "SELECT * FROM TABLE(exclude_columns(input => TABLE(src), columns => DESCRIPTOR(a)))", kind: KindQuery},
		{name: "union of parenthesised selects", sql: "(SELECT a FROM x) UNION ALL (SELECT a FROM y) ORDER BY a", kind: KindQuery, reads: refs("x", "y")},
		{name: "table query term", sql: "TABLE s.a UNION TABLE s.b", kind: KindQuery, reads: refs("s.a", "s.b")},
		{name: "parenthesised join", sql: "SELECT * FROM (a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x)", kind: KindQuery, reads: refs("a", "b", "c")},
		{name: "time travel", sql: "SELECT * FROM ice.t FOR VERSION AS OF 949530903748831860 x JOIN ice.u FOR TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:00:00 UTC' ON true", kind: KindQuery, reads: refs("ice.t", "ice.u")},
		{name: "lambda and row types", sql: "SELECT transform(arr, x -> x + 1), CAST(ROW(1, 'a') AS ROW(a int, b varchar)) FROM t", kind: KindQuery, reads: refs("t")},
		{name: "values in from", sql: "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)", kind: KindQuery},
		{name: "duplicates once", sql: "SELECT * FROM a JOIN a b ON true WHERE x IN (SELECT x FROM a)", kind: KindQuery, reads: refs("a")},
		{name: "trailing semicolons", sql: "SELECT 1 FROM t;;", kind: KindQuery, reads: refs("t")},
		{name: "unicode identifier", sql: "SELECT * FROM données.clients", kind: KindQuery, reads: refs("données.clients")},

		{name: "ctas athena", sql: "CREATE TABLE analytics.daily WITH (format = 'PARQUET', external_location = 's3://b/p/', partitioned_by = ARRAY['dt']) AS SELECT o.dt, sum(o.x) FROM sales.orders o JOIN sales.items i ON o.id = i.oid GROUP BY 1",
			kind: KindCTAS, target: ref("analytics.daily"), reads: refs("sales.orders", "sales.items")},
		{name: "ctas with cte and no data", sql: "CREATE TABLE IF NOT EXISTS t2 AS WITH c AS (SELECT * FROM t1) SELECT * FROM c WITH NO DATA", kind: KindCTAS, target: ref("t2"), reads: refs("t1")},
		{name: "ctas parenthesised", sql: "CREATE TABLE t2 AS (SELECT * FROM t1)", kind: KindCTAS, target: ref("t2"), reads: refs("t1")},
		{name: "create table ddl", sql: "CREATE EXTERNAL TABLE IF NOT EXISTS s.t (a int, b string) PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://b/t/'", kind: KindOther},
		{name: "insert select", sql: "INSERT INTO mart.sales_daily SELECT * FROM sales.orders WHERE dt = '2024-01-01'", kind: KindInsert, target: ref("mart.sales_daily"), reads: refs("sales.orders")},
		{name: "insert with columns", sql: "INSERT INTO mart.t (a, b) SELECT a, b FROM src", kind: KindInsert, target: ref("mart.t"), reads: refs("src")},
		{name: "insert parenthesised query", sql: "INSERT INTO t (SELECT * FROM s)", kind: KindInsert, target: ref("t"), reads: refs("s")},
		{name: "insert with cte", sql: "INSERT INTO t WITH x AS (SELECT * FROM s) SELECT * FROM x", kind: KindInsert, target: ref("t"), reads: refs("s")},
		{name: "insert values", sql: "INSERT INTO t VALUES (1, 'a'), (2, 'b')", kind: KindInsert, target: ref("t")},
		{name: "create view", sql: "CREATE OR REPLACE VIEW mart.v COMMENT 'x' SECURITY INVOKER AS SELECT * FROM mart.t", kind: KindCreateView, target: ref("mart.v"), reads: refs("mart.t")},
		{name: "merge", sql: `MERGE INTO mart.customers t USING (SELECT * FROM staging.customers WHERE ok) s ON (t.id = s.id)
			WHEN MATCHED AND s.deleted THEN DELETE
			WHEN MATCHED THEN UPDATE SET name = s.name
			WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)`,
			kind: KindMerge, target: ref("mart.customers"), reads: refs("staging.customers")},
		{name: "merge from table", sql: "MERGE INTO t AS tt USING s AS ss ON tt.id = ss.id WHEN MATCHED THEN DELETE", kind: KindMerge, target: ref("t"), reads: refs("s")},
		{name: "update with subquery", sql: "UPDATE mart.t SET flag = true WHERE id IN (SELECT id FROM staging.flags)", kind: KindUpdate, target: ref("mart.t"), reads: refs("staging.flags")},
		{name: "delete", sql: "DELETE FROM mart.t WHERE id IN (SELECT id FROM gone)", kind: KindDelete, target: ref("mart.t"), reads: refs("gone")},
		{name: "delete using", sql: "DELETE FROM mart.t t USING staging.gone g, staging.more m WHERE t.id = g.id", kind: KindDelete, target: ref("mart.t"), reads: refs("staging.gone", "staging.more")},
		{name: "unload", sql: "UNLOAD (SELECT * FROM sales.orders) TO 's3://b/out/' WITH (format = 'PARQUET')", kind: KindUnload, reads: refs("sales.orders")},
		{name: "show", sql: "SHOW TABLES FROM sales", kind: KindOther},
		{name: "msck", sql: "MSCK REPAIR TABLE sales.orders", kind: KindOther},
		{name: "explain", sql: "EXPLAIN SELECT * FROM x", kind: KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.sql)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.sql, err)
			}
			if got.Kind != tt.kind {
				t.Errorf("kind = %s, want %s", got.Kind, tt.kind)
			}
			if !reflect.DeepEqual(got.Target, tt.target) {
				t.Errorf("target = %v, want %v", got.Target, tt.target)
			}
			if !reflect.DeepEqual(got.Reads, tt.reads) {
				t.Errorf("reads = %v, want %v", got.Reads, tt.reads)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		sql, want string
	}{
		{"", "empty statement"},
		{"  ;  ", "empty statement"},
		{"SELECT 'open", "unterminated string literal at byte 7"},
		{`SELECT * FROM "open`, "unterminated quoted identifier at byte 14"},
		{"SELECT 1 /* open", "unterminated comment at byte 9"},
		{"SELECT * FROM (SELECT * FROM t", `expected ")", found end of statement at the end`},
		{"SELECT * FROM t WHERE (a = 1", "unbalanced parenthesis at the end"},
		{"SELECT * FROM WHERE x = 1", `expected a table name, found "WHERE" at byte 14`},
		{"SELECT * FROM a JOIN ON x", `expected a table name, found "ON" at byte 21`},
		{"SELECT * FROM t; DROP TABLE t", "several statements: only one is expected (byte 15)"},
		{"FROBNICATE the table", `unrecognised statement starting with "FROBNICATE" at byte 0`},
		{"INSERT t SELECT 1", `expected INTO after INSERT, found "t" at byte 7`},
		{"MERGE INTO t USING ON x", `expected a table name, found "ON" at byte 19`},
		{"SELECT * FROM a.b.c.d", `table name "a.b.c.d" has more than three parts at byte 14`},
		{`SELECT * FROM ""`, "empty quoted identifier at byte 14"},
		{"CREATE VIEW v", "CREATE VIEW without AS at the end"},
		{"WITH AS (SELECT 1) SELECT 2", `expected a common table expression name, found "AS" at byte 5`},
		{"SELECT * FROM t)", `unexpected ")" at byte 15`},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			_, err := Parse(tt.sql)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error %q", tt.sql, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.sql, err, tt.want)
			}
		})
	}
}

func TestDecodeView(t *testing.T) {
	presto := EncodePrestoView("SELECT * FROM orders", "awsdatacatalog", "Sales")
	tests := []struct {
		name               string
		original, expanded string
		want               View
		wantErr            string
	}{
		{name: "presto", original: presto, expanded: "/* Presto View */", want: View{SQL: "SELECT * FROM orders", Catalog: "awsdatacatalog", Schema: "sales", Presto: true}},
		{name: "hive expanded preferred", original: "select * from t", expanded: "select `t`.`a` from `db`.`t`", want: View{SQL: "select `t`.`a` from `db`.`t`"}},
		{name: "hive original only", original: "select * from db.t", want: View{SQL: "select * from db.t"}},
		{name: "empty", original: "/* Presto View: */", wantErr: "presto view text holds no definition"},
		{name: "not base64", original: "/* Presto View: !!! */", wantErr: "presto view text is not base64"},
		{name: "not json", original: "/* Presto View: bm90IGpzb24= */", wantErr: "presto view JSON: invalid character"},
		{name: "no sql", original: "/* Presto View: e30= */", wantErr: "presto view JSON has no originalSql"},
		{name: "unterminated", original: "/* Presto View: e30=", wantErr: `presto view text does not end with " */"`},
		{name: "empty", wantErr: "view has no SQL text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeView(tt.original, tt.expanded)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("DecodeView error = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("DecodeView = %+v, want %+v", got, tt.want)
			}
		})
	}
}
