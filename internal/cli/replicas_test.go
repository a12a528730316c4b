package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// serveChildEnv holds, separated by \x1f, the arguments a child process of
// this test binary runs the CLI with (see TestMain).
const serveChildEnv = "LAKEMAP_CLI_TEST_CHILD_ARGS"

// replicaKillsEnv changes the number of kills (default 20, the issue's
// figure: about two minutes on a loaded 2-core machine, 70 s for 10).
const replicaKillsEnv = "LAKEMAP_REPLICA_KILLS"

// replica is one `lakemap serve` child process.
type replica struct {
	cmd    *exec.Cmd
	client string // its queue client id, from its log
	exited chan struct{}
	mu     sync.Mutex
	log    strings.Builder
}

var clientRE = regexp.MustCompile(`msg="job queue started".* client=(\S+)`)

func startReplica(t *testing.T, ctx context.Context, url string) *replica {
	t.Helper()
	args := strings.Join([]string{"--db", url, "--log-level", "info", "serve", "--addr", "127.0.0.1:0"}, "\x1f")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serveChildEnv+"="+args)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{cmd: cmd, exited: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			r.mu.Lock()
			r.log.WriteString(line + "\n")
			r.mu.Unlock()
			if m := clientRE.FindStringSubmatch(line); m != nil {
				ready <- m[1]
			}
		}
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() { r.kill() })
	select {
	case r.client = <-ready:
	case <-r.exited:
		t.Fatalf("replica exited at start:\n%s", r.output())
	case <-ctx.Done():
		t.Fatalf("replica did not start:\n%s", r.output())
	}
	return r
}

func (r *replica) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func (r *replica) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// estate is the moto side: a "sales" database the scheduled connections
// scan, and a "ledger" database whose tables and columns all carry one
// version in their descriptions, rewritten before each killed scan.
type estate struct {
	gc *glue.Client
}

const ledgerTables, ledgerColumns = 12, 30

func (e estate) setLedger(t *testing.T, ctx context.Context, version int, create bool) {
	t.Helper()
	v := "v" + strconv.Itoa(version)
	for i := range ledgerTables {
		cols := make([]gluetypes.Column, ledgerColumns)
		for c := range cols {
			cols[c] = gluetypes.Column{Name: aws.String(fmt.Sprintf("c%02d", c)), Type: aws.String("bigint"), Comment: aws.String(v)}
		}
		in := &gluetypes.TableInput{Name: aws.String(fmt.Sprintf("t%02d", i)), Description: aws.String(v),
			StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols}}
		var err error
		if create {
			_, err = e.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("ledger"), TableInput: in})
		} else {
			_, err = e.gc.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("ledger"), TableInput: in})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerVersions reads the catalog's ledger tables of service: the version
// of each table, failing when a table's columns disagree with it (a mix).
func ledgerVersions(t *testing.T, ctx context.Context, st *postgres.Store, service string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := range ledgerTables {
		fqn := fmt.Sprintf("%s.ledger.t%02d", service, i)
		e, err := st.Get(ctx, fqn)
		if err != nil {
			continue // not scanned yet
		}
		out[fqn] = e.Description
		page, err := st.List(ctx, catalog.ListQuery{ParentFQN: fqn, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entities) != ledgerColumns {
			t.Errorf("%s: %d columns, want %d", fqn, len(page.Entities), ledgerColumns)
		}
		for _, c := range page.Entities {
			if c.Description != e.Description {
				t.Errorf("%s: column %s is %q, its table %q: a mix of two scans", fqn, c.Name, c.Description, e.Description)
			}
		}
	}
	return out
}

// TestReplicas runs three `lakemap serve` replicas on one PostgreSQL
// against moto: thirty connections scheduled every minute are each scanned
// once at the minute, on one replica, never two scans of a connection at
// once; and, between the scheduled scans, replicas are killed (SIGKILL)
// mid-scan again and again: the killed scan is recorded interrupted by a
// live replica, the catalog holds each table as one scan or the other left
// it, and the connection's next scan runs at once on a live replica.
func TestReplicas(t *testing.T) {
	url := pgtest.NewDatabase(t)
	kills := 20
	if v, err := strconv.Atoi(os.Getenv(replicaKillsEnv)); err == nil && v > 0 {
		kills = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	const key = "replica test key"
	t.Setenv(secrets.EnvKey, key)

	srv := moto.Start(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	est := estate{gc: glue.NewFromConfig(cust.AWS)}
	for _, db := range []string{"sales", "ledger"} {
		if _, err := est.gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(db)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := est.gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &gluetypes.TableInput{
		Name: aws.String("orders"), StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String("id"), Type: aws.String("bigint")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	est.setLedger(t, ctx, 0, true)

	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := connections.New(st, all.NewRegistry(), box)
	project, err := catalog.NewProject("acme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateProject(ctx, project); err != nil {
		t.Fatal(err)
	}
	conn := func(name, db string, sch connections.Schedule) {
		_, err := svc.Create(ctx, project.ID, connections.Input{Name: name, SourceType: "glue", RoleARN: cust.RoleARN, Region: "us-east-1",
			EndpointURL: srv.URL(), Credentials: connections.Credentials{Type: connections.StaticKeys, AccessKeyID: "test", SecretAccessKey: "test"},
			SourceConfig: map[string]any{"includeAthena": false, "databaseFilterPattern": map[string]any{"includes": []string{"^" + db + "$"}}},
			Schedule:     sch})
		if err != nil {
			t.Fatal(err)
		}
	}
	const scheduled = 30
	for i := range scheduled {
		conn(fmt.Sprintf("sched_%02d", i), "sales", connections.Schedule{Cron: "* * * * *"})
	}
	killConns := []string{"kill_a", "kill_b"}
	for _, c := range killConns {
		conn(c, "ledger", connections.Schedule{})
	}

	replicas := make([]*replica, 3)
	for i := range replicas {
		replicas[i] = startReplica(t, ctx, url)
	}
	// The first minute after River has surely elected a leader is the one
	// whose scheduled scans are checked.
	minute := time.Now().Add(10 * time.Second).Truncate(time.Minute).Add(time.Minute)

	// The test's own queue client: it only inserts scans (never started,
	// so it runs none).
	qb, err := jobs.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer qb.Close()
	q, err := jobs.New(qb, jobs.Config{Records: st, Scan: func(context.Context, jobs.ScanJob) (int64, error) { return 0, nil }})
	if err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())

	wait := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if ctx.Err() != nil {
				var logs strings.Builder
				for i, r := range replicas {
					fmt.Fprintf(&logs, "--- replica %d (%s)\n%s", i, r.client, r.output())
				}
				t.Fatalf("gave up waiting for %s\n%s", what, logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// quiet: no scheduled scan queued or running, and the minute is not
	// about to come: kills stay clear of the scheduled scans.
	quiet := func() bool {
		if until := time.Until(minute); until > -5*time.Second && until < 12*time.Second {
			return false
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'trigger' = 'schedule'
			AND state IN ('available', 'running', 'pending', 'scheduled', 'retryable')`, jobs.ScanKind).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	}
	jobState := func(id int64) (state, owner string) {
		var by []string
		if err := db.QueryRow(ctx, `SELECT state, coalesce(attempted_by, '{}') FROM river_job WHERE id = $1`, id).Scan(&state, &by); err != nil {
			t.Fatal(err)
		}
		if len(by) > 0 {
			owner = by[len(by)-1]
		}
		return state, owner
	}
	lastScan := func(service string) catalog.Scan {
		scans, err := st.ListScans(ctx, service, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(scans) == 0 {
			return catalog.Scan{}
		}
		return scans[0]
	}

	complete := map[string]int{} // connection -> version of its last complete scan (-1: none)
	for _, c := range killConns {
		complete[c] = -1
	}
	version, killed, missed := 0, 0, 0
	for killed < kills {
		wait("a quiet moment between scheduled scans", quiet)
		c := killConns[killed%len(killConns)]
		version++
		est.setLedger(t, ctx, version, false)
		before := lastScan(c).ID
		j, err := q.StartScan(ctx, jobs.Target{Connection: c, ProjectID: project.ID}, jobs.TriggerManual)
		if err != nil {
			t.Fatalf("start scan of %s: %v", c, err)
		}
		// Catch the scan while it runs: its record exists, its job runs.
		var owner string
		caught := false
		wait("the scan to start", func() bool {
			state, by := jobState(j.ID)
			owner = by
			if state == "completed" {
				return true
			}
			caught = state == "running" && lastScan(c).ID > before && lastScan(c).Status == catalog.ScanRunning
			return caught
		})
		// River's leader queues the scheduled scans; one killed shortly
		// before the minute is replaced only after its lease (15 s) runs
		// out, and the minute's slot with it. This test checks that slot.
		var leader string
		if err := db.QueryRow(ctx, `SELECT leader_id FROM river_leader LIMIT 1`).Scan(&leader); err != nil && err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		nearMinute := time.Until(minute) > -5*time.Second && time.Until(minute) < 40*time.Second
		if caught && (!quiet() || owner == leader && nearMinute) {
			// No kill among scheduled scans, nor of the leader before the minute.
			caught = false
			wait("the scan to end", func() bool { state, _ := jobState(j.ID); return state == "completed" })
		}
		if !caught {
			// Too quick to catch: it counts as a complete scan.
			missed++
			complete[c] = version
			ledgerVersions(t, ctx, st, c)
			continue
		}
		idx := -1
		for i, r := range replicas {
			if r.client == owner {
				idx = i
			}
		}
		if idx < 0 {
			t.Fatalf("job %d runs on %q, no replica of this test", j.ID, owner)
		}
		replicas[idx].kill()
		killed++
		dead := owner
		wait("a live replica to free the killed scan's job", func() bool {
			state, _ := jobState(j.ID)
			return state != "running"
		})
		sc := lastScan(c)
		switch sc.Status {
		case jobs.ScanInterrupted:
		case catalog.ScanSucceeded:
			complete[c] = version // killed after its last write
		default:
			t.Fatalf("kill %d: scan %d of %s recorded %s, want interrupted", killed, sc.ID, c, sc.Status)
		}
		for fqn, v := range ledgerVersions(t, ctx, st, c) {
			if old := "v" + strconv.Itoa(complete[c]); v != old && v != "v"+strconv.Itoa(version) {
				t.Errorf("kill %d: %s holds %s, neither the last complete scan's %s nor the killed one's", killed, fqn, v, old)
			}
		}
		// Keep three replicas; the next scan does not wait for it.
		restarted := make(chan *replica, 1)
		go func() { restarted <- startReplica(t, ctx, url) }()

		j2, err := q.StartScan(ctx, jobs.Target{Connection: c, ProjectID: project.ID}, jobs.TriggerManual)
		if err != nil {
			t.Fatalf("kill %d: the next scan of %s was refused: %v", killed, c, err)
		}
		var by string
		wait("the next scan to end", func() bool {
			var state string
			state, by = jobState(j2.ID)
			return state == "completed" || state == "cancelled" || state == "discarded"
		})
		if sc := lastScan(c); sc.Status != catalog.ScanSucceeded || by == dead {
			t.Fatalf("kill %d: next scan %d of %s: %s on %s (killed: %s)", killed, sc.ID, c, sc.Status, by, dead)
		}
		complete[c] = version
		for fqn, v := range ledgerVersions(t, ctx, st, c) {
			if v != "v"+strconv.Itoa(version) {
				t.Errorf("kill %d: after the next scan %s holds %s, want v%d", killed, fqn, v, version)
			}
		}
		select {
		case replicas[idx] = <-restarted:
		case <-ctx.Done():
			t.Fatal("replica did not restart")
		}
	}
	t.Logf("%d replicas killed mid-scan (%d scans not killed: ended before they could be caught, or the minute came)", killed, missed)

	// The scheduled minute: every scheduled connection scanned once.
	wait("the scheduled minute", func() bool { return time.Now().After(minute.Add(2 * time.Second)) })
	wait("the scheduled scans to end", quiet)
	rows, err := db.Query(ctx, `SELECT args->>'connection', count(*), max(state), max(cardinality(attempted_by))
		FROM river_job WHERE kind = $1 AND args->>'trigger' = 'schedule' AND created_at BETWEEN $2 AND $3 GROUP BY 1`,
		jobs.ScanKind, minute.Add(-time.Second), minute.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]int64{}
	for rows.Next() {
		var c, state string
		var n, attempts int64
		if err := rows.Scan(&c, &n, &state, &attempts); err != nil {
			t.Fatal(err)
		}
		ran[c] = n
		if state != "completed" || attempts != 1 {
			t.Errorf("scheduled scan of %s at %s: %s after %d attempts", c, minute.Format("15:04"), state, attempts)
		}
	}
	rows.Close()
	for i := range scheduled {
		if c := fmt.Sprintf("sched_%02d", i); ran[c] != 1 {
			t.Errorf("connection %s: %d scheduled scans at %s, want 1", c, ran[c], minute.Format("15:04"))
		}
	}
	// Never two scans of a connection at once; no job on two replicas.
	var overlaps, retried int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM scans a JOIN scans b ON a.service = b.service AND a.id < b.id
		WHERE a.finished IS NULL OR a.finished > b.started`).Scan(&overlaps); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE cardinality(attempted_by) > 1`).Scan(&retried); err != nil {
		t.Fatal(err)
	}
	if overlaps > 0 || retried > 0 {
		t.Errorf("%d pairs of scans of one connection overlap; %d jobs ran on two replicas", overlaps, retried)
	}
}
