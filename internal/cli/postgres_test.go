package cli

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) {
	// The replica tests run `lakemap serve` as this binary in a child
	// process, so that they can kill it.
	if args := os.Getenv(serveChildEnv); args != "" {
		os.Exit(Main(context.Background(), strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	pgtest.Start(m)
}

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

func TestMigrateToPostgres(t *testing.T) {
	dir := t.TempDir()
	from := filepath.Join(dir, "lakemap.db")
	if code, _, errOut := run(t, "--db", from, "project", "create", "acme-prod"); code != 0 {
		t.Fatalf("project create: exit %d: %s", code, errOut)
	}
	to := pgtest.NewDatabase(t)
	code, out, errOut := run(t, "migrate", "--from", from, "--to", to)
	if code != 0 || !strings.Contains(out, "projects") || !strings.Contains(errOut, "Copied and checked") {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "--db", to, "project", "list"); code != 0 || !strings.Contains(out, "acme-prod") {
		t.Fatalf("project list on the copy: exit %d: %s\n%s", code, errOut, out)
	}
	// Run again: nothing to add, still checked.
	if code, _, errOut := run(t, "migrate", "--from", from, "--to", to); code != 0 || !strings.Contains(errOut, "earlier copy") {
		t.Fatalf("second migrate: exit %d: %s", code, errOut)
	}
}

func TestMigrateBadInput(t *testing.T) {
	from := filepath.Join(t.TempDir(), "lakemap.db")
	if code, _, errOut := run(t, "--db", from, "project", "create", "acme-prod"); code != 0 {
		t.Fatalf("project create: exit %d: %s", code, errOut)
	}
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "postgres://lakemap:s3cret@" + ln.Addr().String() + "/lakemap?connect_timeout=5"
	ln.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"migrate", "--from", from}, "give --from"},
		{"target not a URL", []string{"migrate", "--from", from, "--to", "other.db"}, "not a PostgreSQL URL"},
		{"source a URL", []string{"migrate", "--from", "postgres://x@y/z", "--to", "postgres://x@y/z"}, "SQLite catalog file"},
		{"missing source", []string{"migrate", "--from", from + ".gone", "--to", "postgres://x@127.0.0.1:1/z"}, "does not exist"},
		{"unreachable", []string{"migrate", "--from", from, "--to", closed}, "connect"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want an error with %q", code, errOut, tc.want)
			}
			if strings.Contains(errOut, "s3cret") {
				t.Errorf("the password reached the message: %s", errOut)
			}
		})
	}
}
