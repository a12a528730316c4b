package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestBadBodies: every bad body is a 400 whose detail names the field.
func TestBadBodies(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"project id chosen by the caller", "POST", "/api/v1/projects", `{"name":"p1","id":"0b4e7c52-7f8d-4bb5-9a57-0e1c5c1e2a10"}`, `"id"`},
		{"External ID chosen by the caller", "POST", "/api/v1/projects", `{"name":"p1","externalId":"lakemap-x"}`, `"externalId"`},
		{"External ID in another case", "POST", "/api/v1/projects", `{"name":"p1","ExternalID":"lakemap-x"}`, `"ExternalID"`},
		{"External ID on rename", "PATCH", "/api/v1/projects/alpha", `{"name":"p1","externalId":"lakemap-x"}`, `"externalId"`},
		{"unknown field", "POST", "/api/v1/projects", `{"name":"p1","colour":"red"}`, `"colour"`},
		{"name missing", "POST", "/api/v1/projects", `{}`, `"name"`},
		{"name of the wrong type", "POST", "/api/v1/projects", `{"name":7}`, `"name"`},
		{"bad project name", "POST", "/api/v1/projects", `{"name":"no spaces"}`, `"name"`},
		{"name shaped like a UUID", "PATCH", "/api/v1/projects/alpha", `{"name":"0b4e7c52-7f8d-4bb5-9a57-0e1c5c1e2a10"}`, `"name"`},
		{"not JSON", "POST", "/api/v1/projects", `name=p1`, "JSON"},
		{"a JSON array", "POST", "/api/v1/projects", `["p1"]`, "JSON object"},
		{"empty body", "POST", "/api/v1/projects", ` `, "empty"},
		{"bad role", "PUT", "/api/v1/projects/alpha/members/outsider", `{"role":"god"}`, `"role"`},
		{"role missing", "PUT", "/api/v1/projects/alpha/members/outsider", `{}`, `"role"`},
		{"bad scope", "POST", "/api/v1/projects/alpha/tokens", `{"name":"t","scope":"admin"}`, `"scope"`},
		{"bad token name", "POST", "/api/v1/projects/alpha/tokens", `{"name":"a b"}`, `"name"`},
		{"token id chosen", "POST", "/api/v1/projects/alpha/tokens", `{"name":"t","id":"x"}`, `"id"`},
		{"connections not a list", "POST", "/api/v1/projects/alpha/tokens", `{"name":"t","connections":"svc"}`, `"connections"`},
		{"unknown connection", "POST", "/api/v1/projects/alpha/tokens", `{"name":"t","connections":["nope"]}`, `"connections"`},
		{"readOnly not a boolean", "POST", "/api/v1/projects/alpha/tokens", `{"name":"t","readOnly":"yes"}`, `"readOnly"`},
		{"sign-in without password", "POST", "/api/v1/session", `{"username":"owner"}`, `"password"`},
		{"setup without code", "POST", "/api/v1/setup", `{"username":"x","password":"a long enough password"}`, `"code"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := e.do(tc.method, tc.path, tc.body, "owner")
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %v", code, body)
			}
			if d, _ := body["detail"].(string); !strings.Contains(d, tc.field) {
				t.Errorf("detail %q does not name %s", d, tc.field)
			}
		})
	}
}

func TestBodyCap(t *testing.T) {
	e := newEnv(t)
	big := `{"name":"` + strings.Repeat("x", MaxBody) + `"}`
	code, body, _ := e.do("POST", "/api/v1/projects", big, "owner")
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body["detail"].(string), strconv.Itoa(MaxBody)) {
		t.Errorf("status %d %v, want 413", code, body)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	code, _, _ := e.do("POST", "/api/v1/session", `{"username":"owner","password":"wrong password!"}`, "")
	if code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/session", strings.NewReader(`{"username":"Owner","password":"`+testPassword+`"}`))
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	resp.Body.Close()
	cs := resp.Cookies()
	if resp.StatusCode != 200 || len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("sign-in: %d %+v", resp.StatusCode, cs)
	}
	e.cookies["fresh"] = cs[0]
	if code, m, _ := e.do("GET", "/api/v1/me", "", "fresh"); code != 200 || m["user"].(map[string]any)["username"] != "owner" || len(m["memberships"].([]any)) != 1 {
		t.Errorf("me: %d %v", code, m)
	}
	if code, _, _ := e.do("DELETE", "/api/v1/session", "", "fresh"); code != http.StatusNoContent {
		t.Errorf("sign-out: %d", code)
	}
	if code, _, _ := e.do("GET", "/api/v1/me", "", "fresh"); code != http.StatusUnauthorized {
		t.Errorf("me after sign-out: %d", code)
	}
	// The limiter answers 429 with Retry-After once the burst is spent.
	var h http.Header
	for range 10 {
		code, _, h = e.do("POST", "/api/v1/session", `{"username":"viewer","password":"wrong password!"}`, "")
	}
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("after 10 wrong passwords: %d, Retry-After %q", code, h.Get("Retry-After"))
	}
}

func TestProjectLifecycle(t *testing.T) {
	e := newEnv(t)
	code, p, h := e.do("POST", "/api/v1/projects", `{"name":"gamma"}`, "viewer")
	if code != http.StatusCreated || p["role"] != "owner" || p["externalId"] != "lakemap-"+p["id"].(string) || h.Get("Location") == "" {
		t.Fatalf("create: %d %v", code, p)
	}
	if code, _, _ := e.do("POST", "/api/v1/projects", `{"name":"gamma"}`, "owner"); code != http.StatusConflict {
		t.Errorf("second gamma: %d", code)
	}
	if code, m, _ := e.do("PATCH", "/api/v1/projects/gamma", `{"name":"delta"}`, "viewer"); code != 200 || m["name"] != "delta" || m["id"] != p["id"] || m["externalId"] != p["externalId"] {
		t.Errorf("rename: %d %v", code, m)
	}
	if code, _, _ := e.do("PATCH", "/api/v1/projects/delta", `{"name":"alpha"}`, "viewer"); code != http.StatusConflict {
		t.Errorf("rename onto alpha: %d", code)
	}
	// The last owner cannot leave or be demoted.
	if code, _, _ := e.do("PUT", "/api/v1/projects/delta/members/viewer", `{"role":"editor"}`, "viewer"); code != http.StatusConflict {
		t.Errorf("demote the last owner: %d", code)
	}
	if code, _, _ := e.do("DELETE", "/api/v1/projects/delta/members/viewer", "", "viewer"); code != http.StatusConflict {
		t.Errorf("remove the last owner: %d", code)
	}
	if code, m, _ := e.do("GET", "/api/v1/projects/delta/members/viewer", "", "viewer"); code != 200 || m["role"] != "owner" {
		t.Errorf("get member: %d %v", code, m)
	}
	if code, _, _ := e.do("GET", "/api/v1/projects/delta/members/editor", "", "viewer"); code != 404 {
		t.Errorf("get non-member: %d", code)
	}
	if code, _, _ := e.do("PUT", "/api/v1/projects/delta/members/nobody", `{"role":"viewer"}`, "viewer"); code != 404 {
		t.Errorf("add unknown user: %d", code)
	}
	// A project with connections is not deleted; an empty one is.
	if code, m, _ := e.do("DELETE", "/api/v1/projects/alpha", "", "owner"); code != http.StatusConflict || !strings.Contains(m["detail"].(string), "connection") {
		t.Errorf("delete alpha with a connection: %d %v", code, m)
	}
	if code, _, _ := e.do("DELETE", "/api/v1/projects/delta", "", "viewer"); code != http.StatusNoContent {
		t.Errorf("delete delta: %d", code)
	}
	if code, _, _ := e.do("GET", "/api/v1/projects/delta", "", "viewer"); code != 404 {
		t.Errorf("deleted project: %d", code)
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	secret, id := e.token("alpha", "owner", `{"name":"ci","scope":"read"}`)
	if !strings.HasPrefix(secret, "lkm_") {
		t.Errorf("secret %q", secret)
	}
	code, m, _ := e.do("GET", "/api/v1/projects/alpha/tokens", "", "owner")
	if code != 200 || len(m["tokens"].([]any)) != 1 || strings.Contains(e.log.String(), secret) {
		t.Fatalf("list: %d %v", code, m)
	}
	if raw := m["tokens"].([]any)[0].(map[string]any); raw["secret"] != nil || raw["hash"] != nil {
		t.Errorf("a listed token shows its secret: %v", raw)
	}
	if code, m, _ := e.do("GET", "/api/v1/me", "", "bearer:"+secret); code != 200 || m["token"].(map[string]any)["projectId"] != e.alpha.ID {
		t.Errorf("me as a token: %d %v", code, m)
	}
	if code, m, _ := e.do("GET", "/api/v1/search?q=orders", "", "bearer:"+secret); code != 200 || len(m["hits"].([]any)) == 0 {
		t.Errorf("search with the token: %d %v", code, m)
	}
	if code, _, _ := e.do("DELETE", "/api/v1/projects/beta/tokens/"+id, "", "outsider"); code != 404 {
		t.Errorf("revoke alpha's token through beta: %d", code)
	}
	if code, _, _ := e.do("DELETE", "/api/v1/projects/alpha/tokens/"+id, "", "owner"); code != http.StatusNoContent {
		t.Errorf("revoke: %d", code)
	}
	if code, _, _ := e.do("GET", "/api/v1/search?q=orders", "", "bearer:"+secret); code != http.StatusUnauthorized {
		t.Errorf("search with a revoked token: %d", code)
	}
}
