package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// SessionCookie names the browser session cookie.
const SessionCookie = "lakemap_session"

// Session lifetimes: a session ends a week after sign-in, or after a day
// without use, whichever comes first.
const (
	SessionLifetime = 7 * 24 * time.Hour
	SessionIdle     = 24 * time.Hour
)

// touchEvery bounds how often a request writes a session's or token's
// last-use time: reads must not turn into a write each.
const touchEvery = time.Minute

// Options tune an Authenticator; the zero value is the production setting.
type Options struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives why a request was refused, never with a credential.
	Logger *slog.Logger
	// SecureCookies sets Secure on the session cookie even when the request
	// arrived without TLS: behind a TLS-terminating proxy.
	SecureCookies bool
	// Argon2 is the cost of new password hashes (DefaultArgon2 when zero).
	Argon2 Argon2Params
	// Limiter limits login attempts (NewLoginLimiter(LimiterConfig{}) when nil).
	Limiter *LoginLimiter
}

// Authenticator resolves requests into principals and keeps sessions.
type Authenticator struct {
	store catalog.IdentityStore
	opts  Options
	// decoyPW is a hash verified for unknown users, so timing hides who
	// exists; made on first use.
	decoyOnce sync.Once
	decoyPW   string
}

// New returns an Authenticator over store.
func New(store catalog.IdentityStore, opts Options) *Authenticator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Argon2 == (Argon2Params{}) {
		opts.Argon2 = DefaultArgon2()
	}
	if opts.Limiter == nil {
		opts.Limiter = NewLoginLimiter(LimiterConfig{Now: opts.Now})
	}
	return &Authenticator{store: store, opts: opts}
}

// Authenticate is the middleware of every authenticated route: it puts the
// caller's Principal in the request context, or answers 401 problem+json.
func (a *Authenticator) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Resolve(r)
		if err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				a.opts.Logger.Info("request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err.Error())
				w.Header().Set("WWW-Authenticate", `Bearer realm="lakemap"`)
				WriteProblem(w, http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer")
				return
			}
			a.opts.Logger.Error("authenticating a request", "path", r.URL.Path, "err", err)
			WriteProblem(w, http.StatusServiceUnavailable, "could not check credentials; retry later")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// Resolve finds the caller of a request: a bearer token when the request
// has an Authorization header (a bad one is refused, never retried as a
// cookie), else the session cookie. No credential is apperr.Unauthenticated,
// as is a wrong, revoked or expired one.
func (a *Authenticator) Resolve(r *http.Request) (*Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, apperr.New(apperr.Unauthenticated, "Authorization is not a bearer token")
		}
		return a.resolveToken(r.Context(), strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return a.resolveSession(r.Context(), c.Value)
	}
	return nil, apperr.New(apperr.Unauthenticated, "no credentials")
}

func (a *Authenticator) resolveToken(ctx context.Context, secret string) (*Principal, error) {
	hash := HashSecret(secret)
	t, err := a.store.APITokenByHash(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.Unauthenticated, "unknown token")
	}
	if err != nil {
		return nil, err
	}
	// The lookup matched on the hash already; this keeps a backend whose
	// index compares differently from letting a near miss through.
	if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) != 1 {
		return nil, apperr.New(apperr.Unauthenticated, "unknown token")
	}
	if t.Revoked != nil {
		return nil, apperr.New(apperr.Unauthenticated, "revoked token %q", t.Name)
	}
	now := a.opts.Now()
	if t.LastUsed == nil || now.Sub(*t.LastUsed) >= touchEvery {
		if err := a.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			a.opts.Logger.Warn("recording token use", "token", t.Name, "err", err)
		}
	}
	return NewTokenPrincipal(t), nil
}

func (a *Authenticator) resolveSession(ctx context.Context, value string) (*Principal, error) {
	hash := HashSecret(value)
	s, err := a.store.SessionByHash(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.Unauthenticated, "unknown session")
	}
	if err != nil {
		return nil, err
	}
	now := a.opts.Now()
	if !now.Before(s.Expires) || now.Sub(s.LastSeen) >= SessionIdle {
		return nil, apperr.New(apperr.Unauthenticated, "session expired")
	}
	u, err := a.store.GetUser(ctx, s.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.Unauthenticated, "session of an unknown user")
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, apperr.New(apperr.Unauthenticated, "user %q is disabled", u.Username)
	}
	ms, err := a.store.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := a.store.TouchSession(ctx, hash, now); err != nil && !apperr.Is(err, apperr.NotFound) {
			a.opts.Logger.Warn("recording session use", "user", u.Username, "err", err)
		}
	}
	return NewUserPrincipal(u, ms), nil
}

// StartSession creates a session for a user who just proved who they are
// and sets its cookie: HttpOnly, SameSite=Lax, Path=/, Secure over TLS (or
// always, with Options.SecureCookies).
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, u catalog.User) error {
	value, hash, err := NewSecret("")
	if err != nil {
		return err
	}
	now := a.opts.Now().UTC()
	s := catalog.Session{Hash: hash, UserID: u.ID, Created: now, Expires: now.Add(SessionLifetime), LastSeen: now}
	if err := a.store.CreateSession(r.Context(), s); err != nil {
		return err
	}
	http.SetCookie(w, a.cookie(r, value, s.Expires))
	return nil
}

// EndSession deletes the request's session, if any, and clears its cookie.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, a.cookie(r, "", time.Unix(0, 0)))
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	if err := a.store.DeleteSession(r.Context(), HashSecret(c.Value)); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}

func (a *Authenticator) cookie(r *http.Request, value string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name: SessionCookie, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.opts.SecureCookies || r.TLS != nil,
	}
	if value == "" {
		c.MaxAge = -1
	}
	return c
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// WriteProblem answers with a problem+json document. The API's one error
// mapping may replace it; the auth middleware needs one before any route.
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// Authenticate is the middleware of an Authenticator with default options
// over store; servers that set options use New(...).Authenticate.
func Authenticate(store catalog.IdentityStore) func(http.Handler) http.Handler {
	return New(store, Options{}).Authenticate
}
