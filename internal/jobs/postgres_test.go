package jobs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(childEnv); url != "" {
		if err := helperReplica(url); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Start(m)
}

// replicaLog records, across replicas, which job ran where and when, and
// fails on a job run twice or two scans of a connection at once.
type replicaLog struct {
	mu      sync.Mutex
	running map[string]int // connection -> replica running it
	jobs    map[int64]int  // job -> replica that ran it
	runs    map[string]int // connection -> scans
	by      map[int]int    // replica -> scans
	errs    []string
}

func (l *replicaLog) scanFunc(replica int, rec *fakeRecords, hold time.Duration) ScanFunc {
	return func(ctx context.Context, job ScanJob) (int64, error) {
		id := rec.begin()
		job.Started(id)
		c := job.Target.Connection
		l.mu.Lock()
		if other, ok := l.running[c]; ok {
			l.errs = append(l.errs, fmt.Sprintf("connection %s scanned on replicas %d and %d at once", c, other, replica))
		}
		if other, ok := l.jobs[job.JobID]; ok {
			l.errs = append(l.errs, fmt.Sprintf("job %d ran on replica %d and again on %d", job.JobID, other, replica))
		}
		l.running[c], l.jobs[job.JobID] = replica, replica
		l.runs[c]++
		l.by[replica]++
		l.mu.Unlock()
		select {
		case <-time.After(hold):
		case <-ctx.Done():
		}
		l.mu.Lock()
		delete(l.running, c)
		l.mu.Unlock()
		rec.finish(id, catalog.ScanSucceeded)
		return id, nil
	}
}

// Three replicas on one PostgreSQL, thirty connections each scheduled every
// second: every connection is scanned about once a second (River's leader
// inserts each slot once; a slot whose previous scan still runs is the same
// scan), each job on one replica only, never two scans of a connection at
// once.
func TestReplicasShareScheduledScans(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := &replicaLog{running: map[string]int{}, jobs: map[int64]int{}, runs: map[string]int{}, by: map[int]int{}}
	rec := newFakeRecords()
	const conns, interval = 30, time.Second
	var scheds []*Scheduler
	for r := range 3 {
		b, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		s, err := New(b, Config{Scan: log.scanFunc(r, rec, 150*time.Millisecond), Records: rec, MaxScans: 4, PollInterval: 200 * time.Millisecond,
			MinInterval: interval, ReapInterval: 500 * time.Millisecond, Logger: quietLogger(), fastStart: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range conns {
			if err := s.SetSchedule(ctx, target(i), Schedule{Interval: interval}); err != nil {
				t.Fatal(err)
			}
		}
		scheds = append(scheds, s)
	}
	start := time.Now()
	for _, s := range scheds {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const window = 6 * time.Second
	time.Sleep(window)
	for _, s := range scheds {
		stopCtx, c := context.WithTimeout(ctx, 10*time.Second)
		if err := s.Stop(stopCtx); err != nil {
			t.Error(err)
		}
		c()
	}
	elapsed := time.Since(start)
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, e := range log.errs {
		t.Error(e)
	}
	// Never more scans than slots (a slot runs once); at least one: River's
	// leader starts its periodic enforcer after election, and a loaded
	// machine may delay a slot, so fewer is not a failure.
	slots := int(elapsed/interval) + 1
	for i := range conns {
		c := target(i).Connection
		if n := log.runs[c]; n < 1 || n > slots {
			t.Errorf("connection %s scanned %d times in %s, want 1 to %d (once a slot)", c, n, elapsed.Round(time.Millisecond), slots)
		}
	}
	t.Logf("scans by replica: %v over %s", log.by, elapsed.Round(time.Millisecond))
}

// childEnv makes the test binary a replica that picks up scans and holds
// them (helperReplica), for the parent to kill.
const childEnv = "LAKEMAP_JOBS_TEST_REPLICA_URL"

// helperReplica is the test binary run by TestKilledReplica as a child
// process: it serves the queue with scans that record themselves in the
// catalog and then hang, prints "SCAN <id>" for each, and waits to be killed.
func helperReplica(url string) error {
	ctx := context.Background()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	b, err := OpenPostgres(ctx, url)
	if err != nil {
		return err
	}
	scan := func(ctx context.Context, job ScanJob) (int64, error) {
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: job.Target.Connection, SourceType: "glue", Started: time.Now()})
		if err != nil {
			return 0, err
		}
		job.Started(sc.ID)
		fmt.Printf("SCAN %d\n", sc.ID)
		<-ctx.Done()
		return sc.ID, ctx.Err()
	}
	s, err := New(b, Config{Scan: scan, Records: st, PollInterval: 100 * time.Millisecond, Logger: quietLogger(), fastStart: true})
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	fmt.Println("READY")
	time.Sleep(time.Minute) // killed long before
	return fmt.Errorf("helper replica: not killed within a minute")
}

// A replica killed (SIGKILL) mid-scan: a live replica records the scan
// interrupted and frees the connection, and the next scan runs on the live
// replica. Five kills, each with a fresh child.
func TestKilledReplica(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conn := Target{Connection: "glue_prod"}
	for round := range 5 {
		// The live replica: its queue client starts only after the child
		// holds the scan, so the child is the one that runs it.
		b, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		ran := make(chan int64, 1)
		live, err := New(b, Config{Records: st, PollInterval: 100 * time.Millisecond, ReapInterval: 200 * time.Millisecond, Logger: quietLogger(), fastStart: true,
			Scan: func(ctx context.Context, job ScanJob) (int64, error) {
				sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: job.Target.Connection, SourceType: "glue", Started: time.Now()})
				if err != nil {
					return 0, err
				}
				ran <- sc.ID
				return sc.ID, st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()})
			}})
		if err != nil {
			t.Fatal(err)
		}
		child := exec.CommandContext(ctx, os.Args[0])
		child.Env = append(os.Environ(), childEnv+"="+url)
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		readLine := func(prefix string) string {
			for lines.Scan() {
				if l := lines.Text(); strings.HasPrefix(l, prefix) {
					return strings.TrimPrefix(l, prefix)
				}
			}
			t.Fatalf("round %d: the child replica ended before printing %q", round, prefix)
			return ""
		}
		readLine("READY")
		killedJob, err := live.StartScan(ctx, conn, TriggerManual)
		if err != nil {
			t.Fatal(err)
		}
		scanID, _ := strconv.ParseInt(readLine("SCAN "), 10, 64)
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = child.Wait()

		if err := live.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for {
			sc, err := st.GetScan(ctx, scanID)
			if err != nil {
				t.Fatal(err)
			}
			// The record first, then the job: both, before the next start.
			if j, err := live.GetJob(ctx, killedJob.ID); err != nil {
				t.Fatal(err)
			} else if sc.Status == ScanInterrupted && j.State != "running" {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("round %d: the killed replica's scan %d is still %s", round, scanID, sc.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The connection is free at once: the next scan runs here.
		if _, err := live.StartScan(ctx, conn, TriggerManual); err != nil {
			t.Fatalf("round %d: scan after the kill: %v", round, err)
		}
		select {
		case id := <-ran:
			if id <= scanID {
				t.Errorf("round %d: scan %d after the killed %d", round, id, scanID)
			}
		case <-ctx.Done():
			t.Fatalf("round %d: the next scan never ran on the live replica", round)
		}
		stopCtx, c := context.WithTimeout(ctx, 10*time.Second)
		if err := live.Stop(stopCtx); err != nil {
			t.Error(err)
		}
		c()
		b.Close()
	}
}

// A replica whose liveness connection is cut (so that others may take its
// scans for dead) cancels its own scans and takes its lock again.
func TestLostLivenessCancelsOwnScans(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := newFakeRecords()
	scans := newFakeScans(rec, true)
	s, err := New(b, Config{Scan: scans.scan, Records: rec, PollInterval: 100 * time.Millisecond, ReapInterval: 100 * time.Millisecond,
		Logger: quietLogger(), fastStart: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	if _, err := s.StartScan(ctx, target(1), TriggerManual); err != nil {
		t.Fatal(err)
	}
	call := scans.next(t, 10*time.Second)
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	holders := func() (pids []int32) {
		rows, err := db.Query(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted`, livenessLocks)
		if err != nil {
			t.Fatal(err)
		}
		pids, err = pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		return pids
	}
	first := holders()
	if len(first) != 1 {
		t.Fatalf("liveness lock holders: %v, want one", first)
	}
	if _, err := db.Exec(ctx, `SELECT pg_terminate_backend($1)`, first[0]); err != nil {
		t.Fatal(err)
	}
	for rec.get(call.scanID) != ScanCancelled {
		if ctx.Err() != nil {
			t.Fatalf("scan %d still %s after the liveness connection was cut", call.scanID, rec.get(call.scanID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		if h := holders(); len(h) == 1 && h[0] != first[0] {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the liveness lock was not taken again")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// On a shared queue a starting replica leaves a slot that has just come to
// River's leader, and makes up one the whole cluster missed.
func TestSharedQueueCatchUp(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	replica := func(now time.Time) (*Scheduler, *fakeScans) {
		b, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		rec := newFakeRecords()
		scans := newFakeScans(rec, false)
		s, err := New(b, Config{Scan: scans.scan, Records: rec, PollInterval: 100 * time.Millisecond, Logger: quietLogger(), fastStart: true,
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSchedule(ctx, target(1), Schedule{Interval: time.Hour}); err != nil {
			t.Fatal(err)
		}
		return s, scans
	}
	replica(t0) // records the schedule's baseline, t0
	// The slot (t0+1h) came 30 s ago: the leader's to queue.
	late, scans := replica(t0.Add(time.Hour + 30*time.Second))
	if err := late.Start(ctx); err != nil {
		t.Fatal(err)
	}
	scans.noScan(t, time.Second)
	if err := late.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// Two hours on, nobody queued it: made up once.
	later, scans := replica(t0.Add(2*time.Hour + 5*time.Minute))
	if err := later.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer later.Stop(context.Background())
	if c := scans.next(t, 10*time.Second); c.job.Trigger != TriggerSchedule {
		t.Errorf("made-up scan: trigger %s", c.job.Trigger)
	}
}

// A slot nobody queued (River's leader died just before it) is made up by a
// live replica a minute late, without a restart.
func TestSharedQueueCatchUpWhileRunning(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := newFakeRecords()
	scans := newFakeScans(rec, false)
	s, err := New(b, Config{Scan: scans.scan, Records: rec, PollInterval: 100 * time.Millisecond, ReapInterval: 100 * time.Millisecond,
		Logger: quietLogger(), fastStart: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSchedule(ctx, target(1), Schedule{Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	mu.Lock()
	now = t0.Add(time.Hour + 10*time.Second) // the slot came; the leader's
	mu.Unlock()
	scans.noScan(t, time.Second)
	mu.Lock()
	now = t0.Add(time.Hour + 2*time.Minute) // still not queued: made up
	mu.Unlock()
	if c := scans.next(t, 10*time.Second); c.job.Trigger != TriggerSchedule {
		t.Errorf("made-up scan: trigger %s", c.job.Trigger)
	}
	scans.noScan(t, time.Second)
}
