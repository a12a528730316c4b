package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestScreenshots saves a PNG of every page at desktop and phone width
// into $LAKEMAP_SCREENSHOTS (`make screenshots` sets docs/screenshots).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("LAKEMAP_SCREENSHOTS")
	if dir == "" {
		t.Skip("set LAKEMAP_SCREENSHOTS to a directory (make screenshots) to save the pages' screenshots")
	}
	ctx := tab(t)
	must(t, os.MkdirAll(dir, 0o755))
	e := newEnv(t, Options{Connections: &fakeConnections{}, Tools: fakeTools{}})
	link, err := e.auth.EnsureSetupCode(context.Background())
	must(t, err)
	shoot := func(name, path string) {
		for _, w := range []int64{1280, 375} {
			step(t, ctx, name, chromedp.EmulateViewport(w, 800), chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
			png, err := run(ctx, chromedp.FullScreenshot(100))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(dir, name+"-"+itoa(int(w))+".png"), png, 0o644))
		}
	}
	shoot("setup", link)
	alpha := e.project("alpha")
	seedCatalog(t, e.st, alpha.ID)
	e.user("ann", true, "", "")
	shoot("signin", "/signin")
	step(t, ctx, "desktop viewport", chromedp.EmulateViewport(1280, 800))
	signIn(t, ctx, e.srv.URL+"/signin", "ann")
	for _, p := range []struct{ name, path string }{
		{"home", "/"}, {"search", "/search?q=orders"}, {"entity", "/e/lake.sales.orders"}, {"bucket", "/e/lake.datalake"}, {"browse", "/browse"},
		{"projects", "/projects"}, {"project", "/projects/alpha"}, {"aws-glue", "/projects/alpha/integrations/aws/glue"},
		{"aws-s3", "/projects/alpha/integrations/aws/s3?access=ReadWrite"}, {"aws-datazone", "/projects/alpha/integrations/aws/datazone"},
		{"agents", "/projects/alpha/agents"}, {"not-found", "/" + strings.Repeat("x", 8)},
	} {
		shoot(p.name, p.path)
	}
}
