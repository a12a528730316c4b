package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/chromedp/chromedp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/scanrun"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/server"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/web"
	"github.com/lakemap/lakemap/internal/webpanels"
)

// stack is the server `lakemap serve` composes — REST API, MCP, the web
// UI with its connection and scan panels, a scan scheduler — on an empty
// SQLite catalog.
type stack struct {
	st   *sqlite.Store
	auth *auth.Authenticator
	srv  *httptest.Server
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	logger := slog.New(slog.DiscardHandler)
	authn := auth.New(st, auth.Options{Argon2: web.Cheap, Logger: logger})
	box, err := secrets.NewBox("web stack test key")
	web.Must(t, err)
	conns := connections.New(st, all.NewRegistry(), box)
	b, err := jobs.OpenSQLite(ctx, filepath.Join(t.TempDir(), "queue.db"))
	web.Must(t, err)
	events := scanrun.NewBroker()
	runner := &scanrun.Runner{Store: st, Connections: conns, Events: events, Logger: logger}
	sched, err := jobs.New(b, jobs.Config{Scan: runner.Scan, Records: st, Logger: logger, PollInterval: 100 * time.Millisecond})
	web.Must(t, err)
	web.Must(t, sched.Start(ctx))
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = sched.Stop(stopCtx)
		b.Close()
	})
	api := &httpapi.API{Store: st, Auth: authn, Logger: logger, Connections: conns, Scans: sched, Events: events}
	mcpSrv := mcpserver.New(mcpserver.Options{Store: st, Secrets: box, Logger: logger, Version: "test", Auth: authn})
	ui, err := web.New(web.Options{Store: st, Auth: authn, Logger: logger, VendorAccount: "123456789012",
		Connections: &webpanels.Connections{Store: st, Connections: conns, Logger: logger, Schedules: sched},
		Scans:       &webpanels.Scans{Store: st, Connections: conns, Scheduler: sched},
		Tools:       &webpanels.Tools{Store: st, MCP: mcpSrv}})
	web.Must(t, err)
	h, err := server.Handler(server.Config{Addr: "127.0.0.1:0"}, server.Parts{API: api, MCP: mcpSrv.HTTPHandler(), Web: ui, Logger: logger})
	web.Must(t, err)
	srv := httptest.NewServer(h)
	// The scan's event stream may still be open in the tab.
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	return &stack{st: st, auth: authn, srv: srv}
}

// admin creates an administrator and a project.
func (s *stack) admin(t *testing.T, name, project string) catalog.Project {
	t.Helper()
	s.user(t, name, true)
	p, err := catalog.NewProject(project, time.Now())
	web.Must(t, err)
	web.Must(t, s.st.CreateProject(context.Background(), p))
	return p
}

// user creates a user with web.TestPassword.
func (s *stack) user(t *testing.T, name string, admin bool) catalog.User {
	t.Helper()
	h, err := auth.HashPassword(web.TestPassword, web.Cheap)
	web.Must(t, err)
	u, err := catalog.NewUser(name, "", h, admin, time.Now())
	web.Must(t, err)
	web.Must(t, s.st.CreateUser(context.Background(), u))
	return u
}

// createToken creates a token on the project's Agents page, as a person
// does, and waits for its secret to show.
func createToken(t *testing.T, ctx context.Context, base, project, name string) {
	t.Helper()
	web.Step(t, ctx, "create token "+name,
		chromedp.Navigate(base+"/projects/"+project+"/agents"),
		chromedp.WaitVisible(chromedp.CSS("#f-name")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), name),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#token-secret")))
}

// TestScanAndAgentInBrowser, against moto: connect a Glue role from the
// Connect form, scan it from the browser and follow the progress to 100%
// and the outcome, find the scanned table, create a token on the Agents
// page, call an MCP tool over HTTP with it, revoke it there, and see the
// next call refused with 401.
func TestScanAndAgentInBrowser(t *testing.T) {
	ctx := web.Tab(t)
	motoSrv := moto.Start(t)
	cust := moto.CustomerRole(t, motoSrv, "210987654321")
	bg := context.Background()
	moto.GlueDatabase(t, cust.AWS, gluetypes.DatabaseInput{Name: aws.String("sales")}, gluetypes.TableInput{
		Name: aws.String("orders"), Description: aws.String("Customer orders, one row per order"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
	})
	// The Connect form has no credential fields: the server's own
	// credentials (here moto's keys) assume the customer's role.
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")

	s := newStack(t)
	s.admin(t, "root", "alpha")
	base := s.srv.URL
	web.SignIn(t, ctx, base+"/signin", "root")

	web.Step(t, ctx, "connect the role",
		chromedp.Navigate(base+"/projects/alpha/integrations/aws/glue"),
		chromedp.WaitVisible(chromedp.CSS("#f-roleArn")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "lake"),
		chromedp.SendKeys(chromedp.CSS("#f-roleArn"), cust.RoleARN),
		chromedp.Click(chromedp.CSS("form.stack details:last-of-type summary")),
		chromedp.SendKeys(chromedp.CSS("#f-endpointUrl"), motoSrv.URL()),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		// The page without a connection has no Scan button.
		chromedp.WaitVisible(chromedp.CSS(`button[value=scan]`)))

	web.Step(t, ctx, "scan now",
		chromedp.Click(chromedp.CSS(`button[value=scan]`)),
		chromedp.WaitVisible(chromedp.CSS("#scan-progress")))
	web.WaitTrue(t, ctx, "the progress bar reaches 100%", `document.getElementById("scan-progress").value === 100`)
	web.WaitTrue(t, ctx, "the outcome is shown", `document.getElementById("scan-status").hasAttribute("data-outcome")`)
	status := web.TextOf(t, ctx, "#scan-status")
	if !strings.HasPrefix(status, "Succeeded") || !strings.Contains(status, "written") || !strings.Contains(status, "AWS calls") ||
		strings.Contains(status, " 0 AWS calls") {
		t.Fatalf("scan status %q, want Succeeded with counts and AWS calls", status)
	}
	web.Step(t, ctx, "the scan history",
		chromedp.Click(chromedp.CSS("#scan-status a")),
		chromedp.WaitNotPresent(chromedp.CSS("#scan-progress")),
		chromedp.WaitVisible(chromedp.CSS("table.scans")))
	hist := web.TextOf(t, ctx, "table.scans tbody tr")
	for _, want := range []string{"succeeded", "1 × Table"} {
		if !strings.Contains(hist, want) {
			t.Errorf("scan history row %q lacks %q", hist, want)
		}
	}

	web.Step(t, ctx, "find the scanned table",
		chromedp.Navigate(base+"/search"),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "orders"),
		chromedp.WaitVisible(chromedp.CSS(`#suggest[data-q="orders"] a`)),
		chromedp.Click(chromedp.CSS(`#suggest a`)),
		chromedp.WaitVisible(chromedp.CSS("table.schema")))
	if h1 := web.TextOf(t, ctx, "h1"); !strings.Contains(h1, "orders") {
		t.Errorf("opened %q, want orders", h1)
	}

	createToken(t, ctx, base, "alpha", "claude")
	secret := web.TextOf(t, ctx, "#token-secret")
	if tools := web.TextOf(t, ctx, "ul.tools"); !strings.Contains(tools, "search_catalog") || strings.Contains(tools, "writes to AWS") {
		t.Errorf("tools a read token sees: %q", tools)
	}
	mcpURL := web.TextOf(t, ctx, "#mcp-url")

	callCtx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "web-test", Version: "1"}, nil).Connect(callCtx, &mcp.StreamableClientTransport{
		Endpoint: mcpURL, HTTPClient: &http.Client{Transport: bearer(secret)}, DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("MCP with the token from the Agents page: %v", err)
	}
	out, err := cs.CallTool(callCtx, &mcp.CallToolParams{Name: "search_catalog", Arguments: map[string]any{"query": "orders"}})
	if err != nil || out.IsError {
		t.Fatalf("search_catalog: %v %+v", err, out)
	}
	if got := toolText(out); !strings.Contains(got, "lake.sales.orders") {
		t.Errorf("search_catalog answered %q, want lake.sales.orders", got)
	}
	cs.Close()

	web.Step(t, ctx, "revoke the token",
		chromedp.Navigate(base+"/projects/alpha/agents"),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Revoke claude"]`)),
		chromedp.Click(chromedp.CSS(`button[aria-label="Revoke claude"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[aria-label="Revoke claude"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.tokens")))
	if row := web.TextOf(t, ctx, "table.tokens tbody tr"); !strings.Contains(row, "revoked") {
		t.Errorf("token row after revoking: %q", row)
	}
	req, err := http.NewRequestWithContext(callCtx, "POST", mcpURL, strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	web.Must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := (&http.Client{Transport: bearer(secret)}).Do(req)
	web.Must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("MCP with the revoked token: status %d, want 401", resp.StatusCode)
	}
}

// bearer sends a token with every request.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

func toolText(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
