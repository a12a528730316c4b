// Package benchcat builds the large catalogs the benchmarks measure (the
// MCP tools', the web pages'), once per size, in a file the next run
// reuses: one service, databases of 100 tables, tables of 99 columns.
package benchcat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// Service is the one service (connection name) of a bench catalog.
const Service = "bench"

const tablesPerDB, colsPerTable = 100, 99

// Words make the tables' names and descriptions, and good search terms.
var Words = []string{"orders", "customers", "invoices", "payments", "events", "sessions", "clicks", "inventory",
	"shipments", "returns", "refunds", "ledger", "accounts", "users", "devices", "campaigns", "leads", "products", "prices", "stock"}

// EnvInt reads a positive size from the environment, def otherwise.
func EnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// Path is where a catalog of n entities for the named benchmark lives:
// $LAKEMAP_BENCH_DB when set, else $TMPDIR/lakemap-<name>-bench-<n>.db.
func Path(name string, n int) string {
	if p := os.Getenv("LAKEMAP_BENCH_DB"); p != "" {
		return p
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("lakemap-%s-bench-%d.db", name, n))
}

// Tables lists the table FQNs of a catalog of n entities.
func Tables(n int) []string {
	tables := max(1, n/(colsPerTable+1))
	fqns := make([]string, 0, tables)
	for i := range tables {
		fqns = append(fqns, catalog.JoinFQN(Service, dbName(i), TableName(i)))
	}
	return fqns
}

// Build makes the catalog of about n entities at path unless a complete
// one is there already, and returns its table FQNs. The catalog is closed
// on return: callers open it as they need.
func Build(tb testing.TB, path string, n int) []string {
	tb.Helper()
	fqns := Tables(n)
	done := path + ".complete"
	if _, err := os.Stat(done); err == nil {
		return fqns
	}
	os.Remove(path)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatalf("creating the bench catalog %s: %v", path, err)
	}
	defer st.Close()
	start := time.Now()
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: Service, SourceType: "test", Started: time.Now().UTC()})
	if err != nil {
		tb.Fatal(err)
	}
	batch := []catalog.Entity{{FQN: Service, Kind: catalog.KindService, Service: Service, Name: Service}}
	flush := func(force bool) {
		for len(batch) >= 500 || force && len(batch) > 0 {
			k := min(len(batch), 500)
			if _, err := st.Upsert(ctx, sc.ID, batch[:k]); err != nil {
				tb.Fatalf("building the bench catalog: %v", err)
			}
			batch = batch[k:]
		}
		batch = batch[:0:0]
	}
	for i := range fqns {
		if i%tablesPerDB == 0 {
			batch = append(batch, catalog.Entity{FQN: catalog.Child(Service, dbName(i)), Kind: catalog.KindDatabase, Service: Service,
				ParentFQN: Service, Name: dbName(i)})
		}
		batch = append(batch, table(i)...)
		if len(batch) >= 5000 {
			flush(false)
		}
	}
	flush(true)
	if err := st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now().UTC()}); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("built a catalog of %d tables (%d entities) in %s at %s", len(fqns), len(fqns)*(colsPerTable+1), time.Since(start).Round(time.Second), path)
	return fqns
}

func dbName(i int) string { return fmt.Sprintf("db%03d", i/tablesPerDB) }

// TableName is the name of table i.
func TableName(i int) string {
	return fmt.Sprintf("%s_%s_%d", Words[i%len(Words)], Words[(i/len(Words))%len(Words)], i)
}

// table is table i and its columns, the last one its partition key.
func table(i int) []catalog.Entity {
	db := catalog.Child(Service, dbName(i))
	name := TableName(i)
	fqn := catalog.Child(db, name)
	out := []catalog.Entity{{FQN: fqn, Kind: catalog.KindTable, Service: Service, ParentFQN: db, Name: name,
		Description: fmt.Sprintf("%s of region %d, daily", Words[i%len(Words)], i%50),
		Attrs: map[string]any{"tableType": "EXTERNAL_TABLE", "format": "parquet", "location": "s3://warehouse/sales/" + name + "/",
			"columnCount": int64(colsPerTable), "viewOriginalText": strings.Repeat("x", 10)}}}
	for c := range colsPerTable {
		col := fmt.Sprintf("%s_%d", Words[(i+c)%len(Words)], c)
		attrs := map[string]any{"dataType": "string", "ordinal": int64(c)}
		if c == colsPerTable-1 {
			col, attrs["isPartitionKey"] = "dt", true
		}
		out = append(out, catalog.Entity{FQN: catalog.Child(fqn, col), Kind: catalog.KindColumn, Service: Service, ParentFQN: fqn,
			Name: col, Attrs: attrs})
	}
	return out
}
