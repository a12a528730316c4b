package sqlparse

import (
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParse: no SQL makes the parser panic or loop; what it accepts has a
// kind, and names only non-empty tables.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM sales.orders",
		`SELECT "a" FROM "Sales"."order ""items"""`,
		"SELECT * FROM `sales`.`orders`",
		"WITH x AS (SELECT * FROM a) INSERT INTO b SELECT * FROM x JOIN c USING (id)",
		"CREATE TABLE t AS SELECT * FROM (SELECT * FROM (SELECT 1 FROM u))",
		"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1",
		"SELECT 'it''s' -- comment\nFROM /* block */ t;",
		"SELECT ((((((((((1))))))))))", "((((", "'unterminated", `"`, ";;;", "",
		"UNLOAD (SELECT * FROM t) TO 's3://b/p/'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := Parse(sql)
		if err != nil {
			return
		}
		if st.Kind == "" {
			t.Fatalf("Parse(%q) = no kind", sql)
		}
		for _, r := range append(st.Reads, derefAll(st.Target)...) {
			if strings.TrimSpace(r.String()) == "" {
				t.Fatalf("Parse(%q) named an empty table: %+v", sql, st)
			}
		}
	})
}

// FuzzDecodeView: any view text, Presto-encoded or not, decodes or fails
// without a panic.
func FuzzDecodeView(f *testing.F) {
	presto := func(json string) string {
		return prestoPrefix + base64.StdEncoding.EncodeToString([]byte(json)) + prestoSuffix
	}
	for _, s := range []string{
		presto(`{"originalSql":"SELECT * FROM a","catalog":"awsdatacatalog","schema":"sales"}`),
		presto(`{"originalSql":1}`), presto(`[]`), prestoPrefix + "not base64" + prestoSuffix, prestoPrefix,
		"SELECT * FROM sales.orders", "",
	} {
		f.Add(s, "")
	}
	f.Add("SELECT * FROM orders", "SELECT * FROM `sales`.`orders`")
	f.Fuzz(func(t *testing.T, original, expanded string) {
		_, _ = DecodeView(original, expanded)
	})
}

func derefAll(r *Ref) []Ref {
	if r == nil {
		return nil
	}
	return []Ref{*r}
}
