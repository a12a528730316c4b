package postgres

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// TestMigrationFillsInword: a catalog written before migration 0005 (no
// inword texts) finds words inside names and descriptions after it.
func TestMigrationFillsInword(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.version >= 5 {
			break
		}
		if _, err := conn.Exec(ctx, m.body); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ($1, $2, 0)`, m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `INSERT INTO entities (fqn, kind, service, parent_fqn, name, description, first_seen, last_seen, content_hash, search) VALUES
		('svc.crm.customers', 'table', 'svc', 'svc.crm', 'customers', '', 0, 0, 'h1', ''),
		('svc.crm.customers.kundenadressé', 'column', 'svc', 'svc.crm.customers', 'kundenadressé', '', 0, 0, 'h2', ''),
		('svc.crm.customers.kdadr', 'column', 'svc', 'svc.crm.customers', 'kdadr', 'Kundenadresse', 0, 0, 'h3', '')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Search(ctx, catalog.SearchQuery{Text: "adresse"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.FQN)
	}
	if !slices.Equal(got, []string{"svc.crm.customers.kundenadressé", "svc.crm.customers.kdadr"}) {
		t.Errorf("search \"adresse\" after the migration found %v, want the name hit, then the description's", got)
	}
}
