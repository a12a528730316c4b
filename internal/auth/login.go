package auth

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// TooManyAttemptsError refuses a sign-in the LoginLimiter did not allow. It
// comes wrapped as apperr.Unavailable; an HTTP handler finds it with
// errors.As to answer 429 with Retry-After.
type TooManyAttemptsError struct{ RetryAfter time.Duration }

func (e *TooManyAttemptsError) Error() string {
	return fmt.Sprintf("too many sign-in attempts: retry in %s", e.RetryAfter.Round(time.Second))
}

// Login checks a username and password, limited per username and per
// client address. A wrong username, a wrong password and a disabled user
// are the same apperr.Unauthenticated, in about the same time, so a caller
// cannot learn which accounts exist. It does not start a session: call
// StartSession with the user it returns.
func (a *Authenticator) Login(ctx context.Context, username, password, clientIP string) (catalog.User, error) {
	name := catalog.NormalizeUsername(username)
	if ok, wait := a.opts.Limiter.Allow(name, clientIP); !ok {
		return catalog.User{}, apperr.Wrap(apperr.Unavailable, &TooManyAttemptsError{RetryAfter: wait}, "sign in as %q", name)
	}
	bad := apperr.New(apperr.Unauthenticated, "username or password is wrong")
	u, err := a.store.GetUser(ctx, name)
	if apperr.Is(err, apperr.NotFound) {
		_, _ = VerifyPassword(a.decoy(), password)
		return catalog.User{}, bad
	}
	if err != nil {
		return catalog.User{}, err
	}
	ok, err := VerifyPassword(u.PasswordHash, password)
	if err != nil {
		a.opts.Logger.Error("checking a password", "user", u.Username, "err", err)
		return catalog.User{}, bad
	}
	if !ok || u.Disabled {
		return catalog.User{}, bad
	}
	return u, nil
}

// decoy returns a hash to verify when the user does not exist, made once
// per Authenticator with the same cost as real hashes.
func (a *Authenticator) decoy() string {
	a.decoyOnce.Do(func() {
		a.decoyPW, _ = HashPassword("decoy-password-never-used", a.opts.Argon2)
	})
	return a.decoyPW
}

// HashPassword hashes a new password with the Authenticator's cost.
func (a *Authenticator) HashPassword(pw string) (string, error) {
	return HashPassword(pw, a.opts.Argon2)
}

// ClientIP is the address a login attempt is counted against: the TCP
// peer. Forwarded headers are not read, since any client can set them;
// behind a proxy, the server should set RemoteAddr from the proxy's header
// before this runs.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
