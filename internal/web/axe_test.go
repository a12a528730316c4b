package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's script, from the npm registry: `make tools`
// installs it under .tools/axe and `make test` names it in LAKEMAP_AXE.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("LAKEMAP_AXE")
	if path == "" {
		// A plain `go test` from the package finds the copy `make tools`
		// installed at the repository's root.
		path = filepath.Join("..", "..", ".tools", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the accessibility check needs axe-core under CI (make tools): %v", err)
		}
		t.Skipf("skipping the accessibility check: no axe-core (make tools installs it): %v", err)
	}
	return string(b)
}

// axeViolation is one failed rule on one page, as axe reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeCheck runs every axe rule for WCAG 2 A and AA (and axe's best
// practices) on the page the tab shows, and fails the test for each
// violation with the elements it names.
func axeCheck(t *testing.T, ctx context.Context, src, page string) {
	t.Helper()
	// DevTools evaluation is not subject to the page's CSP, so the pages
	// keep script-src 'self' while the checker runs.
	if _, err := run(ctx, chromedp.Evaluate[bool](src+"\n;typeof axe === 'object'")); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", page, err)
	}
	raw, err := run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: reading axe-core's answer: %v", page, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
		}
		t.Errorf("%s: axe %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// TestAccessibility runs axe-core on every page, at desktop and phone
// width, including a form showing field errors, a connection test report
// and the 404 page.
func TestAccessibility(t *testing.T) {
	src := axeSource(t)
	ctx := tab(t)
	e := newEnv(t, Options{Connections: &fakeConnections{}, Tools: fakeTools{}})
	link, err := e.auth.EnsureSetupCode(context.Background())
	must(t, err)
	check := func(name, path string) {
		t.Helper()
		for _, w := range []int64{1280, 375} {
			step(t, ctx, name, chromedp.EmulateViewport(w, 800), chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
			axeCheck(t, ctx, src, name+"@"+itoa(int(w)))
		}
	}
	check("setup", link)
	check("signin", "/signin")
	alpha := e.project("alpha")
	seedCatalog(t, e.st, alpha.ID)
	e.user("ann", true, "", "")
	step(t, ctx, "desktop viewport", chromedp.EmulateViewport(1280, 800))
	signIn(t, ctx, e.srv.URL+"/signin", "ann")
	for _, p := range []struct{ name, path string }{
		{"home", "/"}, {"search", "/search?q=orders"}, {"search-empty", "/search"}, {"entity", "/e/lake.sales.orders"},
		{"entity-bucket", "/e/lake.datalake"}, {"browse", "/browse"},
		{"projects", "/projects"}, {"project", "/projects/alpha"}, {"aws-glue", "/projects/alpha/integrations/aws/glue"},
		{"aws-s3", "/projects/alpha/integrations/aws/s3?access=ReadWrite"}, {"aws-datazone", "/projects/alpha/integrations/aws/datazone"},
		{"agents", "/projects/alpha/agents"}, {"not-found", "/" + strings.Repeat("x", 8)},
	} {
		check(p.name, p.path)
	}

	// Pages in the states a form puts them in.
	step(t, ctx, "a field error",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(e.srv.URL+"/projects/alpha/integrations/aws/glue"),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "lake2"),
		chromedp.SendKeys(chromedp.CSS("#f-roleArn"), "not-an-arn"),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#e-roleArn")))
	axeCheck(t, ctx, src, "aws-glue with a field error")
	step(t, ctx, "a connection test report",
		chromedp.SetValue(chromedp.CSS("#f-roleArn"), "arn:aws:iam::210987654321:role/GlueAccessRoleForLakemap"),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#e-roleArn")),
		chromedp.WaitVisible(chromedp.CSS(`button[value=test]`)),
		chromedp.Click(chromedp.CSS(`button[value=test]`)),
		chromedp.WaitVisible(chromedp.CSS("table.report")))
	axeCheck(t, ctx, src, "aws-glue with a test report")
	step(t, ctx, "a new token",
		chromedp.Navigate(e.srv.URL+"/projects/alpha/agents"),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "claude"),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#token-secret")))
	axeCheck(t, ctx, src, "agents with a new token")
	step(t, ctx, "suggestions open",
		chromedp.Navigate(e.srv.URL+"/search"),
		chromedp.SendKeys(chromedp.CSS("#q"), "orders"),
		chromedp.WaitVisible(chromedp.CSS(`#suggest[data-q="orders"] a`)))
	axeCheck(t, ctx, src, "search with suggestions")
}
