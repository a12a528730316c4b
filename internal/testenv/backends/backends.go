// Package backends opens an empty catalog on each store lakemap has, so
// that a test above the store runs the same code on SQLite and on
// PostgreSQL:
//
//	func TestMain(m *testing.M) { pgtest.Start(m) } // one cluster for the package
//
//	func TestSomething(t *testing.T) {
//		for _, b := range backends.All {
//			t.Run(b.Name, func(t *testing.T) {
//				cat := b.Open(t) // PostgreSQL skips only when missing and CI is unset
//				...
//			})
//		}
//	}
//
// It is test support: only _test.go files may import it.
package backends

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// Store is what both stores offer the server: the catalog, identities,
// the project edits of the API and the scan records of the job queue.
type Store interface {
	catalog.Store
	catalog.IdentityStore
	jobs.ScanRecords
	RenameProject(ctx context.Context, id, name string) error
	DeleteProject(ctx context.Context, id string) error
}

// Catalog is one empty catalog of a backend.
type Catalog struct {
	Store Store
	// DB is what --db names: the SQLite file or the PostgreSQL URL.
	DB string
	// Postgres says the catalog is PostgreSQL's (DB is a URL).
	Postgres bool
}

// OpenQueue opens the job queue a `lakemap serve` on this catalog uses:
// the file beside the SQLite catalog, or River's tables in the PostgreSQL
// database. It is closed when the test ends.
func (c Catalog) OpenQueue(t testing.TB) *jobs.Backend {
	t.Helper()
	open := func(ctx context.Context) (*jobs.Backend, error) { return jobs.OpenSQLite(ctx, jobs.QueuePath(c.DB)) }
	if c.Postgres {
		open = func(ctx context.Context) (*jobs.Backend, error) { return jobs.OpenPostgres(ctx, c.DB) }
	}
	b, err := open(context.Background())
	if err != nil {
		t.Fatalf("open the job queue of %s: %v", c.DB, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Backend opens empty catalogs of one store.
type Backend struct {
	Name string
	Open func(t testing.TB) Catalog
}

// All is every backend, SQLite first.
var All = []Backend{
	{Name: "sqlite", Open: openSQLite},
	{Name: "postgres", Open: openPostgres},
}

func openSQLite(t testing.TB) Catalog {
	t.Helper()
	db := filepath.Join(t.TempDir(), "lakemap.db")
	s, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatalf("open SQLite catalog: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return Catalog{Store: s, DB: db}
}

// openPostgres skips the test when PostgreSQL is missing and CI is unset
// (pgtest.Start already failed the package when CI=true).
func openPostgres(t testing.TB) Catalog {
	t.Helper()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open PostgreSQL catalog: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return Catalog{Store: s, DB: url, Postgres: true}
}

// BenchEnv names the store a benchmark writes into: unset, it discards
// what it would write; "sqlite" or "postgres", an empty catalog of that
// backend (PostgreSQL: the server LAKEMAP_TEST_PG_URL names, or the
// package's cluster when its TestMain starts one).
const BenchEnv = "LAKEMAP_BENCH_STORE"

// ForBench opens the catalog BenchEnv asks for, or returns nil.
func ForBench(b *testing.B) Store {
	b.Helper()
	name := os.Getenv(BenchEnv)
	if name == "" {
		return nil
	}
	for _, be := range All {
		if be.Name != name {
			continue
		}
		if be.Name == "postgres" && os.Getenv(pgtest.EnvURL) == "" {
			b.Fatalf("%s=postgres: set %s to a PostgreSQL superuser URL", BenchEnv, pgtest.EnvURL)
		}
		return be.Open(b).Store
	}
	b.Fatalf("%s=%q: want sqlite or postgres", BenchEnv, name)
	return nil
}
