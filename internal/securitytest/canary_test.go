package securitytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// deniedRole is a role whose AssumeRole the test refuses.
const deniedRole = "arn:aws:iam::210987654321:role/DeniedRole"

// canary is a unique random string: found anywhere, it can only have come
// from the secret field it was put in.
func canary(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + strings.ToUpper(hex.EncodeToString(b))
}

// sweep collects everything lakemap printed, logged, answered or failed
// with, each piece named by where it came from.
type sweep struct {
	mu     sync.Mutex
	pieces map[string]string
}

func (s *sweep) add(where, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pieces[where] += text
}

func (s *sweep) addJSON(t *testing.T, where string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	s.add(where, string(b))
}

// lockedBuffer is a debug log sink shared by goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A workflow with canaries in every secret field goes through ingest, the
// connection test, every CLI command with --json, REST, MCP over stdio and
// HTTP, debug logs and a forced error of each kind: no canary appears in
// any of them, nor in plaintext in the catalog file, its -wal or -shm.
func TestCanariesAppearNowhere(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	l.project(t, "alpha")
	canaries := map[string]string{
		"awsAccessKeyId":                    canary(t, "AKIA"),
		"awsSecretAccessKey":                canary(t, "cnrySecret"),
		"awsSessionToken":                   canary(t, "cnryToken"),
		"securityConfig.awsAccessKeyId":     canary(t, "AKIA"),
		"securityConfig.awsSecretAccessKey": canary(t, "cnryMSecret"),
		"securityConfig.awsSessionToken":    canary(t, "cnryMToken"),
		"LAKEMAP_SECRET_KEY":                canary(t, "cnryPassphrase"),
	}
	secret := secretsOf{canaries["awsAccessKeyId"], canaries["awsSecretAccessKey"], canaries["awsSessionToken"]}
	manifest := secretsOf{canaries["securityConfig.awsAccessKeyId"], canaries["securityConfig.awsSecretAccessKey"], canaries["securityConfig.awsSessionToken"]}
	t.Setenv(secrets.EnvKey, canaries["LAKEMAP_SECRET_KEY"])
	box, err := secrets.NewBox(canaries["LAKEMAP_SECRET_KEY"])
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Code that logs through the default logger (sessions built deep in a
	// source) must be captured too.
	prev := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(prev) })
	sw := &sweep{pieces: map[string]string{}}
	spec := func(src, access string) workflowSpec {
		return workflowSpec{Source: src, Access: access, Project: "alpha", Secrets: secret, Manifest: manifest}
	}

	// Ingest through the CLI (debug logs on its stderr) for every source.
	for _, src := range []string{"glue", "athena", "s3", "datazone"} {
		for _, access := range []string{"ReadOnly", "ReadWrite"} {
			w := spec(src, access)
			code, out, errOut := l.cli(t, "--log-level", "debug", "ingest", "--json", "-c", l.writeWorkflow(t, w))
			if code != 0 {
				t.Fatalf("ingest %s exit %d: %s", w.connName(), code, errOut)
			}
			sw.add("cli ingest "+w.connName(), out+errOut)
		}
	}

	// Connection test: in-process with a debug logger, and the CLI's on a
	// connection it answers quickly.
	for _, src := range []string{"glue", "s3", "datazone"} {
		rep := l.connectionTest(t, l.workflow(t, spec(src, "ReadWrite")), logger)
		sw.addJSON(t, "connection test "+src, rep)
	}
	_, out, errOut := l.cli(t, "--log-level", "debug", "connection", "test", "--json", "-c", l.writeWorkflow(t, spec("datazone", "ReadOnly")))
	sw.add("cli connection test", out+errOut)

	// Every reading CLI command with --json.
	for _, args := range [][]string{
		{"connection", "list", "--json"},
		{"scans", "--json"},
		{"search", "orders", "--json"},
		{"show", "glue_readonly.sales.orders", "--json"},
		{"token", "create", "canary-token", "--project", "alpha", "--json"},
		{"scan", "list", "--json"},
		{"token", "list", "--json"},
		{"project", "list", "--json"},
		{"project", "show", "alpha", "--json"},
		{"user", "list", "--json"},
		{"lineage", "glue_readonly.sales.big_orders", "--json"},
		{"schema-history", "glue_readonly.sales.orders", "--json"},
		{"validate", "-c", l.writeWorkflow(t, spec("s3", "ReadOnly"))},
		{"mcp", "--print-config"},
	} {
		_, out, errOut := l.cli(t, append([]string{"--log-level", "debug"}, args...)...)
		sw.add("cli "+strings.Join(args, " "), out+errOut)
	}

	// The denied role's trust policy refuses lakemap: every AssumeRole of
	// it is AccessDenied, for the scans here and the MCP tools below.
	l.pager.FailWhen(func(op string, body []byte) *moto.Fault {
		if op == "AssumeRole" && bytes.Contains(body, []byte("DeniedRole")) {
			return &moto.Fault{Code: "AccessDenied", Status: http.StatusForbidden, Message: "not authorized to perform sts:AssumeRole"}
		}
		return nil
	})
	// A forced error of each kind, through the CLI and in-process.
	for _, fe := range []struct {
		name string
		w    workflowSpec
	}{
		{"bad ARN", workflowSpec{RoleARN: "arn:aws:iam::12:role/", Name: "bad_arn"}},
		{"unreachable endpoint", workflowSpec{Endpoint: "http://127.0.0.1:1", Name: "unreachable"}},
		{"bad manifest", workflowSpec{ManifestBucket: "bad-manifests", Name: "bad_manifest"}},
		{"denied role", workflowSpec{RoleARN: deniedRole, Name: "denied_role"}},
	} {
		name, w := fe.name, fe.w
		w.Source, w.Access, w.Project, w.Secrets, w.Manifest = "s3", "ReadOnly", "alpha", secret, manifest
		code, out, errOut := l.cli(t, "--log-level", "debug", "ingest", "--json", "-c", l.writeWorkflow(t, w))
		sw.add("forced error (cli) "+name, out+errOut)
		if name != "bad manifest" && code == 0 {
			t.Errorf("%s: ingest succeeded, want an error", name)
		}
		if name == "bad ARN" {
			continue // refused by the workflow parser, checked above
		}
		_, err := ingest.Run(ctx, l.store, l.workflow(t, w), ingest.Options{Logger: logger, Secrets: box, AWS: fastAWS})
		if err != nil {
			p := apperr.Present(err)
			sw.add("forced error (ingest) "+name, err.Error())
			sw.addJSON(t, "forced error (presented) "+name, p)
		}
		sw.addJSON(t, "forced error (connection test) "+name, l.connectionTest(t, l.workflow(t, w), logger))
	}
	// REST.
	// REST answers signed-in callers only: a read token of the project.
	alpha, err := l.store.GetProject(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	restToken, restHash, err := auth.NewSecret(auth.TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	apiTok, err := catalog.NewAPIToken(alpha.ID, "canary-rest", catalog.ScopeRead, restHash, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.store.CreateAPIToken(ctx, apiTok); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&httpapi.API{Store: l.store, Auth: auth.New(l.store, auth.Options{Logger: logger}), Logger: logger}).Mount(mux)
	rest := httptest.NewServer(mux)
	defer rest.Close()
	for _, path := range []string{"/api/v1/connections", "/api/v1/scans", "/api/v1/search?q=orders", "/api/v1/entities?kind=table",
		"/api/v1/entities/" + url.PathEscape("glue_readonly.sales.orders"), "/api/v1/stats", "/api/v1/changes?since=2000-01-01T00:00:00Z"} {
		sw.add("REST "+path, httpGet(t, rest.URL+path, restToken))
	}

	// MCP over HTTP, with a token, and over stdio through the CLI.
	mcpSrv := mcpserver.New(mcpserver.Options{Store: l.store, Secrets: box, Logger: logger, AWS: fastAWS, QueryWait: time.Second})
	tok, hash, err := mcpserver.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.store.CreateToken(ctx, catalog.Token{Name: "canary-http", Hash: hash, Created: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	hmux := http.NewServeMux()
	hmux.Handle("/mcp", mcpSrv.HTTPHandler())
	hs := httptest.NewServer(hmux)
	defer hs.Close()
	httpClient := &http.Client{Transport: bearer{tok}}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "canary", Version: "1"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: hs.URL + "/mcp", HTTPClient: httpClient, DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sweepMCP(t, sw, "MCP HTTP", cs, true)
	cs.Close()

	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	var stderr lockedBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer stdoutW.Close()
		// cli.Main's own context: the stdio server ends when stdin closes.
		l.cliStreams(ctx, stdinR, stdoutW, &stderr, "--log-level", "debug", "mcp")
	}()
	cs, err = mcp.NewClient(&mcp.Implementation{Name: "canary", Version: "1"}, nil).Connect(ctx,
		&mcp.IOTransport{Reader: stdoutR, Writer: stdinW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sweepMCP(t, sw, "MCP stdio", cs, false)
	cs.Close()
	stdinW.Close()
	<-done
	sw.add("MCP stdio stderr", stderr.String())

	// The scans stored the errors above; show them again.
	_, out, _ = l.cli(t, "scans", "--json")
	sw.add("cli scans after errors", out)
	sw.add("debug logs", logs.String())

	for where, text := range sw.pieces {
		if text == "" {
			continue
		}
		for field, c := range canaries {
			if strings.Contains(text, c) {
				t.Errorf("the %s canary appears in %s", field, where)
			}
		}
	}
	if !strings.Contains(logs.String(), "level=DEBUG") {
		t.Error("no debug log was captured: the sweep of logs proves nothing")
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		raw, err := os.ReadFile(l.path + suffix)
		if err != nil {
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		for field, c := range canaries {
			if bytes.Contains(raw, []byte(c)) {
				t.Errorf("the %s canary is in plaintext in the catalog file%s", field, suffix)
			}
		}
	}
}

// sweepMCP calls the catalog tools and live tools on each connection:
// all of them when every, else the S3 reads alone (the stdio server runs
// with the CLI's retryer, which retries moto's 500s for unknown Athena ids
// for minutes).
func sweepMCP(t *testing.T, sw *sweep, where string, cs *mcp.ClientSession, every bool) {
	t.Helper()
	ctx := context.Background()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sw.addJSON(t, where+" tools/list", tools)
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"list_connections", map[string]any{}},
		{"search_catalog", map[string]any{"query": "orders"}},
		{"get_entity", map[string]any{"fqn": "glue_readonly.sales.orders"}},
		{"get_entity", map[string]any{"fqn": "glue_readonly.sales.ordrs"}},
		{"list_entities", map[string]any{"kind": "bucket"}},
		{"get_recent_changes", map[string]any{"since": "2000-01-01T00:00:00Z"}},
	} {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil {
			sw.add(where+" "+c.tool, err.Error())
			continue
		}
		sw.addJSON(t, where+" "+c.tool, res)
	}
	for _, conn := range []string{"glue_readwrite", "s3_readwrite", "unreachable", "denied_role"} {
		for _, lc := range liveCalls(conn) {
			if !every && !strings.HasPrefix(lc.tool, "s3_") {
				continue
			}
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: lc.tool, Arguments: lc.args})
			if err != nil {
				sw.add(where+" "+lc.tool, err.Error())
				continue
			}
			sw.addJSON(t, where+" "+lc.tool+" on "+conn, res)
		}
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func httpGet(t *testing.T, u, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + "\n" + string(b)
}
