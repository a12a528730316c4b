package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestSetupCodeOneShot(t *testing.T) {
	empty := newEmptyAuth(t, &clock{t: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)})

	old, err := empty.EnsureSetupCode(ctx)
	if err != nil || !strings.HasPrefix(old, "/setup?code=") {
		t.Fatalf("EnsureSetupCode = %q, %v", old, err)
	}
	link, _ := empty.EnsureSetupCode(ctx)
	u, _ := url.Parse(link)
	code := u.Query().Get("code")
	if len(code) != 43 || link == old {
		t.Fatalf("link %q: want a fresh 256-bit code", link)
	}
	oldCode := strings.TrimPrefix(old, "/setup?code=")

	for _, tc := range []struct {
		name, code, user, pw string
		kind                 apperr.Kind
	}{
		{"no code", "", "root", "a long enough password", apperr.NotFound},
		{"wrong code", "nope", "root", "a long enough password", apperr.NotFound},
		{"replaced code", oldCode, "root", "a long enough password", apperr.NotFound},
		{"short password", code, "root", "short", apperr.Invalid},
		{"bad username", code, "root user", "a long enough password", apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := empty.RedeemSetupCode(ctx, tc.code, tc.user, "", tc.pw)
			if !apperr.Is(err, tc.kind) {
				t.Errorf("RedeemSetupCode = %v, want %v", err, tc.kind)
			}
		})
	}

	admin, err := empty.RedeemSetupCode(ctx, code, "Root@Example.com", "The Admin", "a long enough password")
	if err != nil || !admin.Admin || admin.Username != "root@example.com" {
		t.Fatalf("RedeemSetupCode = %+v, %v", admin, err)
	}
	if _, err := empty.Login(ctx, "root@example.com", "a long enough password", "127.0.0.1"); err != nil {
		t.Errorf("the first admin cannot sign in: %v", err)
	}
	if _, err := empty.RedeemSetupCode(ctx, code, "second", "", "a long enough password"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second redemption = %v, want Conflict", err)
	}
	if link, err := empty.EnsureSetupCode(ctx); link != "" || err != nil {
		t.Errorf("EnsureSetupCode with a user = %q, %v; want nothing", link, err)
	}
}

func TestSetupCodeExpires(t *testing.T) {
	c := &clock{t: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	a := newEmptyAuth(t, c)
	link, _ := a.EnsureSetupCode(ctx)
	c.t = c.t.Add(SetupCodeTTL)
	_, err := a.RedeemSetupCode(ctx, strings.TrimPrefix(link, "/setup?code="), "root", "", "a long enough password")
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("expired code = %v, want NotFound", err)
	}
}

func newEmptyAuth(t *testing.T, c *clock) *Authenticator {
	t.Helper()
	return New(openStore(t), Options{Now: c.now, Argon2: cheap})
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	bo := f.newUser(t, "bo", "bo's password!")
	if err := f.store.SetDisabled(ctx, bo.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, pw string
		ok             bool
	}{
		{"right", "ana", "ana's password", true},
		{"username in capitals", " ANA ", "ana's password", true},
		{"wrong password", "ana", "ana's passwort", false},
		{"unknown user", "cy", "ana's password", false},
		{"disabled user, right password", "bo", "bo's password!", false},
		{"empty", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := f.auth.Login(ctx, tc.user, tc.pw, "10.1.1."+tc.name)
			if tc.ok && (err != nil || u.ID != f.user.ID) {
				t.Errorf("Login = %+v, %v", u, err)
			}
			if !tc.ok && (!apperr.Is(err, apperr.Unauthenticated) || err.Error() != "username or password is wrong") {
				t.Errorf("Login = %v; want the one Unauthenticated answer", err)
			}
		})
	}

	t.Run("rate limited", func(t *testing.T) {
		a := New(f.store, Options{Now: f.clock.now, Argon2: cheap, Limiter: NewLoginLimiter(LimiterConfig{Now: f.clock.now, PerUser: rate.Every(time.Minute), UserBurst: 2})})
		for range 2 {
			_, _ = a.Login(ctx, "ana", "wrong password!", "10.0.0.1")
		}
		_, err := a.Login(ctx, "ana", "ana's password", "10.0.0.2")
		var tooMany *TooManyAttemptsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter <= 0 || !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("third attempt = %v; want TooManyAttemptsError", err)
		}
		f.clock.t = f.clock.t.Add(time.Minute)
		if _, err := a.Login(ctx, "ana", "ana's password", "10.0.0.2"); err != nil {
			t.Errorf("after waiting: %v", err)
		}
	})
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "203.0.113.7:5555"
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	if got := ClientIP(r); got != "203.0.113.7" {
		t.Errorf("ClientIP = %q", got)
	}
	r.RemoteAddr = "not-an-address"
	if got := ClientIP(r); got != "not-an-address" {
		t.Errorf("ClientIP = %q", got)
	}
}

func TestCrossOrigin(t *testing.T) {
	h, err := CrossOrigin(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }), "https://ui.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method string
		headers      map[string]string
		want         int
	}{
		{"cross-site post", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-origin delete by Origin", "DELETE", map[string]string{"Origin": "https://evil.example"}, 403},
		{"same-origin post", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, 204},
		{"trusted origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://ui.example.com"}, 204},
		{"cross-site get", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, 204},
		{"script with a token, no browser headers", "POST", nil, 204},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://lakemap.local/api/v1/projects", nil)
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d", rec.Code, tc.want)
			}
			if tc.want == 403 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("refusal Content-Type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
	if _, err := CrossOrigin(http.NotFoundHandler(), "not an origin"); err == nil {
		t.Error("a bad trusted origin was accepted")
	}
}
