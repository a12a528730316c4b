package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/storetest"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Start(m) }

// open returns an empty store in a fresh database, closed when the test ends.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) catalog.Store { return open(t) })
}

func TestIdentityConformance(t *testing.T) {
	storetest.RunIdentity(t, func(t *testing.T) storetest.IdentityBackend { return open(t) })
}

// Replicas starting together on an empty database migrate it once: the
// advisory lock makes the others wait, then find nothing to do.
func TestParallelOpensMigrateOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	stores := make([]*Store, replicas)
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct int
	if err := stores[0].pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(all) || distinct != len(all) {
		t.Errorf("schema_migrations holds %d rows (%d versions), want %d", rows, distinct, len(all))
	}
	// Each replica works on the shared catalog.
	sc, err := stores[1].BeginScan(ctx, catalog.ScanStart{Service: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stores[2].GetScan(ctx, sc.ID); err != nil {
		t.Errorf("scan begun on one replica not seen on another: %v", err)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, url string }{
		{"not a URL", "postgres://%zz"},
		{"nothing listening", "postgres://nobody:secret@127.0.0.1:1/db?connect_timeout=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if got := err.Error(); contains(got, "secret") {
				t.Errorf("error shows the password: %s", got)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db": true, "lakemap.db": false, "/var/lib/postgres/x.db": false,
	} {
		if got := IsURL(in); got != want {
			t.Errorf("IsURL(%q) = %v", in, got)
		}
	}
}
