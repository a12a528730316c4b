package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

// sparseStore holds a big project's service "big" with many matches of
// every query below and a small project's "small" with a few, written
// after them (so the index lists the small project's matches last).
func sparseStore(t *testing.T) (s *Store, big, small catalog.Project) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, svc := range []string{"big", "small"} {
		p, err := catalog.NewProject("project_"+svc, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.PutConnection(ctx, catalog.Connection{Name: svc, ProjectID: p.ID, SourceType: "glue", Region: "eu-west-1"}); err != nil {
			t.Fatal(err)
		}
		n := 600
		if svc == "small" {
			small, n = p, 2
		} else {
			big = p
		}
		ents := []catalog.Entity{{FQN: svc, Kind: catalog.KindService}, {FQN: svc + ".db", Kind: catalog.KindDatabase}}
		for i := range n {
			ents = append(ents, catalog.Entity{FQN: fmt.Sprintf("%s.db.orders_%03d", svc, i), Kind: catalog.KindTable, Description: "daily orders"},
				catalog.Entity{FQN: fmt.Sprintf("%s.db.orders_%03d.kundenadresse", svc, i), Kind: catalog.KindColumn})
		}
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: svc, SourceType: "glue", Started: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upsert(ctx, sc.ID, ents); err != nil {
			t.Fatal(err)
		}
	}
	return s, big, small
}

// TestTenantTokenNotMatchedByWords: the tenant tokens sit in their own
// column; a prefix that starts one, or the token itself, matches no text.
func TestTenantTokenNotMatchedByWords(t *testing.T) {
	ctx := context.Background()
	s, _, _ := sparseStore(t)
	for _, text := range []string{"t", tenantToken("small"), trigramToken("small")} {
		res, err := s.Search(ctx, catalog.SearchQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 0 {
			t.Errorf("search %q found %v, want nothing", text, fqns(res))
		}
	}
}

// TestMigrationReindexesSearch: a catalog written before migration 0010
// (its indexes filled by 0009's triggers) is searchable after it and 0011,
// scoped searches and words inside descriptions included, and its
// triggers are gone.
func TestMigrationReindexesSearch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlitedb.Open(path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), "0010") {
			break
		}
		body, _ := migrationFiles.ReadFile(name)
		if _, err := old.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := filepath.Base(name)
		if _, err := old.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (CAST(substr(?, 1, 4) AS INTEGER), ?, 0)`, base, base); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.ExecContext(ctx, `INSERT INTO projects VALUES ('p1', 'p1', 'lakemap-p1', 0);
		INSERT INTO connections (name, project_id, source_type, access_level, created, updated) VALUES ('svc', 'p1', 'glue', 'ReadOnly', 0, 0);
		INSERT INTO entities (fqn, kind, service, parent_fqn, name, description, attrs, first_seen, last_seen, content_hash) VALUES
			('svc.crm.customers', 'table', 'svc', 'svc.crm', 'customers', 'people who buy', '{}', 0, 0, 'h1'),
			('svc.crm.customers.kundenadresse', 'column', 'svc', 'svc.crm.customers', 'kundenadresse', '', '{}', 0, 0, 'h2'),
			('svc.crm.customers.lfadr', 'column', 'svc', 'svc.crm.customers', 'lfadr', 'Lieferanschrift', '{}', 0, 0, 'h4'),
			('svc.primary.q1', 'query_execution', 'svc', 'svc.primary', 'q1', '', '{"query": "SELECT 1 FROM invoices", "workgroup": "primary"}', 0, 0, 'h3')`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var triggers int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).Scan(&triggers); err != nil || triggers != 0 {
		t.Errorf("triggers left: %d (%v)", triggers, err)
	}
	r := s.Scoped(catalog.Projects("p1"))
	for _, tc := range []struct {
		q    catalog.SearchQuery
		want string
	}{
		{catalog.SearchQuery{Text: "buy"}, "svc.crm.customers"},
		{catalog.SearchQuery{Text: "customers"}, "svc.crm.customers"},
		{catalog.SearchQuery{Text: "adresse"}, "svc.crm.customers.kundenadresse"},
		{catalog.SearchQuery{Text: "anschrift"}, "svc.crm.customers.lfadr"},
		{catalog.SearchQuery{Text: "invoices", Kinds: []catalog.Kind{catalog.KindQuery}}, "svc.primary.q1"},
	} {
		res, err := r.Search(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := fqns(res); !slices.Contains(got, tc.want) {
			t.Errorf("search %q after the migration found %v, want %s", tc.q.Text, got, tc.want)
		}
	}
}

func TestLastPart(t *testing.T) {
	for fqn, want := range map[string]string{
		"":                 "",
		"svc":              "svc",
		"svc.db.orders":    "orders",
		`svc."a.b"`:        "a.b",
		`svc."say ""hi"""`: `say "hi"`,
		`svc."a.b".c`:      "c",
	} {
		if got := lastPart(fqn); got != want {
			t.Errorf("lastPart(%q) = %q, want %q", fqn, got, want)
		}
	}
}
