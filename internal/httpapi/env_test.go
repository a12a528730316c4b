package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// TestMain starts one PostgreSQL cluster for the package: the tenancy
// suites run on both backends.
func TestMain(m *testing.M) { pgtest.Start(m) }

// cheap keeps password hashing fast in tests.
var cheap = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPassword = "a long enough password"

// env is a catalog with two projects: alpha (connection svc) and beta
// (connection other), and users with each role: admin (administrator),
// owner, editor and viewer of alpha, and outsider (owner of beta).
type env struct {
	t           *testing.T
	st          backends.Store
	api         *API
	srv         *httptest.Server
	log         *strings.Builder
	alpha, beta catalog.Project
	users       map[string]catalog.User
	cookies     map[string]*http.Cookie
}

// newEnv builds the env on SQLite.
func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, backends.All[0])
}

// eachBackend runs test as a subtest per backend, each on its own env.
func eachBackend(t *testing.T, test func(t *testing.T, e *env)) {
	for _, b := range backends.All {
		t.Run(b.Name, func(t *testing.T) { test(t, newEnvOn(t, b)) })
	}
}

// newEnvOn builds the env on an empty catalog of backend b.
func newEnvOn(t *testing.T, b backends.Backend) *env {
	t.Helper()
	ctx := context.Background()
	st := b.Open(t).Store
	log := &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(log, nil))
	authn := auth.New(st, auth.Options{Argon2: cheap, Logger: logger})
	box, err := secrets.NewBox("httpapi test key")
	must(t, err)
	e := &env{t: t, st: st, log: log, api: &API{Store: st, Auth: authn, Logger: logger, Connections: connections.New(st, all.NewRegistry(), box)},
		users: map[string]catalog.User{}, cookies: map[string]*http.Cookie{}}
	mux := http.NewServeMux()
	e.api.Mount(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)

	now := time.Now()
	e.alpha, _ = catalog.NewProject("alpha", now)
	e.beta, _ = catalog.NewProject("beta", now)
	for _, p := range []catalog.Project{e.alpha, e.beta} {
		must(t, st.CreateProject(ctx, p))
	}
	for _, c := range []struct{ name, project string }{{"svc", e.alpha.ID}, {"other", e.beta.ID}} {
		must(t, st.PutConnection(ctx, catalog.Connection{Name: c.name, ProjectID: c.project, SourceType: "glue", Region: "us-east-1",
			AccessLevel: catalog.ReadOnly, Created: now, Updated: now}))
	}
	seed(t, st, "svc", "sales", "orders.v2", "Orders, second version")
	seed(t, st, "other", "secret", "payroll", "Orders of beta, secret")

	for _, u := range []struct {
		name    string
		admin   bool
		project string
		role    catalog.Role
	}{
		{"admin", true, "", ""},
		{"owner", false, e.alpha.ID, catalog.RoleOwner},
		{"editor", false, e.alpha.ID, catalog.RoleEditor},
		{"viewer", false, e.alpha.ID, catalog.RoleViewer},
		{"outsider", false, e.beta.ID, catalog.RoleOwner},
	} {
		h, err := auth.HashPassword(testPassword, cheap)
		must(t, err)
		user, err := catalog.NewUser(u.name, "", h, u.admin, now)
		must(t, err)
		must(t, st.CreateUser(ctx, user))
		if u.project != "" {
			must(t, st.PutMember(ctx, catalog.Membership{ProjectID: u.project, UserID: user.ID, Role: u.role, Created: now}))
		}
		rec := httptest.NewRecorder()
		must(t, authn.StartSession(rec, httptest.NewRequest("POST", "/", nil), user))
		e.users[u.name], e.cookies[u.name] = user, rec.Result().Cookies()[0]
	}
	return e
}

// seed adds service.db.table with one column, in one finished scan.
func seed(t *testing.T, st catalog.ScanWriter, service, db, table, desc string) {
	t.Helper()
	ctx := context.Background()
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: service, SourceType: "glue", Started: time.Now()})
	must(t, err)
	tfqn := catalog.JoinFQN(service, db, table)
	_, err = st.Upsert(ctx, sc.ID, []catalog.Entity{
		{FQN: catalog.JoinFQN(service), Kind: catalog.KindService},
		{FQN: catalog.JoinFQN(service, db), Kind: catalog.KindDatabase, Description: "Sales"},
		{FQN: tfqn, Kind: catalog.KindTable, Description: desc},
		{FQN: catalog.Child(tfqn, "order_id"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "bigint"}},
	})
	must(t, err)
	must(t, st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// as names the caller of a request: a user of the env, "bearer:<token>",
// or "" for anonymous.
func (e *env) do(method, path, body, as string) (int, map[string]any, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	must(e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := strings.CutPrefix(as, "bearer:"); ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if as != "" {
		c := e.cookies[as]
		if c == nil {
			e.t.Fatalf("no user %q in the env", as)
		}
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	must(e.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode >= 400 && ct != apperr.ProblemContentType {
		e.t.Fatalf("%s %s: error %d with Content-Type %q, want %s", method, path, resp.StatusCode, ct, apperr.ProblemContentType)
	}
	if strings.HasPrefix(ct, "application/json") || ct == apperr.ProblemContentType {
		if err := json.Unmarshal(raw, &m); err != nil {
			e.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, m, resp.Header
}

// token creates an API token in a project as its owner and returns the
// secret.
func (e *env) token(project, owner, body string) (string, string) {
	e.t.Helper()
	code, m, _ := e.do("POST", "/api/v1/projects/"+project+"/tokens", body, owner)
	if code != http.StatusCreated {
		e.t.Fatalf("create token: %d %v", code, m)
	}
	return m["secret"].(string), m["token"].(map[string]any)["id"].(string)
}

// stream reads a whole event stream as a user of the env.
func (e *env) stream(path, as string) (string, error) {
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		return "", err
	}
	c := e.cookies[as]
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		return "", &apperr.Error{Kind: apperr.Internal, Msg: "content type " + ct}
	}
	raw, err := io.ReadAll(resp.Body)
	return string(raw), err
}
