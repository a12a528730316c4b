package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/server"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

// cheap keeps password hashing fast in tests.
var cheap = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const (
	testPassword  = "a long enough password"
	vendorAccount = "123456789012"
)

// env is the whole server (API + UI behind the server's middleware) over an
// empty SQLite catalog.
type env struct {
	t    *testing.T
	st   *sqlite.Store
	auth *auth.Authenticator
	srv  *httptest.Server
	log  *strings.Builder
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	log := &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	authn := auth.New(st, auth.Options{Argon2: cheap, Logger: logger})
	opts.Store, opts.Auth, opts.Logger = st, authn, logger
	if opts.VendorAccount == "" {
		opts.VendorAccount = vendorAccount
	}
	ui, err := New(opts)
	must(t, err)
	api := &httpapi.API{Store: st, Auth: authn, Logger: logger}
	h, err := server.Handler(server.Config{Addr: "127.0.0.1:0"}, server.Parts{API: api, Web: ui, Logger: logger})
	must(t, err)
	srv := httptest.NewServer(h)
	// Streams (a scan's server-sent events) stay open while a tab shows
	// them; httptest.Server.Close would wait for them forever.
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return &env{t: t, st: st, auth: authn, srv: srv, log: log}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// user creates a user with a role in a project ("" for none).
func (e *env) user(name string, admin bool, projectID string, role catalog.Role) catalog.User {
	e.t.Helper()
	ctx := context.Background()
	h, err := auth.HashPassword(testPassword, cheap)
	must(e.t, err)
	u, err := catalog.NewUser(name, "", h, admin, time.Now())
	must(e.t, err)
	must(e.t, e.st.CreateUser(ctx, u))
	if projectID != "" {
		must(e.t, e.st.PutMember(ctx, catalog.Membership{ProjectID: projectID, UserID: u.ID, Role: role, Created: time.Now()}))
	}
	return u
}

func (e *env) project(name string) catalog.Project {
	e.t.Helper()
	p, err := catalog.NewProject(name, time.Now())
	must(e.t, err)
	must(e.t, e.st.CreateProject(context.Background(), p))
	return p
}

// client is a browser-like HTTP client signed in as a user: it keeps
// cookies, sends the same-origin header a browser sends with its forms and
// does not follow redirects.
func (e *env) client(username string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if username != "" {
		code, _ := e.post(c, "/signin", url.Values{"username": {username}, "password": {testPassword}})
		if code != http.StatusSeeOther {
			e.t.Fatalf("sign in as %s: status %d", username, code)
		}
	}
	return c
}

func (e *env) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.srv.URL + path)
	must(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form as a browser on this site does (Sec-Fetch-Site:
// same-origin); cross-origin posts are the server's middleware's test.
func (e *env) post(c *http.Client, path string, form url.Values) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
	must(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	must(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// seedCatalog gives a project a glue connection "lake" with a database,
// a partitioned table with nested columns and statistics, a view reading
// it and the S3 container holding its data.
func seedCatalog(t testing.TB, st *sqlite.Store, projectID string) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	must(t, st.PutConnection(ctx, catalog.Connection{Name: "lake", ProjectID: projectID, SourceType: "glue", Region: "us-east-1",
		RoleARN: "arn:aws:iam::210987654321:role/GlueAccessRoleForLakemap", AccessLevel: catalog.ReadOnly, Created: now, Updated: now}))
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: "lake", SourceType: "glue", Started: now})
	must(t, err)
	table := catalog.JoinFQN("lake", "sales", "orders")
	view := catalog.JoinFQN("lake", "sales", "orders_daily")
	bucket := catalog.JoinFQN("lake", "datalake")
	container := catalog.Child(bucket, "sales/orders")
	_, err = st.Upsert(ctx, sc.ID, []catalog.Entity{
		{FQN: "lake", Kind: catalog.KindService},
		{FQN: catalog.JoinFQN("lake", "sales"), Kind: catalog.KindDatabase, Description: "Sales data"},
		{FQN: table, Kind: catalog.KindTable, Description: "Every order, one row per order line", Attrs: map[string]any{
			"tableType": "EXTERNAL_TABLE", "format": "parquet", "location": "s3://datalake/sales/orders/",
			"partitionKeys": []any{map[string]any{"name": "dt", "type": "string"}}, "partitionCount": 2, "newestPartition": "dt=2024-01-02"}},
		{FQN: catalog.Child(table, "order_id"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "bigint", "ordinal": 0,
			"statistics": map[string]any{"numberOfNulls": 0, "numberOfDistinctValues": 1200}}},
		{FQN: catalog.Child(table, "customer"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "struct<name:string,address:struct<city:string,zip:string>>", "ordinal": 1}},
		{FQN: catalog.Child(table, "dt"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "string", "ordinal": 2, "isPartitionKey": true}},
		{FQN: catalog.Child(table, "dt=2024-01-01"), Kind: catalog.KindPartition, Attrs: map[string]any{"values": []any{"2024-01-01"}}},
		{FQN: catalog.Child(table, "dt=2024-01-02"), Kind: catalog.KindPartition, Attrs: map[string]any{"values": []any{"2024-01-02"}}},
		{FQN: view, Kind: catalog.KindTable, Description: "Orders per day", Attrs: map[string]any{"tableType": "VIRTUAL_VIEW", "isView": true}},
		{FQN: bucket, Kind: catalog.KindBucket, Attrs: map[string]any{"sizeBytes": 5 << 30, "objectCount": 4200}},
		{FQN: container, Kind: catalog.KindContainer, Attrs: map[string]any{"path": "sales/orders/", "fileCount": 42, "sizeBytes": 1 << 30}},
	})
	must(t, err)
	must(t, st.ReplaceEdges(ctx, sc.ID, catalog.EdgeView, []string{view}, []catalog.Edge{
		{From: table, To: view, Kind: catalog.EdgeView, Origin: view, Evidence: "SELECT dt, count(*) FROM orders GROUP BY dt", Service: "lake", At: now}}))
	must(t, st.ReplaceEdges(ctx, sc.ID, catalog.EdgeStorage, []string{table}, []catalog.Edge{
		{From: container, To: table, Kind: catalog.EdgeStorage, Origin: table, Evidence: "s3://datalake/sales/orders/", Service: "lake", At: now}}))
	must(t, st.ReplaceLocations(ctx, "lake", []catalog.Location{
		{FQN: bucket, Kind: catalog.KindBucket, Service: "lake", Bucket: "datalake", Prefix: ""},
		{FQN: container, Kind: catalog.KindContainer, Service: "lake", Bucket: "datalake", Prefix: "sales/orders/"}}))
	must(t, st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}))

	// A second scan: the bucket grew (its CloudWatch metrics make a
	// chart), a column changed type and one appeared (a schema diff).
	sc, err = st.BeginScan(ctx, catalog.ScanStart{Service: "lake", SourceType: "glue", Started: time.Now()})
	must(t, err)
	_, err = st.Upsert(ctx, sc.ID, []catalog.Entity{
		{FQN: bucket, Kind: catalog.KindBucket, Attrs: map[string]any{"sizeBytes": 6 << 30, "objectCount": 4500,
			"metricsAt": time.Now().UTC().Format(time.RFC3339)}},
		{FQN: catalog.Child(table, "order_id"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "decimal(20,0)", "ordinal": 0,
			"statistics": map[string]any{"numberOfNulls": 0, "numberOfDistinctValues": 1200}}},
		{FQN: catalog.Child(table, "channel"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "string", "ordinal": 3}},
	})
	must(t, err)
	must(t, st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}))
}
