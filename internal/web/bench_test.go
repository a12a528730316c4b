package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/benchcat"
)

// BenchmarkPages measures every page's HTML server-side (the UI's handler,
// session resolution included) and search-as-you-type on the shared
// 1M-entity bench catalog, printing p50/p95/p99 and the largest response
// of each. The targets: every page p95 ≤ 50 ms, suggestions p99
// ≤ 30 ms, no page over 200 KB.
//
//	LAKEMAP_BENCH_ENTITIES  catalog size (default 1,000,000)
//	LAKEMAP_BENCH_CALLS     requests per page (default 200)
//	LAKEMAP_BENCH_DB        catalog file to build once and reuse (see benchcat)
func BenchmarkPages(b *testing.B) {
	n := benchcat.EnvInt("LAKEMAP_BENCH_ENTITIES", 1_000_000)
	calls := benchcat.EnvInt("LAKEMAP_BENCH_CALLS", 200)
	st, fqns := benchcat.Open(b, n)
	authn := auth.New(st, auth.Options{Argon2: cheap})
	ui, err := New(Options{Store: st, Auth: authn, VendorAccount: vendorAccount, Connections: &fakeConnections{}, Tools: fakeTools{}})
	must(b, err)
	h := ui.Handler()
	cookie := benchSignIn(b, st, h)
	var dbs []string
	for _, f := range fqns {
		db, err := catalog.ParentFQN(f)
		must(b, err)
		if len(dbs) == 0 || dbs[len(dbs)-1] != db {
			dbs = append(dbs, db)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string { return benchcat.Words[rng.IntN(len(benchcat.Words))] }

	pages := []struct {
		label string
		path  func() string
		p     float64 // the percentile the target is on
	}{
		{"home", func() string { return "/" }, 95},
		{"search", func() string { return "/search?q=" + word() }, 95},
		{"search kind=table", func() string { return "/search?kind=table&q=" + word() }, 95},
		{"suggest", func() string { return "/search/suggest?q=" + word()[:4] }, 99},
		{"suggest word", func() string { return "/search/suggest?q=" + word() + "+" + word() }, 99},
		{"entity table", func() string { return entityURL(fqns[rng.IntN(len(fqns))]) }, 95},
		{"entity database", func() string { return entityURL(dbs[rng.IntN(len(dbs))]) }, 95},
		{"entity service", func() string { return entityURL(benchcat.Service) }, 95},
		{"browse", func() string { return "/browse" }, 95},
		{"projects", func() string { return "/projects" }, 95},
		{"project", func() string { return "/projects/benchp" }, 95},
		{"aws glue", func() string { return "/projects/benchp/integrations/aws/glue" }, 95},
		{"agents", func() string { return "/projects/benchp/agents" }, 95},
	}
	b.ResetTimer()
	for range b.N {
		fmt.Fprintf(os.Stderr, "\n%d entities, %d requests per page, server-side (handler only)\n", n, calls)
		fmt.Fprintf(os.Stderr, "%-20s %9s %9s %9s %9s %10s\n", "page", "p50", "p95", "p99", "max", "max bytes")
		for _, pg := range pages {
			lat := make([]time.Duration, 0, calls)
			maxSize := 0
			for range calls {
				req := httptest.NewRequest("GET", pg.path(), nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s %s: status %d\n%.400s", pg.label, req.URL, rec.Code, rec.Body.String())
				}
				maxSize = max(maxSize, rec.Body.Len())
			}
			slices.Sort(lat)
			pct := func(p int) time.Duration { return lat[min(len(lat)-1, len(lat)*p/100)] }
			fmt.Fprintf(os.Stderr, "%-20s %9s %9s %9s %9s %10d\n", pg.label, pct(50).Round(10*time.Microsecond), pct(95).Round(10*time.Microsecond),
				pct(99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), maxSize)
			name := strings.ReplaceAll(pg.label, " ", "-")
			b.ReportMetric(float64(pct(int(pg.p)).Microseconds())/1000, fmt.Sprintf("p%d-ms/%s", int(pg.p), name))
			if maxSize > 200<<10 {
				b.Errorf("%s: a response of %d bytes, over the 200 KB budget", pg.label, maxSize)
			}
		}
	}
}

// benchSignIn makes sure the bench catalog has an administrator and a
// project (the catalog file is reused between runs) and returns a session.
func benchSignIn(b *testing.B, st *sqlite.Store, h http.Handler) *http.Cookie {
	b.Helper()
	ctx := context.Background()
	if _, err := st.GetUser(ctx, "bencher"); apperr.Is(err, apperr.NotFound) {
		hash, err := auth.HashPassword(testPassword, cheap)
		must(b, err)
		u, err := catalog.NewUser("bencher", "", hash, true, time.Now())
		must(b, err)
		must(b, st.CreateUser(ctx, u))
	} else {
		must(b, err)
	}
	if _, err := st.GetProject(ctx, "benchp"); apperr.Is(err, apperr.NotFound) {
		p, err := catalog.NewProject("benchp", time.Now())
		must(b, err)
		must(b, st.CreateProject(ctx, p))
	} else {
		must(b, err)
	}
	form := url.Values{"username": {"bencher"}, "password": {testPassword}}
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Value != "" {
			return c
		}
	}
	b.Fatalf("signing in: status %d, no session cookie\n%.400s", rec.Code, rec.Body.String())
	return nil
}
