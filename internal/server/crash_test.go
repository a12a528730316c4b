package server

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/sqlitedb"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// TestCrashDuringScheduledScan kills a real `lakemap serve` process with
// SIGKILL while a scheduled scan runs, starts it again on the same files,
// and expects the killed scan recorded as interrupted and the schedule to
// run again, to the end.
func TestCrashDuringScheduledScan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv := moto.Start(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	moto.GlueDatabase(t, cust.AWS, gluetypes.DatabaseInput{Name: aws.String("sales")}, gluetypes.TableInput{Name: aws.String("orders")})
	// The first server's scan stops at its first GetTables and stays there
	// until the process is killed; the second server's passes.
	pager := moto.NewGluePager(t, srv.URL(), 100)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var releaseOnce sync.Once
	open := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(open) // before the pager closes: a held request must end
	pager.FailWhen(func(op string, _ []byte) *moto.Fault {
		if op == "GetTables" {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-release
		}
		return nil
	})

	dir := t.TempDir()
	bin := buildLakemap(t, ctx, dir)
	db := filepath.Join(dir, "lakemap.db")
	cli := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--db", db}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lakemap %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cli("", "project", "create", "alpha")
	cli("test\n", "connection", "create", "lake", "--project", "alpha", "--source", "glue", "--role-arn", cust.RoleARN,
		"--endpoint-url", pager.URL(), "--credentials", "static", "--access-key-id", "test", "--secret-access-key-stdin",
		"--scan-options", `{"includeAthena":false}`, "--schedule-interval", "24h")
	lastRunLongAgo(t, ctx, db, "lake")

	first := startServe(t, ctx, bin, db)
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatalf("the scheduled scan never reached GetTables\n%s", first.log.String())
	}
	running := waitScans(t, ctx, db, first, func(ss []catalog.Scan) bool { return len(ss) == 1 && ss[0].Status == catalog.ScanRunning })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	open()

	second := startServe(t, ctx, bin, db)
	scans := waitScans(t, ctx, db, second, func(ss []catalog.Scan) bool {
		return len(ss) == 2 && ss[0].Status != catalog.ScanRunning && ss[1].Status != catalog.ScanRunning
	})
	// ListScans is newest first.
	if killed := scans[1]; killed.ID != running[0].ID || killed.Status != jobs.ScanInterrupted || killed.Finished == nil {
		t.Errorf("killed scan = %+v, want %d interrupted", killed, running[0].ID)
	}
	again := scans[0]
	if again.Status != catalog.ScanSucceeded || again.Stats[catalog.KindTable] == nil || again.Stats[catalog.KindTable].Added != 1 {
		t.Errorf("scan after restart = %+v, want succeeded with the table\n%s", again, second.log.String())
	}
	if log := second.log.String(); !strings.Contains(log, "marked interrupted") || !strings.Contains(log, "schedule missed while the server was down") {
		t.Errorf("second server's log says neither the recovery nor the catch-up:\n%s", log)
	}
	// River completes a job just after its scan record ends; until then a
	// start is refused as a duplicate, as it should be.
	waitQueueEmpty(t, ctx, bin, db, second)
	// The CLI's scan start reaches the running server through the queue,
	// and --wait follows the scan the server runs to its end.
	cli("", "scan", "start", "lake", "--wait", "--timeout", "2m")
	second.stop(t)
}

// buildLakemap builds the binary under test into dir.
func buildLakemap(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "lakemap")
	// The tag the catalog's SQLite needs (internal/sqlitedb), even when
	// this test was run by hand with -tags instead of the Makefile's GOFLAGS.
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "sqlite_fts5", "-o", bin, "github.com/lakemap/lakemap/cmd/lakemap")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lastRunLongAgo says the connection's schedule last ran two days ago, so
// the server's start runs it at once as a missed schedule (trigger
// "schedule") instead of the test waiting for a slot. The table is the
// queue's own bookkeeping (internal/jobs); the queue is created first so
// that the row lands in the table the server reads.
func lastRunLongAgo(t *testing.T, ctx context.Context, db, conn string) {
	t.Helper()
	path := jobs.QueuePath(db)
	b, err := jobs.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	q, err := sqlitedb.Open(path, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	at := time.Now().Add(-48 * time.Hour).UnixNano()
	if _, err := q.ExecContext(ctx, `INSERT INTO lakemap_schedule_run (connection, last_run) VALUES (?, ?)`, conn, at); err != nil {
		t.Fatalf("seed the last scheduled run: %v", err)
	}
}

type served struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

var servingLine = regexp.MustCompile(`lakemap serving catalog .* on (http://\S+)`)

// startServe runs `lakemap serve` on db and waits until it listens.
func startServe(t *testing.T, ctx context.Context, bin, db string) *served {
	t.Helper()
	cmd := exec.Command(bin, "--db", db, "--log-level", "info", "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})
	listening := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(s.log, sc.Text())
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case listening <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case <-listening:
	case <-s.done:
		t.Fatalf("lakemap serve exited before listening:\n%s", s.log.String())
	case <-ctx.Done():
		t.Fatalf("lakemap serve did not listen in time:\n%s", s.log.String())
	}
	return s
}

// stop ends the server as an operator would (SIGTERM) and waits for it.
func (s *served) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Errorf("lakemap serve did not stop within 30s of SIGTERM:\n%s", s.log.String())
	}
	_ = s.cmd.Wait()
}

// waitScans reads the catalog's scans until ok accepts them.
// waitQueueEmpty waits until `lakemap scan list --queue` shows no scan
// queued or running.
func waitQueueEmpty(t *testing.T, ctx context.Context, bin, db string, s *served) {
	t.Helper()
	for {
		out, err := exec.CommandContext(ctx, bin, "--db", db, "scan", "list", "--queue", "--json").Output()
		if err == nil && strings.TrimSpace(string(out)) == "[]" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the queue never emptied; last %s (err %v)\nserver log:\n%s", out, err, s.log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func waitScans(t *testing.T, ctx context.Context, db string, s *served, ok func([]catalog.Scan) bool) []catalog.Scan {
	t.Helper()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var last []catalog.Scan
	for {
		ss, err := st.ListScans(ctx, "", 10)
		if err == nil && ok(ss) {
			return ss
		}
		if err == nil {
			last = ss
		}
		select {
		case <-ctx.Done():
			t.Fatalf("scans never reached the expected state; last %+v (err %v)\nserver log:\n%s", last, err, s.log.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
