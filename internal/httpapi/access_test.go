package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/jobs"
)

// concrete fills a route pattern's wildcards with ids that exist in env.
func (e *env) concrete(pattern, tokenID string) string {
	r := strings.NewReplacer("{project}", "alpha", "{user}", "viewer", "{id}", "1", "{fqn}", url.PathEscape("svc.sales"))
	if strings.Contains(pattern, "/tokens/") {
		r = strings.NewReplacer("{project}", "alpha", "{id}", tokenID)
	}
	return r.Replace(pattern)
}

// TestAnonymousGetsNothing walks every route: an anonymous caller, or one
// with a bad credential, gets 401 and a problem document, never data,
// except on the few public routes.
func TestAnonymousGetsNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		_, tokenID := e.token("alpha", "owner", `{"name":"ci"}`)
		public := []string{"GET /healthz", "GET /api/v1/openapi.json", "POST /api/v1/setup", "POST /api/v1/session", "DELETE /api/v1/session"}
		for _, rt := range e.api.Routes() {
			key := rt.Method + " " + rt.Pattern
			if rt.Public != slices.Contains(public, key) {
				t.Errorf("%s: Public=%v; only %v may be anonymous", key, rt.Public, public)
			}
			if rt.Public {
				continue
			}
			for _, as := range []string{"", "bearer:lkm_forged", "bearer:"} {
				t.Run(key+" as "+as, func(t *testing.T) {
					code, body, h := e.do(rt.Method, e.concrete(rt.Pattern, tokenID), `{"name":"x","role":"viewer"}`, as)
					if code != http.StatusUnauthorized || h.Get("WWW-Authenticate") == "" {
						t.Fatalf("status %d, WWW-Authenticate %q; want 401", code, h.Get("WWW-Authenticate"))
					}
					for k := range body {
						if !slices.Contains([]string{"type", "title", "status", "detail", "kind", "advice"}, k) {
							t.Errorf("a refusal holds %q: %v", k, body)
						}
					}
				})
			}
		}
	})
}

// TestOpenAPIMatchesRoutes: the committed document names every route and
// no other.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	must(t, err)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	must(t, json.Unmarshal(raw, &doc))
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range (&API{}).Routes() {
		served[rt.Method+" "+rt.Pattern] = true
		if !documented[rt.Method+" "+rt.Pattern] {
			t.Errorf("route %s %s is missing from openapi.json", rt.Method, rt.Pattern)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("openapi.json names %s, which no route serves", k)
		}
	}
	e := newEnv(t)
	code, body, _ := e.do("GET", "/api/v1/openapi.json", "", "")
	if code != 200 || body["openapi"] != doc.OpenAPI {
		t.Errorf("GET /api/v1/openapi.json: %d", code)
	}
}

// TestRoleMatrix: viewers cannot write, editors cannot manage members or
// tokens, non-members see 404, and owners and administrators may.
func TestRoleMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		readSecret, _ := e.token("alpha", "owner", `{"name":"reader","scope":"read"}`)
		rwSecret, _ := e.token("alpha", "owner", `{"name":"writer","scope":"readwrite"}`)
		for _, tc := range []struct {
			as, method, path, body string
			want                   int
		}{
			{"viewer", "GET", "/api/v1/projects/alpha", "", 200},
			{"viewer", "GET", "/api/v1/projects/alpha/members", "", 200},
			{"viewer", "PATCH", "/api/v1/projects/alpha", `{"name":"renamed"}`, 403},
			{"viewer", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"viewer"}`, 403},
			{"viewer", "DELETE", "/api/v1/projects/alpha", "", 403},
			{"editor", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"viewer"}`, 403},
			{"editor", "DELETE", "/api/v1/projects/alpha/members/viewer", "", 403},
			{"editor", "GET", "/api/v1/projects/alpha/tokens", "", 403},
			{"editor", "POST", "/api/v1/projects/alpha/tokens", `{"name":"mine"}`, 403},
			{"bearer:" + rwSecret, "POST", "/api/v1/projects/alpha/tokens", `{"name":"mine"}`, 403},
			{"bearer:" + readSecret, "PATCH", "/api/v1/projects/alpha", `{"name":"renamed"}`, 403},
			{"bearer:" + readSecret, "POST", "/api/v1/projects", `{"name":"new"}`, 403},
			{"outsider", "GET", "/api/v1/projects/alpha", "", 404},
			{"outsider", "GET", "/api/v1/projects/" + e.alpha.ID, "", 404},
			{"outsider", "GET", "/api/v1/projects/alpha/members", "", 404},
			{"outsider", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"owner"}`, 404},
			{"outsider", "GET", "/api/v1/search?q=orders&project=alpha", "", 404},
			{"bearer:" + readSecret, "GET", "/api/v1/projects/beta", "", 404},
			{"owner", "GET", "/api/v1/projects/alpha/tokens", "", 200},
			{"owner", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"viewer"}`, 201},
			{"owner", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"editor"}`, 200},
			{"admin", "DELETE", "/api/v1/projects/alpha/members/outsider", "", 204},
			{"admin", "GET", "/api/v1/projects/beta/tokens", "", 200},
		} {
			t.Run(tc.as+" "+tc.method+" "+tc.path, func(t *testing.T) {
				code, body, _ := e.do(tc.method, tc.path, tc.body, tc.as)
				if code != tc.want {
					t.Errorf("status %d, want %d: %v", code, tc.want, body)
				}
				if code == 404 && strings.Contains(body["detail"].(string), e.alpha.ID) && !strings.Contains(tc.path, e.alpha.ID) {
					t.Errorf("a 404 reveals the project id: %v", body)
				}
			})
		}
	})
}

// TestTenancy: a member of alpha reads alpha's catalog and nothing of
// beta's, whatever route or name they try.
func TestTenancy(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		readSecret, _ := e.token("alpha", "owner", `{"name":"reader"}`)
		beta := url.PathEscape("other.secret.payroll")
		for _, as := range []string{"viewer", "bearer:" + readSecret} {
			for _, tc := range []struct {
				path  string
				want  int
				check func(map[string]any) bool
			}{
				{"/api/v1/entities/" + beta, 404, nil},
				{"/api/v1/entities/" + beta + "/children", 404, nil},
				{"/api/v1/entities/" + beta + "/history", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 0 }},
				{"/api/v1/entities?service=other", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 0 }},
				{"/api/v1/entities?parent=other.secret", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 0 }},
				{"/api/v1/entities", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 1 }},
				{"/api/v1/search?q=orders", 200, func(m map[string]any) bool { return len(m["hits"].([]any)) == 2 && m["total"].(float64) == 2 }},
				{"/api/v1/search?q=payroll&service=other", 200, func(m map[string]any) bool { return len(m["hits"].([]any)) == 0 }},
				{"/api/v1/changes?since=3650d", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 4 }},
				{"/api/v1/changes?since=3650d&service=other", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 0 }},
				{"/api/v1/scans", 200, func(m map[string]any) bool { return len(m["scans"].([]any)) == 1 }},
				{"/api/v1/scans/2", 404, nil},
				{"/api/v1/scans/1", 200, nil},
				{"/api/v1/stats", 200, func(m map[string]any) bool { return m["counts"].(map[string]any)["table"] == 1.0 }},
				{"/api/v1/stats?service=other", 200, func(m map[string]any) bool { return len(m["counts"].(map[string]any)) == 0 }},
				{"/api/v1/connections", 200, func(m map[string]any) bool {
					cs := m["connections"].([]any)
					return len(cs) == 1 && cs[0].(map[string]any)["name"] == "svc"
				}},
				{"/api/v1/connections?project=beta", 404, nil},
				{"/api/v1/projects", 200, func(m map[string]any) bool { return len(m["projects"].([]any)) == 1 }},
			} {
				t.Run(strings.SplitN(as, ":", 2)[0]+" "+tc.path, func(t *testing.T) {
					code, body, _ := e.do("GET", tc.path, "", as)
					if code != tc.want {
						t.Fatalf("status %d, want %d: %v", code, tc.want, body)
					}
					if tc.check != nil && !tc.check(body) {
						t.Errorf("body %v", body)
					}
					// The caller's own words may come back; nothing else of beta.
					if raw, _ := json.Marshal(body); (strings.Contains(string(raw), "payroll") && !strings.Contains(tc.path, "payroll")) || strings.Contains(string(raw), e.beta.ID) {
						t.Errorf("beta's data in the answer: %s", raw)
					}
				})
			}
		}
		// A token narrowed to connections sees only those.
		narrow, _ := e.token("beta", "outsider", `{"name":"narrow","connections":["other"]}`)
		code, m, _ := e.do("GET", "/api/v1/search?q=orders", "", "bearer:"+narrow)
		if code != 200 || len(m["hits"].([]any)) == 0 {
			t.Fatalf("narrow token search: %d %v", code, m)
		}
		for _, h := range m["hits"].([]any) {
			if h.(map[string]any)["service"] != "other" {
				t.Errorf("narrow token found %v", h)
			}
		}
		// A connection of another project cannot narrow a token.
		if code, m, _ := e.do("POST", "/api/v1/projects/beta/tokens", `{"name":"sneaky","connections":["svc"]}`, "outsider"); code != 400 || !strings.Contains(m["detail"].(string), "connections") {
			t.Errorf("token narrowed to another project's connection: %d %v", code, m)
		}
	})
}

// TestEveryRouteHidesAnotherProject walks every route with a wildcard as
// an owner of alpha (and with alpha's read-write token), filling the
// wildcards with beta's names, ids and FQNs, through beta's project and
// through alpha's: each answer is 404 with nothing of beta in it. The one
// exception is an entity's history, which is an empty list for an FQN the
// caller cannot see, as for one that never existed.
func TestEveryRouteHidesAnotherProject(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.api.Scans = &fakeScheduler{schedules: map[string]jobs.Schedule{}}
		rwSecret, _ := e.token("alpha", "owner", `{"name":"writer","scope":"readwrite"}`)
		_, betaToken := e.token("beta", "outsider", `{"name":"beta-ci"}`)
		const betaScan = "2" // seeded second, for beta's connection
		if code, m, _ := e.do("GET", "/api/v1/scans/"+betaScan, "", "outsider"); code != 200 || m["service"] != "other" {
			t.Fatalf("beta's scan is not %s: %d %v", betaScan, code, m)
		}
		fills := map[string]*strings.Replacer{
			"beta by name": strings.NewReplacer("{project}", "beta", "{name}", "other", "{user}", "outsider",
				"{fqn}", url.PathEscape("other.secret.payroll"), "{id}", betaScan),
			"beta by id": strings.NewReplacer("{project}", e.beta.ID, "{name}", "other", "{user}", "outsider",
				"{fqn}", url.PathEscape("other.secret"), "{id}", betaScan),
			"through alpha": strings.NewReplacer("{project}", "alpha", "{name}", "other", "{user}", "outsider",
				"{fqn}", url.PathEscape("other"), "{id}", betaScan),
		}
		for _, rt := range e.api.Routes() {
			if rt.Public || !strings.Contains(rt.Pattern, "{") {
				continue
			}
			for fill, r := range fills {
				path := r.Replace(rt.Pattern)
				if strings.Contains(rt.Pattern, "/tokens/{id}") {
					path = strings.NewReplacer("{project}", "beta", "{id}", betaToken).Replace(rt.Pattern)
					if fill == "through alpha" {
						path = strings.NewReplacer("{project}", "alpha", "{id}", betaToken).Replace(rt.Pattern)
					}
				}
				if fill == "through alpha" && !strings.Contains(rt.Pattern, "{name}") && !strings.Contains(rt.Pattern, "{user}") &&
					!strings.Contains(rt.Pattern, "/tokens/{id}") && strings.Contains(rt.Pattern, "{project}") {
					continue // alpha's own project: nothing of beta to name
				}
				if fill == "through alpha" && rt.Method == "PUT" && strings.Contains(rt.Pattern, "/members/{user}") {
					continue // an owner may add anyone to alpha
				}
				for _, as := range []string{"owner", "bearer:" + rwSecret} {
					t.Run(fill+" "+strings.SplitN(as, ":", 2)[0]+" "+rt.Method+" "+rt.Pattern, func(t *testing.T) {
						code, body, _ := e.do(rt.Method, path, validBody(rt), as)
						history := strings.HasSuffix(rt.Pattern, "/history") && code == 200 && len(body["changes"].([]any)) == 0
						// A token refused a role in its own project learns
						// nothing of beta.
						ownRole := fill == "through alpha" && code == http.StatusForbidden && as != "owner"
						if code != http.StatusNotFound && !history && !ownRole {
							t.Errorf("%s %s: status %d, want 404: %v", rt.Method, path, code, body)
						}
						raw, _ := json.Marshal(body)
						for _, leak := range []string{e.beta.ID, "payroll", "beta-ci", "Orders of beta"} {
							if strings.Contains(string(raw), leak) && !strings.Contains(path, leak) {
								t.Errorf("%s %s: the answer holds %q: %s", rt.Method, path, leak, raw)
							}
						}
					})
				}
			}
		}
	})
}

// validBody is a body the route accepts, so that a refusal is about whose
// object it names and not about the body.
func validBody(rt Route) string {
	switch {
	case rt.Method == "PATCH" && strings.HasSuffix(rt.Pattern, "/connections/{name}"):
		return `{"region":"us-west-2"}`
	case strings.HasSuffix(rt.Pattern, "/members/{user}"):
		return `{"role":"viewer"}`
	case rt.Method == "PATCH", rt.Method == "POST" && strings.HasSuffix(rt.Pattern, "/tokens"):
		return `{"name":"renamed"}`
	}
	return ""
}
