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

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// crashChildEnv holds "<db>\x1f<version>": the child process of
// TestKillMidScanLeavesTablesWhole scans that version into that catalog.
const crashChildEnv = "LAKEMAP_SCAN_CRASH_CHILD"

func TestMain(m *testing.M) {
	if arg := os.Getenv(crashChildEnv); arg != "" {
		db, v, _ := strings.Cut(arg, "\x1f")
		version, _ := strconv.Atoi(v)
		if err := scanVersion(context.Background(), db, version); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	pgtest.Start(m)
}

// The estate: tables of crashColumns columns, each bigger than a write
// batch, between small ones that share batches; every description carries
// the scan's version.
const (
	crashBatch   = 50
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

// scanVersion runs the runner as the server would, with small batches.
func scanVersion(ctx context.Context, db string, version int) error {
	var st catalog.Store
	var err error
	if postgres.IsURL(db) {
		st, err = postgres.Open(ctx, db)
	} else {
		st, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Println("scanning") // the parent kills from now on
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
		}
		return sink.Complete(ctx, "svc.db", catalog.KindTable)
	})
	_, err = (&scan.Runner{Store: st, BatchSize: crashBatch}).Run(ctx, "svc", "glue", src)
	return err
}

type crashSource func(ctx context.Context, sink source.Sink) error

func (f crashSource) Scan(ctx context.Context, sink source.Sink) error { return f(ctx, sink) }

// TestKillMidScanLeavesTablesWhole kills (SIGKILL) a process scanning
// tables bigger than a write batch at random moments, on each backend:
// after every kill each table and all its columns are as one complete
// scan or the killed one left them, never a mix — in particular a column
// the killed scan dropped is live with the old columns, or deleted beside
// the new ones.
func TestKillMidScanLeavesTablesWhole(t *testing.T) {
	for _, b := range backends.All {
		t.Run(b.Name, func(t *testing.T) {
			cat := b.Open(t)
			ctx := context.Background()
			// run starts a child scanning version, waits until it scans,
			// then waits for it to end or kills it after `after`.
			run := func(version int, after time.Duration) (scanning time.Duration) {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), crashChildEnv+"="+cat.DB+"\x1f"+strconv.Itoa(version))
				cmd.Stderr = os.Stderr
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				line, _ := bufio.NewReader(out).ReadString('\n')
				if line != "scanning\n" {
					_ = cmd.Wait()
					t.Fatalf("scan of v%d: said %q", version, line)
				}
				start := time.Now()
				if after >= 0 {
					time.Sleep(after)
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					return time.Since(start)
				}
				if err := cmd.Wait(); err != nil {
					t.Fatalf("scan of v%d: %v", version, err)
				}
				return time.Since(start)
			}
			full := run(0, -1)
			// Each table as the last check found it: a killed scan may
			// leave it so, or write it whole.
			before := tableVersions(t, ctx, cat.Store)
			const kills = 20
			midScan := 0 // kills that left some tables new, some not
			for version := 1; version <= kills; version++ {
				run(version, time.Duration(rand.Int64N(int64(full))))
				now := tableVersions(t, ctx, cat.Store)
				written := 0
				for fqn, v := range now {
					if v == "v"+strconv.Itoa(version) {
						written++
					}
					if v != before[fqn] && v != "v"+strconv.Itoa(version) {
						t.Errorf("kill %d: %s holds %s, neither its %s before the scan nor the killed scan's", version, fqn, v, before[fqn])
					}
				}
				if written > 0 && written < len(now) {
					midScan++
				}
				before = now
			}
			t.Logf("%d kills, %d of them between two of the scan's writes; a whole scan %v", kills, midScan, full.Round(time.Millisecond))
		})
	}
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
		page, err := st.List(ctx, catalog.ListQuery{ParentFQN: fqn, Limit: catalog.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		want := n
		if crashDrops(i) {
			want++
			// The column of the table's version only: the one before
			// is deleted when this one is written.
			if c, err := st.Get(ctx, fqn+".x_"+e.Description); err != nil || c.Deleted {
				t.Errorf("%s is %s but its column x_%s is missing or deleted (%v)", fqn, e.Description, e.Description, err)
			}
		}
		if len(page.Entities) != want {
			t.Errorf("%s is %s with %d live columns, want %d: a dropped column outlived the write of the new ones", fqn, e.Description, len(page.Entities), want)
		}
		mixed := 0
		for _, c := range page.Entities {
			if c.Description != e.Description {
				mixed++
			}
		}
		if mixed > 0 {
			t.Errorf("%s is %s but %d of its %d columns are not: a mix of two scans", fqn, e.Description, mixed, len(page.Entities))
		}
	}
	return out
}
