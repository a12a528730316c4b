package web

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// The browser helpers, for the journeys in package web_test: they drive
// the whole server (internal/webpanels, which imports this package).
var (
	Tab      = tab
	Step     = step
	SignIn   = signIn
	WaitTrue = waitTrue
	TextOf   = text
	Must     = must
	Cheap    = cheap
	// SeedCatalog fills a project with a small scanned estate.
	SeedCatalog = seedCatalog
)

const TestPassword = testPassword

// Eval runs a JavaScript expression with a step's deadline.
func Eval(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	_, err := run(ctx, chromedp.Evaluate[bool](expr))
	must(t, err)
}
