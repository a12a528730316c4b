package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browser is the one headless Chromium of this test package, started by
// TestMain when Chromium is installed.
var browser struct {
	ctx     context.Context
	missing string // why there is no browser
}

func TestMain(m *testing.M) {
	path := chromiumPath()
	if path == "" {
		browser.missing = "no chromium on PATH (Debian: apt-get install -y chromium; `make tools` does it as root)"
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "lakemap-chromium-")
	if err != nil {
		panic(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(dir),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	// The first Run starts the browser; it lives as long as bctx. A
	// Chromium that never answers must fail the package within a minute,
	// not hold it until go test's own timeout.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }()
	select {
	case err := <-started:
		if err != nil {
			browser.missing = "starting chromium: " + err.Error()
		}
	case <-time.After(time.Minute):
		browser.missing = "chromium did not start within a minute"
	}
	if browser.missing != "" {
		cancelB()
		cancelA()
		_ = os.RemoveAll(dir)
		os.Exit(m.Run())
	}
	browser.ctx = bctx
	code := m.Run()
	cancelB()
	cancelA()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func chromiumPath() string {
	if p := os.Getenv("LAKEMAP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab opens a fresh tab (its own cookies are the browser's: each test
// signs in itself) or skips when there is no browser, except under CI.
func tab(t *testing.T) context.Context {
	t.Helper()
	if browser.ctx == nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need Chromium under CI: %s", browser.missing)
		}
		t.Skip("skipping browser test: " + browser.missing)
	}
	// The whole test has a deadline, set before the tab exists so that it
	// bounds every browser call, the failure screenshot included: a wedged
	// renderer fails the test in minutes instead of hanging the package.
	dctx, cancelDeadline := context.WithTimeout(browser.ctx, testDeadline)
	// A browser context of its own: the test's cookies are its own, since
	// cookies do not tell the test servers' ports apart.
	ctx, cancel := chromedp.NewContext(dctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancel(); cancelDeadline() })
	// The first Run opens the tab and ties it to the context it is given,
	// so it runs on ctx itself (bounded by the test's deadline), not on a
	// step's shorter one that would close the tab when the step ends.
	must(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	return ctx
}

const (
	testDeadline = 3 * time.Minute
	// stepDeadline is generous: CI runs every package at once on two cores.
	stepDeadline = 30 * time.Second
)

// run is chromedp.Run with a step's deadline.
func run[T any](ctx context.Context, action chromedp.Action[T]) (T, error) {
	sctx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	return chromedp.Run(sctx, action)
}

// step runs one step of a journey with a deadline; on failure it saves a
// screenshot next to the test's output and fails with the step's name.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		shot, serr := run(ctx, chromedp.FullScreenshot(100))
		file := filepath.Join(t.TempDir(), "failure.png")
		if dir := os.Getenv("LAKEMAP_FAILURE_SHOTS"); dir != "" {
			file = filepath.Join(dir, strings.ReplaceAll(t.Name()+"-"+name, "/", "_")+".png")
		}
		if serr == nil {
			_ = os.WriteFile(file, shot, 0o644)
		}
		loc, _ := run(ctx, chromedp.Location())
		t.Fatalf("step %q at %s: %v (screenshot %s)", name, loc, err, file)
	}
}

// signIn signs in on the page at signinURL and waits until the browser has
// left it: the sign-in page has an h1 of its own, so waiting for the next
// page's elements alone can race the redirect.
func signIn(t *testing.T, ctx context.Context, signinURL, username string) {
	t.Helper()
	step(t, ctx, "sign in as "+username,
		chromedp.Navigate(signinURL),
		chromedp.SendKeys(chromedp.CSS("#f-username"), username),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitNotPresent(chromedp.CSS("#f-password")),
		chromedp.WaitVisible(chromedp.CSS("h1")))
}

// waitTrue waits until a JavaScript expression is true.
func waitTrue(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	if _, err := chromedp.Run(sctx, chromedp.Poll[bool](expr)); err != nil {
		t.Fatalf("waiting until %s: %v", what, err)
	}
}

// text reads the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func attrOf(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepDeadline)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("reading %s@%s: %v", sel, name, err)
	}
	return v.Value
}

func contains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s: %q does not contain %q", what, got, want)
	}
}

// TestJourney is a new operator's first hour: the setup link, a project,
// the External ID, the Glue onboarding page, a search as you type, the
// table's page and an MCP token.
func TestJourney(t *testing.T) {
	ctx := tab(t)
	e := newEnv(t, Options{Connections: &fakeConnections{}, Tools: fakeTools{}})
	link, err := e.auth.EnsureSetupCode(context.Background())
	must(t, err)
	base := e.srv.URL

	step(t, ctx, "open the setup link", chromedp.Navigate(base+link), chromedp.WaitVisible(chromedp.CSS("#f-username")))
	step(t, ctx, "create the administrator",
		chromedp.SendKeys(chromedp.CSS("#f-username"), "root"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword),
		chromedp.SendKeys(chromedp.CSS("#f-confirm"), testPassword),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#f-name")))
	contains(t, "header", text(t, ctx, ".who"), "root")

	step(t, ctx, "create a project",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "alpha"),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#external-id")))
	proj, err := e.st.GetProject(context.Background(), "alpha")
	must(t, err)
	if got := text(t, ctx, "#external-id"); got != proj.ExternalID {
		t.Errorf("External ID shown %q, want %q", got, proj.ExternalID)
	}
	step(t, ctx, "copy the External ID", chromedp.Click(chromedp.CSS("button[data-copy=external-id]")))
	waitTrue(t, ctx, "the button says Copied", `document.querySelector("button[data-copy=external-id]").textContent === "Copied"`)

	step(t, ctx, "Integrations > AWS > Glue",
		chromedp.Click(chromedp.CSS(`nav.sub a[href$="/integrations/aws/glue"]`)),
		chromedp.WaitVisible(chromedp.CSS("#launch-stack")))
	href := attrOf(t, ctx, "#launch-stack", "href")
	contains(t, "Launch stack", href, "cloudformation")
	contains(t, "Launch stack", href, "param_ExternalId="+proj.ExternalID)
	contains(t, "trust policy", text(t, ctx, "#trust-policy"), proj.ExternalID)
	contains(t, "permission policy", text(t, ctx, "#policy-0"), "glue:GetTables")

	step(t, ctx, "a wrong Role ARN shows the field's error",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "lake2"),
		chromedp.SendKeys(chromedp.CSS("#f-roleArn"), "not-an-arn"),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#e-roleArn")))
	contains(t, "field error", text(t, ctx, "#e-roleArn"), "not an IAM role ARN")
	step(t, ctx, "a right one connects",
		chromedp.SetValue(chromedp.CSS("#f-roleArn"), "arn:aws:iam::210987654321:role/GlueAccessRoleForLakemap"),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value=test]`)))
	step(t, ctx, "test the connection",
		chromedp.Click(chromedp.CSS(`button[value=test]`)),
		chromedp.WaitVisible(chromedp.CSS("table.report")))
	contains(t, "report", text(t, ctx, "table.report"), "s3:GetObject")

	seedCatalog(t, e.st, proj.ID)
	step(t, ctx, "search as you type",
		chromedp.Click(chromedp.CSS(`nav a[href="/search"]`)),
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), "orders"),
		// The hits for the whole word, not for its first letters.
		chromedp.WaitVisible(chromedp.CSS(`#suggest[data-q="orders"] a`)))
	contains(t, "suggestions", text(t, ctx, "#suggest"), "orders")
	step(t, ctx, "move to the first suggestion", chromedp.SendKeys(chromedp.CSS("#q"), kb.ArrowDown))
	// Enter on the chosen hit opens it in a person's Chromium; headless
	// key events also submit the form, so the test opens the hit the
	// arrow key chose by clicking it.
	step(t, ctx, "open the chosen suggestion",
		chromedp.Click(chromedp.CSS(`#suggest a[aria-selected="true"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.schema")))
	contains(t, "title", text(t, ctx, "h1"), "orders")
	contains(t, "schema", text(t, ctx, "table.schema"), "customer")
	step(t, ctx, "expand a nested column",
		chromedp.Click(chromedp.CSS("table.schema details summary")),
		chromedp.WaitVisible(chromedp.CSS("ul.nested")))
	contains(t, "nested", text(t, ctx, "ul.nested"), "address")
	contains(t, "partitions", text(t, ctx, "#parts-h + dl"), "dt=2024-01-02")
	step(t, ctx, "lineage graph", chromedp.WaitVisible(chromedp.CSS("svg.lineage .edge")))
	svg, err := run(ctx, chromedp.TextContent(chromedp.CSS("svg.lineage")))
	must(t, err)
	contains(t, "lineage", svg, "orders_daily")
	contains(t, "lineage evidence", svg, "view: SELECT")
	contains(t, "storage link", attrOf(t, ctx, `.facts a[href^="/e/"]`, "href"), "sales%2Forders")

	step(t, ctx, "Agents page",
		chromedp.Navigate(base+"/projects/alpha/agents"),
		chromedp.WaitVisible(chromedp.CSS("#f-name")))
	contains(t, "MCP URL", text(t, ctx, "#mcp-url"), "/mcp")
	step(t, ctx, "create a read-write token",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "claude"),
		chromedp.Click(chromedp.CSS(`input[value=readwrite]`)),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#token-secret")))
	secret := text(t, ctx, "#token-secret")
	if !strings.HasPrefix(secret, "lkm_") {
		t.Errorf("token %q", secret)
	}
	contains(t, "HTTP config", text(t, ctx, "#conf-http"), "Bearer "+secret)
	contains(t, "tools", text(t, ctx, "ul.tools"), "athena_start_query")
}

// TestViewerInBrowser: a viewer's pages have no write forms, and a write
// forged from the browser's console is refused with 403.
func TestViewerInBrowser(t *testing.T) {
	ctx := tab(t)
	e := newEnv(t, Options{Connections: &fakeConnections{}})
	alpha := e.project("alpha")
	e.user("vic", false, alpha.ID, "viewer")
	signIn(t, ctx, e.srv.URL+"/signin", "vic")
	for _, path := range []string{"/projects/alpha", "/projects/alpha/agents", "/projects/alpha/integrations/aws/glue"} {
		step(t, ctx, "open "+path, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("h1")))
		n, err := run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main form[method=post]").length`))
		must(t, err)
		if n != 0 {
			t.Errorf("%s: a viewer sees %d write forms", path, n)
		}
	}
	status, err := run(ctx, chromedp.Evaluate[int](`fetch("/projects/alpha/agents", {method: "POST",
		headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "name=forged&scope=readwrite"}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	must(t, err)
	if status != 403 {
		t.Errorf("forged token creation: status %d, want 403", status)
	}
}

// TestCSPHeldInBrowser: the browser reports no CSP violation on the pages
// with scripts, SVG and forms.
func TestCSPHeldInBrowser(t *testing.T) {
	ctx := tab(t)
	e := newEnv(t, Options{})
	alpha := e.project("alpha")
	seedCatalog(t, e.st, alpha.ID)
	e.user("ann", true, "", "")
	signIn(t, ctx, e.srv.URL+"/signin?next=/e/lake.sales.orders", "ann")
	step(t, ctx, "entity page", chromedp.WaitVisible(chromedp.CSS("svg.lineage")))
	// An inline script injected now must not run.
	ran, err := run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.createElement("script");
		s.textContent = "window.__injected = true"; document.body.append(s); return window.__injected === true; })()`))
	must(t, err)
	if ran {
		t.Error("an inline script ran: the CSP does not hold")
	}
}
