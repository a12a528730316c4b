package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/testenv/backends"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// TestMain starts one PostgreSQL cluster for the package: the end-to-end
// journeys run on both backends.
func TestMain(m *testing.M) { pgtest.Start(m) }

var cheap = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	st   backends.Store
	auth *auth.Authenticator
	srv  *httptest.Server
	log  *syncBuffer
}

// newRig serves the whole composition on an empty SQLite catalog.
func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	return newRigOn(t, cfg, backends.All[0].Open(t).Store)
}

// newRigOn serves the whole composition on the empty catalog st.
func newRigOn(t *testing.T, cfg Config, st backends.Store) *rig {
	t.Helper()
	log := &syncBuffer{}
	logger := slog.New(ClipHandler(slog.NewTextHandler(log, nil)))
	authn := auth.New(st, auth.Options{Argon2: cheap, Logger: logger})
	mcpSrv := mcpserver.New(mcpserver.Options{Store: st, Logger: logger, Version: "test", Auth: authn})
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	h, err := Handler(cfg, Parts{API: &httpapi.API{Store: st, Auth: authn, Logger: logger}, MCP: mcpSrv.HTTPHandler(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &rig{st: st, auth: authn, srv: srv, log: log}
}

type call struct {
	method, path, body string
	header             map[string]string
}

func (r *rig) do(t *testing.T, c *http.Client, k call) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	if k.body != "" {
		body = strings.NewReader(k.body)
	}
	req, err := http.NewRequest(k.method, r.srv.URL+k.path, body)
	if err != nil {
		t.Fatal(err)
	}
	for h, v := range k.header {
		if h == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(h, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

// setUp creates the first administrator through the API and returns their
// signed-in client.
func (r *rig) setUp(t *testing.T) *http.Client {
	t.Helper()
	link, err := r.auth.EnsureSetupCode(context.Background())
	if err != nil || link == "" {
		t.Fatalf("EnsureSetupCode = %q, %v", link, err)
	}
	u, _ := url.Parse(link)
	c := browser(t)
	body, _ := json.Marshal(map[string]string{"code": u.Query().Get("code"), "username": "root", "password": "a long enough password"})
	if code, m := r.do(t, c, call{method: "POST", path: "/api/v1/setup", body: string(body)}); code != http.StatusCreated {
		t.Fatalf("setup: %d %v", code, m)
	}
	if again, _ := r.auth.EnsureSetupCode(context.Background()); again != "" {
		t.Errorf("a set-up catalog prints a setup link again: %q", again)
	}
	return c
}

// TestJourney: set up the first admin, create a project, give it a
// catalogued connection, create a read token, search with it over REST
// and MCP, revoke it, and see 401 on both doors.
func TestJourney(t *testing.T) {
	for _, b := range backends.All {
		t.Run(b.Name, func(t *testing.T) { journey(t, newRigOn(t, Config{}, b.Open(t).Store)) })
	}
}

func journey(t *testing.T, r *rig) {
	admin := r.setUp(t)
	code, proj := r.do(t, admin, call{method: "POST", path: "/api/v1/projects", body: `{"name":"alpha"}`})
	if code != http.StatusCreated {
		t.Fatalf("create project: %d %v", code, proj)
	}
	// Connections get their API from another part of the server; the
	// store puts one in the project meanwhile.
	ctx := context.Background()
	now := time.Now()
	for _, c := range []struct{ name, project string }{{"svc", proj["id"].(string)}, {"elsewhere", ""}} {
		if err := r.st.PutConnection(ctx, catalog.Connection{Name: c.name, ProjectID: c.project, SourceType: "glue", Region: "us-east-1",
			AccessLevel: catalog.ReadOnly, Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
		sc, _ := r.st.BeginScan(ctx, catalog.ScanStart{Service: c.name, SourceType: "glue", Started: now})
		if _, err := r.st.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: c.name, Kind: catalog.KindService},
			{FQN: c.name + ".sales", Kind: catalog.KindDatabase, Description: "orders and invoices"}}); err != nil {
			t.Fatal(err)
		}
	}
	code, created := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/tokens", body: `{"name":"ci","scope":"read"}`})
	if code != http.StatusCreated {
		t.Fatalf("create token: %d %v", code, created)
	}
	secret := created["secret"].(string)
	tokenID := created["token"].(map[string]any)["id"].(string)
	bearer := map[string]string{"Authorization": "Bearer " + secret}

	code, res := r.do(t, http.DefaultClient, call{method: "GET", path: "/api/v1/search?q=orders", header: bearer})
	if code != 200 || len(res["hits"].([]any)) != 1 || res["hits"].([]any)[0].(map[string]any)["service"] != "svc" {
		t.Fatalf("search with the token: %d %v", code, res)
	}

	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: r.srv.URL + "/mcp", HTTPClient: &http.Client{Transport: bearerTransport(secret)}, DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("MCP with a project token: %v", err)
	}
	out, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "search_catalog", Arguments: map[string]any{"query": "orders"}})
	if err != nil || out.IsError {
		t.Fatalf("search_catalog: %v %+v", err, out)
	}
	raw, _ := json.Marshal(out.StructuredContent)
	if !strings.Contains(string(raw), `"svc.sales"`) || strings.Contains(string(raw), "elsewhere") {
		t.Errorf("search_catalog over MCP: %s", raw)
	}
	cs.Close()

	if code, _ := r.do(t, admin, call{method: "DELETE", path: "/api/v1/projects/alpha/tokens/" + tokenID}); code != http.StatusNoContent {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := r.do(t, http.DefaultClient, call{method: "GET", path: "/api/v1/search?q=orders", header: bearer}); code != http.StatusUnauthorized {
		t.Errorf("REST with a revoked token: %d", code)
	}
	code, _ = r.do(t, http.DefaultClient, call{method: "POST", path: "/mcp", body: initialize, header: mcpHeaders(secret)})
	if code != http.StatusUnauthorized {
		t.Errorf("MCP with a revoked token: %d", code)
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

func mcpHeaders(secret string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + secret, "Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
}

type bearerTransport string

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// TestCrossOrigin: a forged cross-origin write is refused on every door;
// same-origin writes and scripts with a bearer token pass.
func TestCrossOrigin(t *testing.T) {
	r := newRig(t, Config{})
	admin := r.setUp(t)
	if code, _ := r.do(t, admin, call{method: "POST", path: "/api/v1/projects", body: `{"name":"alpha"}`}); code != http.StatusCreated {
		t.Fatal(code)
	}
	_, created := r.do(t, admin, call{method: "POST", path: "/api/v1/projects/alpha/tokens", body: `{"name":"ci"}`})
	secret := created["secret"].(string)
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site"}
	evil := map[string]string{"Origin": "http://evil.example"}
	for _, tc := range []struct {
		name string
		c    call
		want int
	}{
		{"cross-site POST", call{"POST", "/api/v1/projects", `{"name":"beta"}`, crossSite}, 403},
		{"foreign Origin POST", call{"POST", "/api/v1/projects", `{"name":"beta"}`, evil}, 403},
		{"cross-site PATCH", call{"PATCH", "/api/v1/projects/alpha", `{"name":"x"}`, crossSite}, 403},
		{"cross-site PUT", call{"PUT", "/api/v1/projects/alpha/members/root", `{"role":"viewer"}`, crossSite}, 403},
		{"cross-site DELETE", call{"DELETE", "/api/v1/projects/alpha", "", crossSite}, 403},
		{"cross-site sign-out", call{"DELETE", "/api/v1/session", "", evil}, 403},
		{"cross-site MCP", call{"POST", "/mcp", initialize, map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer " + secret,
			"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}}, 403},
		{"cross-site GET", call{"GET", "/api/v1/projects", "", crossSite}, 200},
		{"same-origin POST", call{"POST", "/api/v1/projects", `{"name":"gamma"}`, map[string]string{"Sec-Fetch-Site": "same-origin"}}, 201},
		{"Origin of the server itself", call{"POST", "/api/v1/projects", `{"name":"delta"}`, map[string]string{"Origin": r.srv.URL}}, 201},
		{"bearer from a script", call{"POST", "/mcp", initialize, mcpHeaders(secret)}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, m := r.do(t, admin, tc.c); code != tc.want {
				t.Errorf("status %d, want %d: %v", code, tc.want, m)
			}
		})
	}
	if code, _ := r.do(t, admin, call{method: "GET", path: "/api/v1/projects/alpha"}); code != 200 {
		t.Errorf("alpha after the forged writes: %d", code)
	}
}

// TestHostAllowList: a Host outside the list (DNS rebinding) is 421.
func TestHostAllowList(t *testing.T) {
	r := newRig(t, Config{AllowedHosts: []string{"Lakemap.Example"}})
	port := r.srv.URL[strings.LastIndex(r.srv.URL, ":")+1:]
	for _, tc := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"[::1]:" + port, 200},
		{"lakemap.example", 200},
		{"evil.example:" + port, 421},
		{"127.0.0.1.evil.example", 421},
	} {
		t.Run(tc.host, func(t *testing.T) {
			if code, _ := r.do(t, http.DefaultClient, call{method: "GET", path: "/healthz", header: map[string]string{"Host": tc.host}}); code != tc.want {
				t.Errorf("status %d, want %d", code, tc.want)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		err  string
	}{
		{"loopback", Config{Addr: "127.0.0.1:8080"}, ""},
		{"localhost", Config{Addr: "localhost:8080"}, ""},
		{"IPv6 loopback", Config{Addr: "[::1]:8080"}, ""},
		{"all interfaces without TLS", Config{Addr: "0.0.0.0:8080", AllowedHosts: []string{"x"}}, "--tls-cert"},
		{"empty host without TLS", Config{Addr: ":8080"}, "--behind-tls-proxy"},
		{"a LAN address without TLS", Config{Addr: "192.0.2.10:8080"}, "clear text"},
		{"a LAN address with TLS", Config{Addr: "192.0.2.10:8080", TLSCert: "c.pem", TLSKey: "k.pem"}, ""},
		{"behind a proxy", Config{Addr: "192.0.2.10:8080", BehindTLSProxy: true}, ""},
		{"all interfaces, no names", Config{Addr: "0.0.0.0:8080", BehindTLSProxy: true}, "--allowed-host"},
		{"all interfaces with names", Config{Addr: "0.0.0.0:8080", BehindTLSProxy: true, AllowedHosts: []string{"lakemap.example"}}, ""},
		{"cert without key", Config{Addr: "127.0.0.1:8080", TLSCert: "c.pem"}, "both"},
		{"no port", Config{Addr: "127.0.0.1"}, "host:port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Check()
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("Check() = %v, want an error mentioning %q", err, tc.err)
			}
		})
	}
}

// TestRequestErrorLogsAreShort: a 700 KB query never makes a long log line
// or a long error body.
func TestRequestErrorLogsAreShort(t *testing.T) {
	r := newRig(t, Config{})
	admin := r.setUp(t)
	huge := strings.Repeat("ab", 350_000)
	for _, c := range []struct {
		client *http.Client
		path   string
	}{
		{http.DefaultClient, "/api/v1/entities/" + huge},
		{http.DefaultClient, "/api/v1/search?q=" + huge},
		{admin, "/api/v1/search?q=" + huge},
		{admin, "/api/v1/entities/" + huge},
		{admin, "/api/v1/changes?since=" + huge},
	} {
		code, m := r.do(t, c.client, call{method: "GET", path: c.path})
		if raw, _ := json.Marshal(m); len(raw) > 2048 {
			t.Errorf("GET %.40s…: %d with a %d-byte body", c.path, code, len(raw))
		}
	}
	logged := r.log.String()
	if !strings.Contains(logged, "request refused") {
		t.Fatalf("nothing logged: %q", logged)
	}
	for _, line := range strings.Split(logged, "\n") {
		if len(line) > 2048 {
			t.Errorf("a %d-byte log line: %.200s…", len(line), line)
		}
	}
}

// TestRun: Run serves until its context ends, and refuses an unsafe
// address before listening.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	go func() {
		done <- Run(ctx, Config{Addr: "127.0.0.1:0"}, h, slog.New(slog.DiscardHandler), func(a net.Addr) { addrc <- a })
	}()
	addr := <-addrc
	resp, err := http.Get("http://" + addr.String() + "/")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v", err)
	}
	if err := Run(context.Background(), Config{Addr: "0.0.0.0:0", AllowedHosts: []string{"x"}}, h, slog.New(slog.DiscardHandler), nil); err == nil || !strings.Contains(err.Error(), "--tls-cert") {
		t.Errorf("Run on all interfaces without TLS = %v", err)
	}
}
