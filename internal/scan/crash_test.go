package scan_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/sqlitedb"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// crashChildEnv holds "<estate>\x1f<db>\x1f<version>": the child process
// of a kill test scans that version of that estate into that catalog.
const crashChildEnv = "LAKEMAP_SCAN_CRASH_CHILD"

func TestMain(m *testing.M) {
	if arg := os.Getenv(crashChildEnv); arg != "" {
		if err := crashChild(arg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Start(m)
}

// crashBatch is the children's write batch: far smaller than a unit, so a
// unit written in pieces would show.
const crashBatch = 50

// crashEstate is what a kill test scans, one version after another: each
// version changes every unit (a table with its columns or partitions, a
// bucket with its objects) and swaps one of its parts for one of its own.
type crashEstate struct {
	// scan runs in the child: one scan of the version into st, printing
	// "step" on stdout at each point it offers to be killed after.
	scan func(ctx context.Context, st catalog.Store, version int) error
	// units reads the version each unit is at, failing the test when a
	// unit is not whole: its parts not all of that version, or not
	// exactly the parts that version has.
	units func(t *testing.T, ctx context.Context, st catalog.Store) map[string]string
}

func crashChild(arg string) error {
	parts := strings.SplitN(arg, "\x1f", 3)
	if len(parts) != 3 {
		return fmt.Errorf("%s=%q: want estate, db and version", crashChildEnv, arg)
	}
	estate, ok := crashEstates[parts[0]]
	if !ok {
		return fmt.Errorf("no crash estate %q", parts[0])
	}
	version, _ := strconv.Atoi(parts[2])
	ctx := context.Background()
	var st catalog.Store
	var err error
	if postgres.IsURL(parts[1]) {
		st, err = postgres.Open(ctx, parts[1])
	} else {
		st, err = sqlite.Open(ctx, parts[1])
	}
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Println("scanning") // the parent kills from now on
	return estate.scan(ctx, st, version)
}

// crashStep tells the parent the child passed a kill point.
func crashStep() { fmt.Println("step") }

var crashEstates = map[string]crashEstate{
	"tables": {scan: scanTables, units: tableVersions},
	"glue":   {scan: scanGluePartitions, units: gluePartitionVersions},
	"s3":     {scan: scanS3Objects, units: s3ObjectVersions},
}

// killScans kills (SIGKILL) a process scanning the estate, on each
// backend, after a random one of the steps a whole scan passes (and a
// random moment more), then restarts as the server does: after every kill
// each unit is as one complete scan or the killed one left it, never a
// mix; the killed scan's record says interrupted once the catalog is
// reopened, and nothing it staged is left; and the scan after the last
// kill completes.
func killScans(t *testing.T, name string, kills int) {
	estate := crashEstates[name]
	for _, b := range backends.All {
		t.Run(b.Name, func(t *testing.T) {
			cat := b.Open(t)
			ctx := context.Background()
			// run starts a child scanning version, waits until it scans,
			// then waits for it to end, or kills it after killAfter steps
			// and a moment; it says how many steps it saw.
			run := func(version, killAfter int) (steps int) {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), crashChildEnv+"="+name+"\x1f"+cat.DB+"\x1f"+strconv.Itoa(version))
				cmd.Stderr = os.Stderr
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				lines := bufio.NewScanner(out)
				if !lines.Scan() || lines.Text() != "scanning" {
					_ = cmd.Wait()
					t.Fatalf("scan of v%d: said %q", version, lines.Text())
				}
				for steps < killAfter || killAfter < 0 {
					if !lines.Scan() {
						break // the scan ended first
					}
					steps++
				}
				if killAfter >= 0 {
					time.Sleep(time.Duration(rand.Int64N(int64(2 * time.Millisecond))))
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					return steps
				}
				if err := cmd.Wait(); err != nil {
					t.Fatalf("scan of v%d: %v", version, err)
				}
				return steps
			}
			steps := run(0, -1)
			// Each unit as the last check found it: a killed scan may
			// leave it so, or write it whole.
			before := estate.units(t, ctx, cat.Store)
			interrupted, staged, midScan, unrecorded := 0, 0, 0, 0
			var lastScan int64
			for version := 1; version <= kills; version++ {
				run(version, rand.IntN(steps+1))
				if n := stagedRows(t, ctx, cat); n > 0 {
					staged++
				}
				now := estate.units(t, ctx, cat.Store)
				written := 0
				for unit, v := range now {
					if v == "v"+strconv.Itoa(version) {
						written++
					}
					if v != before[unit] && v != "v"+strconv.Itoa(version) {
						t.Errorf("kill %d: %s holds %s, neither its %s before the scan nor the killed scan's", version, unit, v, before[unit])
					}
				}
				if written > 0 && written < len(now) {
					midScan++
				}
				before = now
				// The server's start: a scan left running is recorded
				// interrupted, and what it staged goes.
				n, err := cat.Store.MarkRunningInterrupted(ctx, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				interrupted += n
				scans, err := cat.Store.ListScans(ctx, "svc", 1)
				if err != nil || len(scans) != 1 {
					t.Fatalf("scans: %v %v", scans, err)
				}
				// A kill right after the child started may land before
				// its scan is recorded: then there is no new scan.
				if scans[0].ID == lastScan && n == 0 {
					unrecorded++
				} else if want := map[bool]catalog.ScanStatus{true: "interrupted", false: catalog.ScanSucceeded}[n == 1]; scans[0].Status != want {
					t.Errorf("kill %d: the killed scan is recorded %s, want %s", version, scans[0].Status, want)
				}
				lastScan = scans[0].ID
				if n := stagedRows(t, ctx, cat); n != 0 {
					t.Errorf("kill %d: %d staged rows left after the restart", version, n)
				}
			}
			last := kills + 1
			run(last, -1)
			for unit, v := range estate.units(t, ctx, cat.Store) {
				if v != "v"+strconv.Itoa(last) {
					t.Errorf("after the last scan %s holds %s, want v%d", unit, v, last)
				}
			}
			if scans, err := cat.Store.ListScans(ctx, "svc", 1); err != nil || scans[0].Status != catalog.ScanSucceeded {
				t.Errorf("the scan after the kills: %+v, %v", scans, err)
			}
			if n := stagedRows(t, ctx, cat); n != 0 {
				t.Errorf("%d staged rows left after a whole scan", n)
			}
			t.Logf("%d kills after a random one of %d steps: %d between two of the scan's unit writes, %d while parts were staged, %d scans recorded interrupted, %d before the scan was recorded",
				kills, steps, midScan, staged, interrupted, unrecorded)
		})
	}
}

// stagedRows counts the rows of staged_entities, every scan's.
func stagedRows(t *testing.T, ctx context.Context, cat backends.Catalog) int64 {
	t.Helper()
	var n int64
	if cat.Postgres {
		conn, err := pgx.Connect(ctx, cat.DB)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM staged_entities`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	db, err := sqlitedb.Open(cat.DB, sqlitedb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM staged_entities`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// listAll lists every live entity of kind under parent, page after page.
func listAll(t *testing.T, ctx context.Context, st catalog.Store, parent string, kind catalog.Kind) []catalog.Entity {
	t.Helper()
	var out []catalog.Entity
	q := catalog.ListQuery{ParentFQN: parent, Kinds: []catalog.Kind{kind}, Limit: catalog.MaxLimit}
	for {
		page, err := st.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Entities...)
		if page.Next == "" {
			return out
		}
		q.After = page.Next
	}
}

// The tables estate: tables of crashColumns columns, each bigger than a
// write batch, between small ones that share batches; every description
// carries the scan's version.
const (
	crashTables  = 8
	crashColumns = 300
)

func crashTable(i int) (name string, columns int) {
	if i%2 == 0 {
		return fmt.Sprintf("big%02d", i), crashColumns
	}
	return fmt.Sprintf("small%02d", i), 7
}

// crashDrops says whether table i has, besides its columns, one named after
// the scan's version: each scan adds its own and drops the one before.
func crashDrops(i int) bool { return i%4 < 2 }

// scanTables runs the runner as the server would, with small batches.
func scanTables(ctx context.Context, st catalog.Store, version int) error {
	v := "v" + strconv.Itoa(version)
	src := crashSource(func(ctx context.Context, sink source.Sink) error {
		if err := sink.Emit(ctx, catalog.Entity{FQN: "svc", Kind: catalog.KindService, Service: "svc", Name: "svc"},
			catalog.Entity{FQN: "svc.db", Kind: catalog.KindDatabase, Service: "svc", ParentFQN: "svc", Name: "db"}); err != nil {
			return err
		}
		for i := range crashTables {
			name, n := crashTable(i)
			fqn := "svc.db." + name
			es := []catalog.Entity{{FQN: fqn, Kind: catalog.KindTable, Service: "svc", ParentFQN: "svc.db", Name: name, Description: v}}
			for c := range n {
				col := fmt.Sprintf("c%03d", c)
				es = append(es, catalog.Entity{FQN: fqn + "." + col, Kind: catalog.KindColumn, Service: "svc", ParentFQN: fqn, Name: col,
					Description: v, Attrs: map[string]any{"dataType": "bigint", "ordinal": int64(c)}})
			}
			if crashDrops(i) {
				es = append(es, catalog.Entity{FQN: fqn + ".x_" + v, Kind: catalog.KindColumn, Service: "svc", ParentFQN: fqn, Name: "x_" + v,
					Description: v, Attrs: map[string]any{"dataType": "string", "ordinal": int64(n)}})
			}
			if err := sink.EmitComplete(ctx, es, catalog.Listing{ParentFQN: fqn, Kinds: []catalog.Kind{catalog.KindColumn}}); err != nil {
				return err
			}
			crashStep()
		}
		return sink.Complete(ctx, "svc.db", catalog.KindTable)
	})
	_, err := (&scan.Runner{Store: st, BatchSize: crashBatch}).Run(ctx, "svc", "glue", src)
	return err
}

// TestKillMidScanLeavesTablesWhole: tables bigger than a write batch, each
// with its columns (and the deletion of a dropped one) written whole.
func TestKillMidScanLeavesTablesWhole(t *testing.T) {
	killScans(t, "tables", 20)
}

// tableVersions reads each table's version, failing the test when its
// columns do not all carry it or are not all there.
func tableVersions(t *testing.T, ctx context.Context, st catalog.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := range crashTables {
		name, n := crashTable(i)
		fqn := "svc.db." + name
		e, err := st.Get(ctx, fqn)
		if err != nil {
			t.Fatalf("%s: %v", fqn, err)
		}
		out[fqn] = e.Description
		columns := listAll(t, ctx, st, fqn, catalog.KindColumn)
		want := n
		if crashDrops(i) {
			want++
			// The column of the table's version only: the one before
			// is deleted when this one is written.
			if c, err := st.Get(ctx, fqn+".x_"+e.Description); err != nil || c.Deleted {
				t.Errorf("%s is %s but its column x_%s is missing or deleted (%v)", fqn, e.Description, e.Description, err)
			}
		}
		if len(columns) != want {
			t.Errorf("%s is %s with %d live columns, want %d: a dropped column outlived the write of the new ones", fqn, e.Description, len(columns), want)
		}
		mixed := 0
		for _, c := range columns {
			if c.Description != e.Description {
				mixed++
			}
		}
		if mixed > 0 {
			t.Errorf("%s is %s but %d of its %d columns are not: a mix of two scans", fqn, e.Description, mixed, len(columns))
		}
	}
	return out
}

type crashSource func(ctx context.Context, sink source.Sink) error

func (f crashSource) Scan(ctx context.Context, sink source.Sink) error { return f(ctx, sink) }
