package sqlparse

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// View is a Glue view's SQL and the session it was created in, which
// resolves the names it leaves unqualified.
type View struct {
	SQL     string
	Catalog string // lower-cased; empty when unknown
	Schema  string // lower-cased; empty when unknown
	// Presto is true when the SQL came from Athena's (Presto's) encoding.
	Presto bool
}

const (
	prestoPrefix = "/* Presto View: "
	prestoSuffix = " */"
)

// DecodeView reads a Glue view definition. Athena stores
// "/* Presto View: <base64 of JSON> */" in ViewOriginalText, the JSON holding
// originalSql, catalog and schema; Hive and Spark store the SQL itself, and
// the expanded text (with every name qualified) when they have it.
func DecodeView(original, expanded string) (View, error) {
	text := strings.TrimSpace(original)
	if strings.HasPrefix(text, prestoPrefix) {
		if !strings.HasSuffix(text, prestoSuffix) {
			return View{}, fmt.Errorf("presto view text does not end with %q", prestoSuffix)
		}
		// In "/* Presto View: */" the suffix is the prefix's own end.
		if len(text) < len(prestoPrefix)+len(prestoSuffix) {
			return View{}, fmt.Errorf("presto view text holds no definition")
		}
		payload := strings.TrimSpace(text[len(prestoPrefix) : len(text)-len(prestoSuffix)])
		raw, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			// Some writers drop the padding.
			if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "=")); err != nil {
				return View{}, fmt.Errorf("presto view text is not base64: %w", err)
			}
		}
		var v struct {
			OriginalSQL string `json:"originalSql"`
			Catalog     string `json:"catalog"`
			Schema      string `json:"schema"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return View{}, fmt.Errorf("presto view JSON: %w", err)
		}
		if strings.TrimSpace(v.OriginalSQL) == "" {
			return View{}, fmt.Errorf("presto view JSON has no originalSql")
		}
		return View{SQL: v.OriginalSQL, Catalog: strings.ToLower(v.Catalog), Schema: strings.ToLower(v.Schema), Presto: true}, nil
	}
	// Hive's expanded text qualifies every name: prefer it.
	if e := strings.TrimSpace(expanded); e != "" && !strings.HasPrefix(e, "/*") {
		return View{SQL: e}, nil
	}
	if text == "" {
		return View{}, fmt.Errorf("view has no SQL text")
	}
	return View{SQL: text}, nil
}

// EncodePrestoView is DecodeView's inverse for Presto views, for tests and
// fakes that create views as Athena does.
func EncodePrestoView(sql, catalog, schema string) string {
	raw, _ := json.Marshal(map[string]any{"originalSql": sql, "catalog": catalog, "schema": schema, "columns": []any{}})
	return prestoPrefix + base64.StdEncoding.EncodeToString(raw) + prestoSuffix
}
