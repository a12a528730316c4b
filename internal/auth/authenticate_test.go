package auth

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

var ctx = context.Background()

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	store   *sqlite.Store
	auth    *Authenticator
	clock   *clock
	project catalog.Project
	user    catalog.User
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := openStore(t)
	c := &clock{t: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	f := &fixture{store: s, clock: c, auth: New(s, Options{Now: c.now, Argon2: cheap})}
	f.project, _ = catalog.NewProject("alpha", c.t)
	if err := s.CreateProject(ctx, f.project); err != nil {
		t.Fatal(err)
	}
	f.user = f.newUser(t, "ana", "ana's password")
	if err := s.PutMember(ctx, catalog.Membership{ProjectID: f.project.ID, UserID: f.user.ID, Role: catalog.RoleEditor, Created: c.t}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) newUser(t *testing.T, name, pw string) catalog.User {
	t.Helper()
	h, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := catalog.NewUser(name, "", h, false, f.clock.t)
	if err := f.store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) token(t *testing.T, name string, scope catalog.TokenScope) (string, catalog.APIToken) {
	t.Helper()
	secret, hash, err := NewSecret(TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := catalog.NewAPIToken(f.project.ID, name, scope, hash, f.clock.t)
	if err := f.store.CreateAPIToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

// signIn starts a session the way a login handler would and returns its cookie.
func (f *fixture) signIn(t *testing.T, u catalog.User) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := f.auth.StartSession(rec, httptest.NewRequest("POST", "/login", nil), u); err != nil {
		t.Fatal(err)
	}
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("StartSession set %d cookies", len(cs))
	}
	return cs[0]
}

// call sends a request through Authenticate and reports the status and
// the principal the handler saw.
func (f *fixture) call(t *testing.T, edit func(r *http.Request)) (int, *Principal, *httptest.ResponseRecorder) {
	t.Helper()
	var seen *Principal
	h := f.auth.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = FromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest("GET", "/api/v1/projects", nil)
	edit(r)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code, seen, rec
}

func bearer(secret string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }
}

func withCookie(c *http.Cookie) func(*http.Request) {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value}) }
}

func TestAuthenticateBearer(t *testing.T) {
	f := newFixture(t)
	secret, tok := f.token(t, "ci", catalog.ScopeRead)
	code, p, _ := f.call(t, bearer(secret))
	if code != http.StatusNoContent || p == nil || p.Kind != KindToken || p.TokenID != tok.ID || !p.CanRead(f.project.ID) || p.CanWrite(f.project.ID) {
		t.Fatalf("valid read token: %d %+v", code, p)
	}
	if got, _ := f.store.APITokenByHash(ctx, tok.Hash); got.LastUsed == nil || !got.LastUsed.Equal(f.clock.t) {
		t.Errorf("LastUsed = %v after a request", got.LastUsed)
	}
	code, _, _ = f.call(t, func(r *http.Request) { r.Header.Set("Authorization", "bearer   "+secret+"  ") })
	if code != http.StatusNoContent {
		t.Errorf("lower-case scheme and spaces: %d", code)
	}

	if err := f.store.RevokeAPIToken(ctx, f.project.ID, tok.ID, f.clock.t); err != nil {
		t.Fatal(err)
	}
	code, p, _ = f.call(t, bearer(secret))
	if code != http.StatusUnauthorized || p != nil {
		t.Errorf("revoked token: %d %+v, want 401", code, p)
	}
}

func TestAuthenticateCookie(t *testing.T) {
	f := newFixture(t)
	c := f.signIn(t, f.user)
	code, p, _ := f.call(t, withCookie(c))
	if code != http.StatusNoContent || p == nil || p.Kind != KindUser || p.UserID != f.user.ID || !p.CanWrite(f.project.ID) || p.CanManage(f.project.ID) {
		t.Fatalf("valid session: %d %+v", code, p)
	}

	// An idle session ends after SessionIdle; one in use lasts until SessionLifetime.
	f.clock.t = f.clock.t.Add(SessionIdle - time.Minute)
	if code, _, _ := f.call(t, withCookie(c)); code != http.StatusNoContent {
		t.Fatalf("session used within the idle limit: %d", code)
	}
	f.clock.t = f.clock.t.Add(SessionIdle - time.Minute)
	if code, _, _ := f.call(t, withCookie(c)); code != http.StatusNoContent {
		t.Fatalf("session touched a day ago, used again: %d", code)
	}
	f.clock.t = f.clock.t.Add(SessionIdle)
	if code, _, _ := f.call(t, withCookie(c)); code != http.StatusUnauthorized {
		t.Errorf("idle session: %d, want 401", code)
	}

	c2 := f.signIn(t, f.user)
	for i := 0; i < 8; i++ { // used every 23 hours until the week is over
		f.clock.t = f.clock.t.Add(23 * time.Hour)
		code, _, _ = f.call(t, withCookie(c2))
	}
	if code != http.StatusUnauthorized {
		t.Errorf("session past its lifetime: %d, want 401", code)
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	f := newFixture(t)
	secret, _ := f.token(t, "ci", catalog.ScopeReadWrite)
	live := f.signIn(t, f.user)
	bo := f.newUser(t, "bo", "bo's password!")
	boCookie := f.signIn(t, bo)
	// Disabling ends bo's sessions in the store; a cookie copied before
	// still names the deleted session.
	if err := f.store.SetDisabled(ctx, bo.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*http.Request)
	}{
		{"anonymous", func(*http.Request) {}},
		{"unknown token", bearer("lkm_not-a-token")},
		{"basic auth", func(r *http.Request) { r.SetBasicAuth("ana", "ana's password") }},
		{"bearer with no token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer ") }},
		{"token in the wrong scheme", func(r *http.Request) { r.Header.Set("Authorization", "Token "+secret) }},
		{"unknown cookie", withCookie(&http.Cookie{Name: SessionCookie, Value: "forged"})},
		{"empty cookie", withCookie(&http.Cookie{Name: SessionCookie, Value: ""})},
		{"session of a disabled user", withCookie(boCookie)},
		{"bad bearer beside a good cookie", func(r *http.Request) { bearer("lkm_x")(r); withCookie(live)(r) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, p, rec := f.call(t, tc.edit)
			if code != http.StatusUnauthorized || p != nil {
				t.Fatalf("status %d, principal %+v; want 401 and no handler call", code, p)
			}
			var prob Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &prob); err != nil || prob.Status != 401 || prob.Title != "Unauthorized" || prob.Type != "about:blank" || prob.Detail == "" {
				t.Errorf("body %q: want a problem document", rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
			if strings.Contains(rec.Body.String(), secret) {
				t.Error("the answer echoes a token")
			}
		})
	}
}

// A session row of a disabled user (left by a backend or a race with
// SetDisabled) admits nobody: the user is checked on every request.
func TestDisabledUserSessionRefused(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SetDisabled(ctx, f.user.ID, true); err != nil {
		t.Fatal(err)
	}
	c := f.signIn(t, f.user)
	if code, p, _ := f.call(t, withCookie(c)); code != http.StatusUnauthorized || p != nil {
		t.Errorf("disabled user's cookie: %d %+v", code, p)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name       string
		tls        bool
		secureOpt  bool
		wantSecure bool
	}{
		{"plain http", false, false, false},
		{"tls", true, false, true},
		{"behind a tls proxy", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(f.store, Options{Now: f.clock.now, Argon2: cheap, SecureCookies: tc.secureOpt})
			r := httptest.NewRequest("POST", "/login", nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			if err := a.StartSession(rec, r, f.user); err != nil {
				t.Fatal(err)
			}
			c := rec.Result().Cookies()[0]
			if c.Name != "lakemap_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != tc.wantSecure || len(c.Value) < 40 {
				t.Errorf("cookie %+v", c)
			}
			if !c.Expires.Equal(f.clock.t.Add(SessionLifetime).Truncate(time.Second)) {
				t.Errorf("cookie expires %v", c.Expires)
			}
			if _, err := f.store.SessionByHash(ctx, c.Value); err == nil {
				t.Error("the store holds the cookie value itself, not its hash")
			}

			// Sign-out deletes the session and clears the cookie.
			out := httptest.NewRequest("POST", "/logout", nil)
			out.AddCookie(c)
			rec = httptest.NewRecorder()
			if err := a.EndSession(rec, out); err != nil {
				t.Fatal(err)
			}
			if cleared := rec.Result().Cookies()[0]; cleared.Value != "" || cleared.MaxAge >= 0 {
				t.Errorf("cleared cookie %+v", cleared)
			}
			if code, _, _ := f.call(t, withCookie(c)); code != http.StatusUnauthorized {
				t.Errorf("cookie after sign-out: %d", code)
			}
		})
	}
	// Signing out without a session is not an error.
	if err := f.auth.EndSession(httptest.NewRecorder(), httptest.NewRequest("POST", "/logout", nil)); err != nil {
		t.Error(err)
	}
}
