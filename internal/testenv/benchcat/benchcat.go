// Package benchcat builds the 1M-entity catalog the benchmarks read (MCP
// tools, REST): built once into a file under $TMPDIR and reused by every
// benchmark and every later run, because building it takes minutes.
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

// Service is the one connection (service) the catalog holds.
const Service = "bench"

// Words make up table and column names and descriptions; queries built
// from them match.
var Words = []string{"orders", "customers", "invoices", "payments", "events", "sessions", "clicks", "inventory",
	"shipments", "returns", "refunds", "ledger", "accounts", "users", "devices", "campaigns", "leads", "products", "prices", "stock"}

// EnvInt reads a positive integer size from the environment.
func EnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// Open builds (or reuses) a catalog of about n entities: one service,
// databases of 100 tables, tables of 99 columns. It lives at
// $LAKEMAP_BENCH_DB, else $TMPDIR/lakemap-mcp-bench-<n>.db (the name
// predates the REST benchmark; kept so built catalogs stay reused). It
// returns the open store, closed when the benchmark ends, and the tables'
// FQNs.
func Open(b testing.TB, n int) (*sqlite.Store, []string) {
	b.Helper()
	const tablesPerDB, colsPerTable = 100, 99
	tables := max(1, n/(colsPerTable+1))
	path := os.Getenv("LAKEMAP_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("lakemap-mcp-bench-%d.db", n))
	}
	done := path + ".complete"
	fqns := make([]string, 0, tables)
	for i := range tables {
		fqns = append(fqns, catalog.JoinFQN(Service, fmt.Sprintf("db%03d", i/tablesPerDB), tableName(i)))
	}
	if _, err := os.Stat(done); err == nil {
		return open(b, path), fqns
	}
	os.Remove(path)
	st := open(b, path)
	start := time.Now()
	batch := []catalog.Entity{{FQN: Service, Kind: catalog.KindService, Service: Service, Name: Service}}
	flush := func(force bool) {
		if len(batch) >= 5000 || force && len(batch) > 0 {
			upsert(b, st, batch)
			batch = batch[:0]
		}
	}
	for i := range tables {
		db := catalog.Child(Service, fmt.Sprintf("db%03d", i/tablesPerDB))
		if i%tablesPerDB == 0 {
			batch = append(batch, catalog.Entity{FQN: db, Kind: catalog.KindDatabase, Service: Service, ParentFQN: Service, Name: fmt.Sprintf("db%03d", i/tablesPerDB)})
		}
		batch = append(batch, table(db, tableName(i), fmt.Sprintf("%s of region %d, daily", Words[i%len(Words)], i%50), columns(i, colsPerTable))...)
		flush(false)
	}
	flush(true)
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("built a catalog of %d tables (%d entities) in %s at %s", tables, tables*(colsPerTable+1), time.Since(start).Round(time.Second), path)
	return st, fqns
}

func open(b testing.TB, path string) *sqlite.Store {
	b.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatalf("opening the bench catalog %s: %v", path, err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

func tableName(i int) string {
	return fmt.Sprintf("%s_%s_%d", Words[i%len(Words)], Words[(i/len(Words))%len(Words)], i)
}

type col struct{ name, typ string }

func columns(i, n int) []col {
	cols := make([]col, n)
	for c := range n {
		cols[c] = col{fmt.Sprintf("%s_%d", Words[(i+c)%len(Words)], c), "string"}
	}
	cols[n-1].name = "dt"
	return cols
}

// table is a table and its columns, the last one ("dt") the partition key.
func table(db, name, desc string, cols []col) []catalog.Entity {
	fqn := catalog.Child(db, name)
	out := []catalog.Entity{{FQN: fqn, Kind: catalog.KindTable, Service: Service, ParentFQN: db, Name: name, Description: desc,
		Attrs: map[string]any{"tableType": "EXTERNAL_TABLE", "format": "parquet", "location": "s3://warehouse/sales/" + name + "/",
			"columnCount": int64(len(cols)), "viewOriginalText": strings.Repeat("x", 10)}}}
	for i, c := range cols {
		attrs := map[string]any{"dataType": c.typ, "ordinal": int64(i)}
		if c.name == "dt" {
			attrs["isPartitionKey"] = true
		}
		out = append(out, catalog.Entity{FQN: catalog.Child(fqn, c.name), Kind: catalog.KindColumn, Service: Service, ParentFQN: fqn,
			Name: c.name, Attrs: attrs})
	}
	return out
}

// upsert writes entities in one scan.
func upsert(b testing.TB, st catalog.Store, entities []catalog.Entity) {
	b.Helper()
	ctx := context.Background()
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: Service, SourceType: "test", Started: time.Now().UTC()})
	if err != nil {
		b.Fatal(err)
	}
	for len(entities) > 0 {
		n := min(len(entities), 500)
		if _, err := st.Upsert(ctx, sc.ID, entities[:n]); err != nil {
			b.Fatalf("upserting into %s: %v", Service, err)
		}
		entities = entities[n:]
	}
	if err := st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now().UTC()}); err != nil {
		b.Fatal(err)
	}
}
