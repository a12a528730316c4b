package pgtest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Start(m) }

func TestNewDatabaseIsEmptyAndOwn(t *testing.T) {
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two tests share database %s", a)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("fresh database has %d tables, %v", n, err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db": "postgres://…@h/db",
		"postgres://h/db":          "postgres://h/db",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReapOrphans: a cluster whose test process died is stopped and
// removed by the next Start; its port refuses connections afterwards.
func TestReapOrphans(t *testing.T) {
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("no PostgreSQL: %v", err)
	}
	c, err := startCluster(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := os.Stat(c.dir); err == nil {
			c.stop()
		}
	})
	// A PID that was a process and is no more.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.dir, ownerFile), []byte(strconv.Itoa(gone.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	reapOrphans(bin)
	if _, err := os.Stat(c.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the orphan's directory: %v, want it removed", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(ctx, c.url); err == nil {
		conn.Close(ctx)
		t.Errorf("the orphan's server still answers at %s", c.url)
	}
	// This package's own cluster has a live owner: still there.
	conn, err := pgx.Connect(ctx, os.Getenv(EnvURL))
	if err != nil {
		t.Fatalf("this package's cluster: %v", err)
	}
	conn.Close(ctx)
}
