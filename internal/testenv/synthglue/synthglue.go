// Package synthglue serves a generated Glue Data Catalog of any size over
// Glue's JSON 1.1 protocol, with AWS's page sizes and an optional latency,
// so benchmarks measure lakemap rather than an emulator.
package synthglue

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Catalog describes the generated estate.
type Catalog struct {
	Databases, TablesPerDB, ColumnsPerTable int
	// PageSize is the tables (and databases) per page; AWS serves 100.
	PageSize int
	Latency  time.Duration

	calls atomic.Int64
}

// Entities is how many catalog entities a full scan yields.
func (c *Catalog) Entities() int {
	return 1 + c.Databases + c.Databases*c.TablesPerDB*(1+c.ColumnsPerTable+1) // +1: the dt partition key
}

// Calls is the number of requests served.
func (c *Catalog) Calls() int64 { return c.calls.Load() }

// Start serves the catalog on 127.0.0.1 until the test ends.
func (c *Catalog) Start(tb testing.TB) string {
	if c.PageSize <= 0 {
		c.PageSize = 100
	}
	srv := httptest.NewServer(http.HandlerFunc(c.serve))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func (c *Catalog) serve(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	if c.Latency > 0 {
		time.Sleep(c.Latency)
	}
	var in struct {
		DatabaseName string
		NextToken    string
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	start, _ := strconv.Atoi(in.NextToken)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSGlue."); op {
	case "GetDatabases":
		var list []map[string]any
		for i := start; i < c.Databases && i < start+c.PageSize; i++ {
			list = append(list, map[string]any{"Name": fmt.Sprintf("db_%03d", i), "Description": "synthetic database", "CatalogId": "123456789012"})
		}
		writePage(w, "DatabaseList", list, start+c.PageSize, c.Databases)
	case "GetTables":
		var list []map[string]any
		for i := start; i < c.TablesPerDB && i < start+c.PageSize; i++ {
			list = append(list, c.table(in.DatabaseName, i))
		}
		writePage(w, "TableList", list, start+c.PageSize, c.TablesPerDB)
	default:
		// Everything else (statistics, functions, partitions...) is empty.
		_, _ = w.Write([]byte(`{}`))
	}
}

// A vocabulary like a real estate's: names repeat across tables, as
// customer_id does, but not every table is called the same.
var (
	subjects   = []string{"orders", "customers", "payments", "shipments", "invoices", "sessions", "clicks", "refunds", "products", "inventory", "campaigns", "leads", "tickets", "accounts", "ledger", "transfers", "devices", "events", "reviews", "subscriptions"}
	qualifiers = []string{"raw", "clean", "daily", "hourly", "agg", "snapshot", "history", "v2", "staging", "latest"}
	nouns      = []string{"id", "amount", "status", "ts", "region", "sku", "email", "country", "currency", "channel", "score", "count", "name", "code", "type", "flag", "date", "price", "qty", "hash"}
	types      = []string{"bigint", "decimal(10,2)", "string", "timestamp", "string", "string", "string", "string", "string", "string", "double", "bigint", "string", "string", "string", "boolean", "date", "decimal(12,4)", "int", "binary"}
)

func (c *Catalog) table(db string, i int) map[string]any {
	subject := subjects[i%len(subjects)]
	cols := make([]map[string]any, c.ColumnsPerTable)
	for n := range cols {
		owner := subjects[(i+n)%len(subjects)]
		noun := nouns[n%len(nouns)]
		cols[n] = map[string]any{"Name": fmt.Sprintf("%s_%s_%d", strings.TrimSuffix(owner, "s"), noun, n/len(nouns)), "Type": types[n%len(types)], "Comment": owner + " " + noun}
	}
	name := fmt.Sprintf("%s_%s_%05d", subject, qualifiers[(i/len(subjects))%len(qualifiers)], i)
	return map[string]any{
		"Name": name, "DatabaseName": db, "Description": qualifiers[i%len(qualifiers)] + " " + subject + " of " + db,
		"TableType": "EXTERNAL_TABLE", "CreateTime": 1.7e9,
		"Parameters": map[string]string{"classification": "parquet"},
		"StorageDescriptor": map[string]any{
			"Columns": cols, "Location": fmt.Sprintf("s3://lake/%s/%s/", db, name),
			"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
		},
		"PartitionKeys": []map[string]any{{"Name": "dt", "Type": "string"}},
	}
}

func writePage(w http.ResponseWriter, key string, list []map[string]any, next, total int) {
	if list == nil {
		list = []map[string]any{}
	}
	out := map[string]any{key: list}
	if next < total {
		out["NextToken"] = strconv.Itoa(next)
	}
	_ = json.NewEncoder(w).Encode(out)
}
