package cli

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Start(m) }

// Every command takes a postgres:// URL for --db, and LAKEMAP_DB.
func TestPostgresCatalog(t *testing.T) {
	db := pgtest.NewDatabase(t)
	if code, _, errOut := run(t, "--db", db, "project", "create", "acme-prod"); code != 0 {
		t.Fatalf("project create: exit %d: %s", code, errOut)
	}
	t.Setenv("LAKEMAP_DB", db)
	code, out, errOut := run(t, "project", "list")
	if code != 0 || !strings.Contains(out, "acme-prod") {
		t.Fatalf("project list through LAKEMAP_DB: exit %d: %s\n%s", code, errOut, out)
	}
}

func TestPostgresCatalogNeedsSharedSecretKey(t *testing.T) {
	t.Setenv(secrets.EnvKey, "")
	app := &App{DB: "postgres://lakemap:pw@db.internal/lakemap"}
	if _, err := app.secretBox(); err == nil || !strings.Contains(err.Error(), secrets.EnvKey) {
		t.Errorf("secretBox without %s: %v, want a request for the key", secrets.EnvKey, err)
	}
}

func TestCatalogNameHidesPassword(t *testing.T) {
	for db, want := range map[string]string{
		"postgres://lakemap:s3cret@db.internal/lakemap": "postgres://lakemap:xxxxx@db.internal/lakemap",
		"postgres://lakemap@db.internal/lakemap":        "postgres://lakemap@db.internal/lakemap",
		"catalog.db":                                    "catalog.db",
	} {
		if got := (&App{DB: db}).catalogName(); got != want {
			t.Errorf("catalogName(%q) = %q, want %q", db, got, want)
		}
	}
}
