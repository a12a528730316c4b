// Package pgtest runs a throw-away PostgreSQL cluster for tests: one per test
// package, on a free loopback port in a temporary directory, removed when
// the package's tests end. Each test gets a fresh database of its own.
//
// It is test support: only _test.go files may import it.
//
//	func TestMain(m *testing.M) { pgtest.Start(m) }
//
//	func TestSomething(t *testing.T) {
//		url := pgtest.NewDatabase(t) // skips when PostgreSQL is missing (fails when CI=true)
//		s, err := postgres.Open(ctx, url)
//		...
//	}
//
// LAKEMAP_TEST_PG_URL, when set, names an existing server (a superuser URL
// of its maintenance database) to use instead of starting one: CI may give
// the tests a PostgreSQL service.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables Start leaves for NewDatabase: the cluster's
// superuser URL, or why there is none. The environment rather than a package
// variable carries them, so that subprocesses a test starts can reach the
// same cluster.
const (
	EnvURL  = "LAKEMAP_TEST_PG_URL"
	envSkip = "LAKEMAP_TEST_PG_SKIP"
)

// InstallHint is what to run when the PostgreSQL server binaries are missing.
const InstallHint = "apt-get install postgresql (Debian's package; or set " + EnvURL + " to a superuser URL of a running server)"

// serverUser runs initdb and postgres when the tests run as root: both refuse
// to run as root.
const serverUser = "postgres"

// Start starts the cluster, runs the package's tests and removes the cluster,
// then exits with the tests' status. Without PostgreSQL the tests that need
// it skip, or fail when CI=true.
func Start(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(EnvURL) != "" {
		return m.Run()
	}
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			fmt.Fprintf(os.Stderr, "pgtest: %v; CI requires PostgreSQL: %s\n", err, InstallHint)
			return 1
		}
		os.Setenv(envSkip, err.Error()+": "+InstallHint)
		return m.Run()
	}
	reapOrphans(bin)
	c, err := startCluster(bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: start PostgreSQL: %v\n", err)
		return 1
	}
	defer c.stop()
	// Interrupted (^C, or a runner's SIGTERM), the tests would end
	// without the deferred stop, and the server would outlive them.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(interrupted)
	go func() {
		if sig, ok := <-interrupted; ok {
			c.stop()
			fmt.Fprintf(os.Stderr, "pgtest: %v: PostgreSQL stopped\n", sig)
			os.Exit(1)
		}
	}()
	os.Setenv(EnvURL, c.url)
	defer os.Unsetenv(EnvURL)
	return m.Run()
}

// findBin finds the directory of initdb: PG_BIN, then Debian's
// /usr/lib/postgresql/<version>/bin (the newest), then PATH.
func findBin() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
			return "", fmt.Errorf("PG_BIN=%s has no initdb: %w", dir, err)
		}
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return pgVersion(matches[i]) > pgVersion(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found")
}

func pgVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

type cluster struct {
	bin, dir, data string
	url            string
	asUser         bool // run the binaries through runuser
	// stopped makes stop run once: an interrupt's and the deferred one
	// race when the interrupted tests end by themselves.
	stopped sync.Once
}

// clusterDirs is the pattern of the clusters' directories in the temporary
// directory; ownerFile, in each, holds the PID of the test process that
// started it.
const (
	clusterDirs = "lakemap-pgtest-*"
	ownerFile   = "owner.pid"
)

// newCluster is the cluster whose files are in dir, run by bin's binaries.
func newCluster(bin, dir string) *cluster {
	return &cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), asUser: os.Geteuid() == 0}
}

func startCluster(bin string) (*cluster, error) {
	dir, err := os.MkdirTemp("", clusterDirs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := newCluster(bin, dir)
	if c.asUser {
		if err := chownTo(dir, serverUser); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if out, err := c.cmd("initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// Durability is not wanted from a cluster deleted at the end.
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if out, err := c.cmd("pg_ctl", "-D", c.data, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %w: %s\n%s", err, out, log)
	}
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

func (c *cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.asUser {
		return exec.Command("runuser", append([]string{"-u", serverUser, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *cluster) stop() {
	c.stopped.Do(func() {
		if out, err := c.cmd("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: pg_ctl stop: %v: %s\n", err, out)
		}
		os.RemoveAll(c.dir)
	})
}

// reapOrphans stops and removes the clusters of test processes that died
// without stopping them (killed, or ended by go test's timeout, which no
// deferred call survives): each would keep a server and its memory until
// the machine restarts. A directory whose owner is alive, or that has no
// owner yet (its cluster starting beside this one), is left alone.
func reapOrphans(bin string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), clusterDirs))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		c := newCluster(bin, dir)
		if _, err := os.Stat(filepath.Join(c.data, "postmaster.pid")); err == nil {
			c.stop()
		} else {
			os.RemoveAll(dir)
		}
		fmt.Fprintf(os.Stderr, "pgtest: removed the cluster in %s, left by process %d\n", dir, pid)
	}
}

// processAlive says a process pid exists (it may belong to another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func chownTo(dir, name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("PostgreSQL refuses to run as root and there is no %q user to run it as: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// NewDatabase creates an empty database for the test, dropped when it ends,
// and returns its URL. It skips the test when PostgreSQL is missing (Start
// already failed the package when CI=true).
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		if why := os.Getenv(envSkip); why != "" {
			t.Skip("PostgreSQL tests skipped: " + why)
		}
		t.Fatal("pgtest: no cluster: call pgtest.Start(m) from TestMain")
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "lakemap_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", redact(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

// redact drops a password from a URL for messages.
func redact(raw string) string {
	if at := strings.LastIndex(raw, "@"); at > 0 {
		if scheme := strings.Index(raw, "://"); scheme >= 0 && scheme < at {
			return raw[:scheme+3] + "…" + raw[at:]
		}
	}
	return raw
}
