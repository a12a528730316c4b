package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// `scan list --project P` lists the scans of P's connections only, P by
// name or id, queued ones too with --queue; an unknown P is an error that
// names it.
func TestScanListByProject(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	projects := map[string]catalog.Project{}
	for _, name := range []string{"acme", "beta"} {
		p := projectWithConnection(t, st, name, name+"_glue")
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: name + "_glue", SourceType: "glue", Started: time.Now()})
		if err == nil {
			err = st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()})
		}
		if err != nil {
			t.Fatal(err)
		}
		projects[name] = p
	}
	st.Close()

	for _, args := range [][]string{
		{"scan", "list", "--project", "acme", "--json"},
		{"scan", "list", "--project", projects["acme"].ID, "--json"},
		{"scans", "--project", "acme", "--json"},
	} {
		var list []catalog.Scan
		code, out, errOut := run(t, append([]string{"--db", db}, args...)...)
		if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Service != "acme_glue" {
			t.Errorf("%v: exit %d %v %s\n%s", args, code, err, errOut, out)
		}
	}
	if code, out, _ := run(t, "--db", db, "scan", "list"); code != 0 || !strings.Contains(out, "acme_glue") || !strings.Contains(out, "beta_glue") {
		t.Errorf("list without --project: exit %d, want both connections\n%s", code, out)
	}
	if code, out, _ := run(t, "--db", db, "scan", "list", "--project", "beta", "--service", "acme_glue", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("another project's service: exit %d, want []\n%s", code, out)
	}

	if code, _, errOut := run(t, "--db", db, "scan", "start", "beta_glue"); code != 0 {
		t.Fatalf("scan start: exit %d %s", code, errOut)
	}
	for project, want := range map[string]int{"acme": 0, "beta": 1} {
		var queued []queuedScan
		code, out, _ := run(t, "--db", db, "scan", "list", "--queue", "--project", project, "--json")
		if err := json.Unmarshal([]byte(out), &queued); code != 0 || err != nil || len(queued) != want {
			t.Errorf("list --queue --project %s: exit %d %v, want %d jobs\n%s", project, code, err, want, out)
		}
	}

	for _, args := range [][]string{{"scan", "list", "--project", "gamma"}, {"scan", "list", "--queue", "--project", "gamma"}} {
		if code, _, errOut := run(t, append([]string{"--db", db}, args...)...); code != 3 || !strings.Contains(errOut, `no project "gamma"`) {
			t.Errorf("%v: exit %d %q; want exit 3 naming the project", args, code, errOut)
		}
	}
}

// Ctrl-C while `scan start --wait` follows a queued scan stops the waiting,
// not the scan: exit 130, saying so, and the job stays queued for the
// server.
func TestScanStartWaitInterrupted(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	projectWithConnection(t, st, "acme", "lake")
	st.Close()

	interrupt, stop := context.WithCancel(ctx)
	time.AfterFunc(500*time.Millisecond, stop)
	var out, errb strings.Builder
	code := Main(interrupt, []string{"--db", db, "scan", "start", "lake", "--wait"}, strings.NewReader(""), &out, &errb)
	if code != ExitInterrupted || !strings.Contains(errb.String(), "stopped waiting for scan job") || !strings.Contains(errb.String(), "goes on in lakemap serve") {
		t.Errorf("exit %d, stderr %q; want %d saying the scan goes on", code, errb.String(), ExitInterrupted)
	}
	var queued []queuedScan
	code, list, _ := run(t, "--db", db, "scan", "list", "--queue", "--json")
	if err := json.Unmarshal([]byte(list), &queued); code != 0 || err != nil || len(queued) != 1 || queued[0].Connection != "lake" {
		t.Errorf("the job after the interrupted wait: exit %d %v\n%s", code, err, list)
	}
}

// projectWithConnection creates project and, in it, the Glue connection
// conn.
func projectWithConnection(t *testing.T, st *sqlite.Store, project, conn string) catalog.Project {
	t.Helper()
	ctx := context.Background()
	p, err := catalog.NewProject(project, time.Now())
	if err == nil {
		err = st.CreateProject(ctx, p)
	}
	if err == nil {
		_, err = connections.New(st, all.NewRegistry(), nil).Create(ctx, p.ID, connections.Input{Name: conn, SourceType: "glue",
			RoleARN: "arn:aws:iam::210987654321:role/LakemapAccess", SourceConfig: map[string]any{"includeAthena": false}})
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}
