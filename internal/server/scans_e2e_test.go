package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scanrun"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// newScanRig serves the whole composition with connections and a scan
// scheduler on the catalog's queue (the file beside a SQLite catalog,
// River's tables in a PostgreSQL one).
func newScanRig(t *testing.T, cat backends.Catalog) *rig {
	t.Helper()
	ctx := context.Background()
	st := cat.Store
	log := &syncBuffer{}
	logger := slog.New(ClipHandler(slog.NewTextHandler(log, nil)))
	authn := auth.New(st, auth.Options{Argon2: cheap, Logger: logger})
	box, err := secrets.NewBox("server test key")
	if err != nil {
		t.Fatal(err)
	}
	conns := connections.New(st, all.NewRegistry(), box)
	b := cat.OpenQueue(t)
	events := scanrun.NewBroker()
	run := &scanrun.Runner{Store: st, Connections: conns, Events: events, Logger: logger}
	sched, err := jobs.New(b, jobs.Config{Scan: run.Scan, Records: st, Logger: logger, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = sched.Stop(stopCtx)
	})
	api := &httpapi.API{Store: st, Auth: authn, Logger: logger, Connections: conns, Scans: sched, Events: events}
	h, err := Handler(Config{Addr: "127.0.0.1:0"}, Parts{API: api, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &rig{st: st, auth: authn, srv: srv, log: log}
}

// TestScanJourney: over HTTP against moto, an administrator creates a
// project and a Glue connection, tests it, starts a scan, follows its
// events to the end, and searches the scanned table with a project token;
// on each backend.
func TestScanJourney(t *testing.T) {
	for _, b := range backends.All {
		t.Run(b.Name, func(t *testing.T) { scanJourney(t, b.Open(t)) })
	}
}

func scanJourney(t *testing.T, cat backends.Catalog) {
	srv := moto.Start(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	moto.GlueDatabase(t, cust.AWS, gluetypes.DatabaseInput{Name: aws.String("sales")}, gluetypes.TableInput{
		Name: aws.String("orders"), Description: aws.String("Customer orders, one row per order"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
	})

	r := newScanRig(t, cat)
	admin := r.setUp(t)
	if code, m := r.do(t, admin, call{method: "POST", path: "/api/v1/projects", body: `{"name":"alpha"}`}); code != http.StatusCreated {
		t.Fatalf("create project: %d %v", code, m)
	}
	body, _ := json.Marshal(map[string]any{
		"name": "lake", "sourceType": "glue", "roleArn": cust.RoleARN, "region": "us-east-1", "endpointUrl": srv.URL(),
		"credentials":  map[string]any{"type": "static", "accessKeyId": "test", "secretAccessKey": "test"},
		"sourceConfig": map[string]any{"includeAthena": false},
	})
	if code, m := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections", body: string(body)}); code != http.StatusCreated {
		t.Fatalf("create connection: %d %v", code, m)
	}
	code, rep := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections/lake/test"})
	if code != 200 || rep["connection"] != "lake" || len(rep["results"].([]any)) == 0 {
		t.Fatalf("test connection: %d %v", code, rep)
	}

	code, started := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections/lake/scans"})
	if code != http.StatusAccepted || started["events"] == nil {
		t.Fatalf("start scan: %d %v", code, started)
	}
	done := follow(t, admin, r.srv.URL+started["events"].(string))
	if done["status"] != "succeeded" {
		t.Fatalf("done event %v\nlog:\n%s", done, r.log.String())
	}

	code, created := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/tokens", body: `{"name":"ci","scope":"read"}`})
	if code != http.StatusCreated {
		t.Fatalf("create token: %d %v", code, created)
	}
	bearer := map[string]string{"Authorization": "Bearer " + created["secret"].(string)}
	code, res := r.do(t, http.DefaultClient, call{method: "GET", path: "/api/v1/search?q=orders", header: bearer})
	if code != 200 || !strings.Contains(fmt.Sprint(res["hits"]), "lake.sales.orders") {
		t.Fatalf("search with the token: %d %v", code, res)
	}
}

// follow reads a scan's event stream to its done event and returns it.
func follow(t *testing.T, c *http.Client, url string) map[string]any {
	t.Helper()
	m, err := followEvents(c, url)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// followEvents is follow for any goroutine.
func followEvents(c *http.Client, url string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		return nil, fmt.Errorf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && event == "done" {
			var m map[string]any
			err := json.Unmarshal([]byte(v), &m)
			return m, err
		}
	}
	return nil, fmt.Errorf("the stream ended without a done event: %v", sc.Err())
}

// TestScanConflictAndCancel: with a scan running, a second start is 409
// naming it; DELETE cancels it, and its event stream ends with
// "cancelled".
func TestScanConflictAndCancel(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	logger := slog.New(slog.DiscardHandler)
	authn := auth.New(st, auth.Options{Argon2: cheap, Logger: logger})
	conns := connections.New(st, all.NewRegistry(), nil)
	b, err := jobs.OpenSQLite(ctx, filepath.Join(t.TempDir(), "queue.db"))
	if err != nil {
		t.Fatal(err)
	}
	// A scan that records itself and then runs until it is stopped.
	scanFn := func(ctx context.Context, job jobs.ScanJob) (int64, error) {
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: job.Target.Connection, SourceType: "glue", Started: time.Now()})
		if err != nil {
			return 0, err
		}
		job.Started(sc.ID)
		<-ctx.Done()
		return sc.ID, ctx.Err()
	}
	sched, err := jobs.New(b, jobs.Config{Scan: scanFn, Records: st, Logger: logger, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := sched.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = sched.Stop(stopCtx)
		b.Close()
	})
	api := &httpapi.API{Store: st, Auth: authn, Logger: logger, Connections: conns, Scans: sched, Events: scanrun.NewBroker()}
	h, err := Handler(Config{Addr: "127.0.0.1:0"}, Parts{API: api, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	r := &rig{st: st, auth: authn, srv: hs}
	admin := r.setUp(t)
	if code, m := r.do(t, admin, call{method: "POST", path: "/api/v1/projects", body: `{"name":"alpha"}`}); code != http.StatusCreated {
		t.Fatalf("create project: %d %v", code, m)
	}
	if code, m := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections", body: `{"name":"lake","sourceType":"glue"}`}); code != http.StatusCreated {
		t.Fatalf("create connection: %d %v", code, m)
	}
	code, first := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections/lake/scans"})
	if code != http.StatusAccepted || first["scanId"] == nil {
		t.Fatalf("start: %d %v", code, first)
	}
	code, second := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/connections/lake/scans"})
	if code != http.StatusConflict || second["scanId"] != first["scanId"] {
		t.Fatalf("second start: %d %v, want 409 naming scan %v", code, second, first["scanId"])
	}
	id := fmt.Sprint(first["scanId"])
	type result struct {
		m   map[string]any
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := followEvents(admin, hs.URL+"/api/v1/scans/"+id+"/events")
		done <- result{m, err}
	}()
	if code, m := r.do(t, admin, call{method: "DELETE", path: "/api/v1/scans/" + id}); code != http.StatusAccepted {
		t.Fatalf("cancel: %d %v", code, m)
	}
	select {
	case e := <-done:
		if e.err != nil || e.m["status"] != string(jobs.ScanCancelled) {
			t.Errorf("done event %v (%v), want status cancelled", e.m, e.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no done event after cancelling")
	}
}
