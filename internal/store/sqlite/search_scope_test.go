package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
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

// TestSparseTenantSearch: a project owning a small part of the catalog
// finds its own matches of words that match hundreds of other entities
// first, in every pass (whole words, prefixes, inside words), and nothing
// of the others'.
func TestSparseTenantSearch(t *testing.T) {
	ctx := context.Background()
	s, _, small := sparseStore(t)
	r := s.Scoped(catalog.Projects(small.ID))
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"daily orders", []string{"small.db.orders_000", "small.db.orders_001"}},
		{"orde", []string{"small.db.orders_000", "small.db.orders_001"}},
		{"adresse", []string{"small.db.orders_000.kundenadresse", "small.db.orders_001.kundenadresse"}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			res, err := r.Search(ctx, catalog.SearchQuery{Text: tc.text, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := fqns(res)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("hits %v lack %s", got, w)
				}
			}
			for _, h := range got {
				if !strings.HasPrefix(h, "small") {
					t.Errorf("hit %s belongs to another project", h)
				}
			}
		})
	}
	// A service filter narrows the unscoped search the same way.
	res, err := s.Search(ctx, catalog.SearchQuery{Text: "adresse", Services: []string{"small"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := fqns(res); len(got) != 2 {
		t.Errorf("services=[small] found %v, want its two columns", got)
	}
	// A project with no connection finds nothing, without error.
	empty, err := catalog.NewProject("empty", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(ctx, empty); err != nil {
		t.Fatal(err)
	}
	res, err = s.Scoped(catalog.Projects(empty.ID)).Search(ctx, catalog.SearchQuery{Text: "orders"})
	if err != nil || len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("empty project: %v, %d hits, total %d; want none", err, len(res.Hits), res.Total)
	}
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
// (its indexes filled by 0009's triggers) is searchable after it, scoped
// searches included, and its triggers are gone.
func TestMigrationReindexesSearch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", "file:"+path)
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
