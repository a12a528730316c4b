package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	e := newEnv(t, Options{})
	e.user("ann", true, "", "")
	c := e.client("ann")
	for _, path := range []string{"/", "/signin", "/search?q=x", "/no/such/page", "/static/app.css"} {
		t.Run(path, func(t *testing.T) {
			resp, err := c.Get(e.srv.URL + path)
			must(t, err)
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			if csp != CSP || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff")
			}
		})
	}
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	e := newEnv(t, Options{})
	e.user("ann", true, "", "")
	proj := e.project("alpha")
	seedCatalog(t, e.st, proj.ID)
	c := e.client("ann")
	for _, path := range []string{"/", "/search?q=orders", "/e/lake.sales.orders", "/browse", "/projects", "/projects/alpha",
		"/projects/alpha/integrations/aws/glue", "/projects/alpha/agents"} {
		t.Run(path, func(t *testing.T) {
			code, body := e.get(c, path)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			for _, bad := range []string{"<script>", "style=", "<style", "onclick=", "onchange="} {
				if strings.Contains(body, bad) {
					t.Errorf("page has %q, which the CSP blocks", bad)
				}
			}
			if len(body) > 200<<10 {
				t.Errorf("page is %d bytes, over 200 KB", len(body))
			}
		})
	}
}

func TestAssetsAreCached(t *testing.T) {
	e := newEnv(t, Options{})
	ui, _ := New(Options{})
	u, err := ui.assets.url("app.css")
	must(t, err)
	resp, err := http.Get(e.srv.URL + u)
	must(t, err)
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || resp.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("Cache-Control %q, Content-Type %q", cc, resp.Header.Get("Content-Type"))
	}
	code, _ := e.get(http.DefaultClient, "/static/nope.js")
	if code != http.StatusNotFound {
		t.Errorf("missing asset: %d", code)
	}
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	e := newEnv(t, Options{})
	c := e.client("")
	resp, err := c.Get(e.srv.URL + "/projects/alpha")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next=%2Fprojects%2Falpha" {
		t.Errorf("got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, Options{})
	e.user("ann", false, "", "")
	for _, tc := range []struct {
		name, user, pw, want string
		code                 int
	}{
		{"wrong password", "ann", "nope nope nope", "username or password is wrong", http.StatusUnauthorized},
		{"unknown user", "bob", testPassword, "username or password is wrong", http.StatusUnauthorized},
		{"empty", "", "", "Required.", http.StatusUnprocessableEntity},
		{"right", "ann", testPassword, "", http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := e.post(e.client(""), "/signin", url.Values{"username": {tc.user}, "password": {tc.pw}, "next": {"//evil.example"}})
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, body lacks %q", code, tc.want)
			}
		})
	}
}

func TestSetup(t *testing.T) {
	e := newEnv(t, Options{})
	link, err := e.auth.EnsureSetupCode(context.Background())
	must(t, err)
	code := strings.TrimPrefix(link, "/setup?code=")
	code, _ = url.QueryUnescape(code)
	c := e.client("")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"bad code", url.Values{"code": {"wrong"}, "username": {"root"}, "password": {testPassword}, "confirm": {testPassword}}, 422, "setup code"},
		{"passwords differ", url.Values{"code": {code}, "username": {"root"}, "password": {testPassword}, "confirm": {"x"}}, 422, "The two passwords differ."},
		{"bad username", url.Values{"code": {code}, "username": {"no spaces allowed"}, "password": {testPassword}, "confirm": {testPassword}}, 422, "username"},
		{"ok", url.Values{"code": {code}, "username": {"root"}, "password": {testPassword}, "confirm": {testPassword}}, 303, ""},
		{"twice", url.Values{"code": {code}, "username": {"root2"}, "password": {testPassword}, "confirm": {testPassword}}, 422, "set up already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(c, "/setup", tc.form)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d (want %d), body lacks %q:\n%s", status, tc.status, tc.want, body)
			}
			if strings.Contains(body, testPassword) {
				t.Error("the password is rendered back")
			}
		})
	}
}

func TestNotFoundAndForbiddenInsideTheLayout(t *testing.T) {
	e := newEnv(t, Options{})
	alpha, beta := e.project("alpha"), e.project("beta")
	seedCatalog(t, e.st, beta.ID)
	e.user("vic", false, alpha.ID, catalog.RoleViewer)
	c := e.client("vic")
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		status             int
		want               string
	}{
		{"no page", "GET", "/nowhere", nil, 404, "there is no page at /nowhere"},
		{"other tenant's project", "GET", "/projects/beta", nil, 404, "no project"},
		{"other tenant's entity", "GET", "/e/lake.sales.orders", nil, 404, "no entity"},
		{"bad kind", "GET", "/search?q=a&kind=nope", nil, 400, "unknown kind"},
		{"viewer adds member", "POST", "/projects/alpha", url.Values{"username": {"vic"}, "role": {"owner"}}, 403, "Ask an owner of the project"},
		{"viewer creates token", "POST", "/projects/alpha/agents", url.Values{"name": {"t"}, "scope": {"read"}}, 403, "that takes its owner"},
		{"viewer revokes token", "POST", "/projects/alpha/agents", url.Values{"action": {"revoke"}, "token": {"x"}}, 403, "that takes its owner"},
		{"viewer connects", "POST", "/projects/alpha/integrations/aws/glue", url.Values{"action": {"connect"}}, 403, "ask an owner"},
		{"api stays json", "GET", "/api/v1/nope", nil, 404, `"status":404`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var status int
			var body string
			if tc.method == "POST" {
				status, body = e.post(c, tc.path, tc.form)
			} else {
				status, body = e.get(c, tc.path)
			}
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d (want %d), body lacks %q:\n%.600s", status, tc.status, tc.want, body)
			}
			if tc.status != 404 || tc.name != "api stays json" {
				if !strings.Contains(body, `class="brand"`) && tc.name != "api stays json" {
					t.Error("error page is not inside the layout")
				}
			}
		})
	}
	if strings.Contains(e.log.String(), "panic") {
		t.Error(e.log.String())
	}
}

func TestViewerSeesNoWriteButtons(t *testing.T) {
	e := newEnv(t, Options{Connections: &fakeConnections{}})
	alpha := e.project("alpha")
	e.user("vic", false, alpha.ID, catalog.RoleViewer)
	e.user("own", false, alpha.ID, catalog.RoleOwner)
	for _, path := range []string{"/projects/alpha", "/projects/alpha/agents", "/projects/alpha/integrations/aws/glue"} {
		t.Run(path, func(t *testing.T) {
			_, viewer := e.get(e.client("vic"), path)
			_, owner := e.get(e.client("own"), path)
			if strings.Contains(viewer, `method="post" class`) {
				t.Errorf("a viewer sees a write form on %s", path)
			}
			if !strings.Contains(owner, `method="post"`) {
				t.Errorf("an owner sees no write form on %s", path)
			}
		})
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	e.user("ann", true, "", "")
	c := e.client("ann")
	req, _ := http.NewRequest("POST", e.srv.URL+"/projects", strings.NewReader("name=evil"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form post: %d", resp.StatusCode)
	}
}

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in     string
		fields []string
	}{
		{"int", nil},
		{"struct<a:int,b:struct<c:string>>", []string{"a", "b"}},
		{"array<struct<x:int>>", []string{"element"}},
		{"map<string,struct<v:int>>", []string{"value"}},
		{"struct<broken", nil},
		{"struct<a>", nil},
		{strings.Repeat("array<", 100) + "struct<a:int>" + strings.Repeat(">", 100), nil}, // too deep: a leaf
	} {
		t.Run(tc.in[:min(len(tc.in), 30)], func(t *testing.T) {
			n := parseType(tc.in)
			var got []string
			for _, f := range n.Fields {
				got = append(got, f.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields %v, want %v", got, tc.fields)
			}
		})
	}
}

// TestRevokeToken: an owner revokes a token from the Agents page; a
// missing, unknown or other project's token and an unknown action are
// clear errors that revoke nothing.
func TestRevokeToken(t *testing.T) {
	e := newEnv(t, Options{})
	alpha, beta := e.project("alpha"), e.project("beta")
	e.user("olga", false, alpha.ID, catalog.RoleOwner)
	c := e.client("olga")
	ctx := context.Background()
	token := func(projectID, name string) catalog.APIToken {
		_, hash, err := auth.NewSecret(auth.TokenPrefix)
		must(t, err)
		tok, err := catalog.NewAPIToken(projectID, name, catalog.ScopeRead, hash, time.Now())
		must(t, err)
		must(t, e.st.CreateAPIToken(ctx, tok))
		return tok
	}
	mine, theirs := token(alpha.ID, "mine"), token(beta.ID, "theirs")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no token", url.Values{"action": {"revoke"}}, 400, "no token to revoke"},
		{"unknown token", url.Values{"action": {"revoke"}, "token": {"nope"}}, 404, "no live token"},
		{"other project's token", url.Values{"action": {"revoke"}, "token": {theirs.ID}}, 404, "no live token"},
		{"unknown action", url.Values{"action": {"rotate"}, "token": {mine.ID}}, 400, "unknown action"},
		{"revoke", url.Values{"action": {"revoke"}, "token": {mine.ID}}, 303, ""},
		{"twice", url.Values{"action": {"revoke"}, "token": {mine.ID}}, 404, "no live token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(c, "/projects/alpha/agents", tc.form)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d (want %d), body lacks %q:\n%.600s", status, tc.status, tc.want, body)
			}
		})
	}
	live := map[string]bool{}
	for _, p := range []string{alpha.ID, beta.ID} {
		toks, err := e.st.ListAPITokens(ctx, p)
		must(t, err)
		for _, tok := range toks {
			live[tok.Name] = tok.Revoked == nil
		}
	}
	if live["mine"] || !live["theirs"] {
		t.Errorf("live tokens after the revokes: %v, want only theirs", live)
	}
	_, page := e.get(c, "/projects/alpha/agents")
	if strings.Contains(page, `value="`+mine.ID+`"`) {
		t.Error("a revoked token still has a Revoke button")
	}
}

// TestEntityMetricsAndSchemaDiffs: a bucket whose metrics changed between
// scans shows them as charts; a table shows its columns added and retyped
// per scan.
func TestEntityMetricsAndSchemaDiffs(t *testing.T) {
	e := newEnv(t, Options{})
	alpha := e.project("alpha")
	seedCatalog(t, e.st, alpha.ID)
	e.user("ann", true, "", "")
	c := e.client("ann")
	status, page := e.get(c, "/e/lake.datalake")
	if status != 200 {
		t.Fatalf("bucket page: %d", status)
	}
	for _, want := range []string{`id="chart-size"`, "Size: 5.0 GiB to 6.0 GiB", `id="chart-objects"`, "Objects: 4200 to 4500", "<polyline points="} {
		if !strings.Contains(page, want) {
			t.Errorf("bucket page lacks %q", want)
		}
	}
	_, page = e.get(c, "/e/lake.sales.orders")
	for _, want := range []string{"Schema changes between scans", "<ins><code>channel</code> string</ins>",
		"<code>order_id</code>: bigint → decimal(20,0)"} {
		if !strings.Contains(page, want) {
			t.Errorf("table page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="chart-size"`) {
		t.Error("a table with one size has a size chart")
	}
}

// TestMetricChart: points in scan order, a growing metric drawn rising,
// and no chart from one value.
func TestMetricChart(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	upd := func(at time.Time, old, new int64) catalog.Change {
		return catalog.Change{Type: catalog.ChangeUpdated, At: at, Fields: []catalog.FieldChange{{Field: "attributes.objectCount", Old: float64(old), New: float64(new)}}}
	}
	history := []catalog.Change{upd(t0.Add(2*day), 20, 30), upd(t0.Add(day), 10, 20), {Type: catalog.ChangeAdded, At: t0}}
	c, ok := drawChart(historyPoints(history, "objectCount"), str)
	if !ok {
		t.Fatal("no chart from three values")
	}
	if c.Low != "10" || c.High != "30" || c.From != "2024-05-01" || c.To != "2024-05-03" {
		t.Errorf("chart %+v", c)
	}
	if len(c.Dots) != 3 || c.Dots[0].X >= c.Dots[2].X || c.Dots[0].Y <= c.Dots[2].Y {
		t.Errorf("dots %+v: want left to right, rising", c.Dots)
	}
	if c.Dots[0].Label != "2024-05-01 06:00: 10" {
		t.Errorf("first label %q", c.Dots[0].Label)
	}
	if _, ok := drawChart(historyPoints(history[2:], "objectCount"), str); ok {
		t.Error("a chart from the added change alone")
	}
	if _, ok := drawChart(historyPoints(history, "sizeBytes"), humanBytes); ok {
		t.Error("a chart of a metric the history lacks")
	}
}

// TestDailyMetricCharts: CloudWatch's daily values stored on the bucket
// draw the chart, one point a day, ahead of the scans' history; malformed
// days are skipped, and one good day draws nothing.
func TestDailyMetricCharts(t *testing.T) {
	attrs := map[string]any{"metricsDaily": []any{
		map[string]any{"day": "2024-05-01", "sizeBytes": float64(1 << 30), "objectCount": float64(100)},
		map[string]any{"day": "2024-05-02", "sizeBytes": float64(2 << 30)},
		map[string]any{"day": "not a day", "sizeBytes": float64(9 << 30)},
		"garbage",
		map[string]any{"day": "2024-05-04", "sizeBytes": float64(3 << 30), "objectCount": "x"},
	}}
	history := []catalog.Change{{Type: catalog.ChangeUpdated, At: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		Fields: []catalog.FieldChange{{Field: "attributes.sizeBytes", Old: float64(1), New: float64(2)}}}}
	charts := metricCharts(attrs, history)
	if len(charts) != 1 || charts[0].ID != "chart-size" {
		t.Fatalf("charts %+v, want the size chart alone (one object count is no chart)", charts)
	}
	c := charts[0]
	if len(c.Dots) != 3 || c.From != "2024-05-01" || c.To != "2024-05-04" || c.Low != "1.0 GiB" || c.High != "3.0 GiB" {
		t.Errorf("size chart %+v, want the three good days", c)
	}
	// Without daily values, the history draws it.
	if charts := metricCharts(nil, append(history, catalog.Change{Type: catalog.ChangeAdded, At: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})); len(charts) != 1 || charts[0].To != "2024-06-01" {
		t.Errorf("history charts %+v", charts)
	}
}

// TestCancelScan: a running scan in the history has a Cancel button for
// an editor; its form cancels it, and a bad or foreign scan is an error.
func TestCancelScan(t *testing.T) {
	fs := &fakeScans{}
	conns := &fakeConnections{}
	e := newEnv(t, Options{Connections: conns, Scans: fs})
	alpha := e.project("alpha")
	conns.conns = []catalog.Connection{{Name: "lake", ProjectID: alpha.ID, SourceType: "glue"}}
	e.user("ed", false, alpha.ID, catalog.RoleEditor)
	e.user("vic", false, alpha.ID, catalog.RoleViewer)
	page := "/projects/alpha/integrations/aws/glue"
	_, body := e.get(e.client("ed"), page+"?connection=lake")
	if !strings.Contains(body, `aria-label="Cancel scan 7"`) {
		t.Fatalf("no Cancel button for the running scan:\n%.2000s", body)
	}
	if _, body := e.get(e.client("vic"), page+"?connection=lake"); strings.Contains(body, "Cancel scan") {
		t.Error("a viewer sees a Cancel button")
	}
	ed := e.client("ed")
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no scan number", url.Values{"action": {"cancel"}, "connection": {"lake"}, "scan": {"x"}}, 400, "not a scan number"},
		{"another connection's scan", url.Values{"action": {"cancel"}, "connection": {"other"}, "scan": {"7"}}, 404, "no scan 7"},
		{"cancel", url.Values{"action": {"cancel"}, "connection": {"lake"}, "scan": {"7"}}, 303, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.post(ed, page, tc.form)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d (want %d), body lacks %q:\n%.600s", status, tc.status, tc.want, body)
			}
		})
	}
	if status, _ := e.post(e.client("vic"), page, url.Values{"action": {"cancel"}, "connection": {"lake"}, "scan": {"7"}}); status != 403 {
		t.Errorf("a viewer's cancel: status %d, want 403", status)
	}
	if len(fs.cancelled) != 1 {
		t.Errorf("cancelled %v, want [7] once", fs.cancelled)
	}
}
