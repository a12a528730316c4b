package moto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// searchTables reads the caller's databases and tables from moto and
// filters them. It re-sends the caller's Authorization header with a new
// body, which moto accepts only while IAM enforcement (SetAuth) is off.
//
// Supported: SearchText (case-insensitive substring of the database name,
// table name, description, owner, column names and comments, and parameter
// values); Filters with Comparator EQUALS (the default) on a top-level
// string field such as DatabaseName, Name, Owner, TableType, or on
// "Parameters.<key>"; SortCriteria on top-level string fields.
func searchTables(c *fakeCall) (any, *Fault) {
	catalog := map[string]any{}
	if id := c.str("CatalogId"); id != "" {
		catalog["CatalogId"] = id
	}
	var dbs struct{ DatabaseList []struct{ Name string } }
	if raw, fault := c.upstream("GetDatabases", catalog, &dbs); fault != nil || raw != nil {
		return raw, fault
	}
	var tables []map[string]any
	for _, db := range dbs.DatabaseList {
		in := map[string]any{"DatabaseName": db.Name}
		var out struct{ TableList []map[string]any }
		for k, v := range catalog {
			in[k] = v
		}
		if raw, fault := c.upstream("GetTables", in, &out); fault != nil || raw != nil {
			return raw, fault
		}
		tables = append(tables, out.TableList...)
	}

	text := strings.ToLower(c.str("SearchText"))
	filters, _ := c.in["Filters"].([]any)
	var items []any
	for _, t := range tables {
		ok, fault := tableMatches(t, text, filters)
		if fault != nil {
			return nil, fault
		}
		if ok {
			items = append(items, t)
		}
	}
	if fault := sortTables(items, c.in["SortCriteria"]); fault != nil {
		return nil, fault
	}
	return listResult{field: "TableList", items: items}, nil
}

// upstream calls a Glue operation on moto as the caller. It returns a
// rawResponse to relay when moto refused.
func (c *fakeCall) upstream(op string, in map[string]any, out any) (any, *Fault) {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(c.r.Context(), http.MethodPost, c.p.upstream+"/", bytes.NewReader(body))
	if err != nil {
		return nil, &Fault{Code: "InternalServiceException", Status: 500, Message: err.Error()}
	}
	req.Host = c.r.Host
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSGlue."+op)
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		if v := c.r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := c.p.client.Do(req)
	if err != nil {
		return nil, &Fault{Code: "InternalServiceException", Status: 500, Message: fmt.Sprintf("asking moto for %s: %v", op, err)}
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return rawResponse{status: resp.StatusCode, header: resp.Header, body: respBody}, nil
	}
	if err := json.Unmarshal(respBody, out); err != nil {
		return nil, &Fault{Code: "InternalServiceException", Status: 500, Message: fmt.Sprintf("decoding moto's %s: %v", op, err)}
	}
	return nil, nil
}

func tableMatches(t map[string]any, text string, filters []any) (bool, *Fault) {
	for _, f := range filters {
		f, _ := f.(map[string]any)
		k, want := str(f["Key"]), str(f["Value"])
		if cmp := str(f["Comparator"]); cmp != "" && cmp != "EQUALS" {
			return false, invalidInput("the test fake supports only the EQUALS comparator, got %s", cmp)
		}
		var have string
		if pk, ok := strings.CutPrefix(k, "Parameters."); ok {
			params, _ := t["Parameters"].(map[string]any)
			have = str(params[pk])
		} else {
			have = str(t[k])
		}
		if !strings.EqualFold(have, want) {
			return false, nil
		}
	}
	if text == "" {
		return true, nil
	}
	haystack := []string{str(t["DatabaseName"]), str(t["Name"]), str(t["Description"]), str(t["Owner"])}
	if sd, ok := t["StorageDescriptor"].(map[string]any); ok {
		cols, _ := sd["Columns"].([]any)
		for _, c := range cols {
			c, _ := c.(map[string]any)
			haystack = append(haystack, str(c["Name"]), str(c["Comment"]))
		}
	}
	params, _ := t["Parameters"].(map[string]any)
	for _, v := range params {
		haystack = append(haystack, str(v))
	}
	for _, h := range haystack {
		if strings.Contains(strings.ToLower(h), text) {
			return true, nil
		}
	}
	return false, nil
}

// sortTables orders by the sort criteria, else by database and name.
func sortTables(items []any, criteria any) *Fault {
	type crit struct {
		field string
		desc  bool
	}
	var cs []crit
	list, _ := criteria.([]any)
	for _, c := range list {
		c, _ := c.(map[string]any)
		switch dir := str(c["Sort"]); dir {
		case "", "ASC", "DESC":
			cs = append(cs, crit{field: str(c["FieldName"]), desc: dir == "DESC"})
		default:
			return invalidInput("Sort must be ASC or DESC, got %s", dir)
		}
	}
	cs = append(cs, crit{field: "DatabaseName"}, crit{field: "Name"})
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].(map[string]any), items[j].(map[string]any)
		for _, c := range cs {
			x, y := str(a[c.field]), str(b[c.field])
			if x != y {
				return (x < y) != c.desc
			}
		}
		return false
	})
	return nil
}
