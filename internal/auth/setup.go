package auth

import (
	"context"
	"net/url"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// SetupCodeTTL is how long a printed setup link works.
const SetupCodeTTL = 24 * time.Hour

// SetupPath is the page a setup link opens.
const SetupPath = "/setup"

// EnsureSetupCode prepares the first sign-in of an empty catalog: when no
// user exists it stores a new one-time code (dropping any earlier unused
// one) and returns the link path "/setup?code=..." to print once. When a
// user exists it returns "".
func (a *Authenticator) EnsureSetupCode(ctx context.Context) (string, error) {
	n, err := a.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	code, hash, err := NewSecret("")
	if err != nil {
		return "", err
	}
	now := a.opts.Now().UTC()
	err = a.store.ReplaceSetupCode(ctx, catalog.SetupCode{Hash: hash, Created: now, Expires: now.Add(SetupCodeTTL)})
	if apperr.Is(err, apperr.Conflict) {
		return "", nil // a user appeared in between: nothing to set up
	}
	if err != nil {
		return "", err
	}
	return SetupPath + "?" + url.Values{"code": {code}}.Encode(), nil
}

// RedeemSetupCode creates the first administrator with a setup code and
// burns the code. A wrong, used or expired code is apperr.NotFound; a
// catalog that has users already is apperr.Conflict.
func (a *Authenticator) RedeemSetupCode(ctx context.Context, code, username, displayName, password string) (catalog.User, error) {
	// The cheap check first, so requests to a set-up server never pay for
	// a password hash.
	if n, err := a.store.CountUsers(ctx); err != nil {
		return catalog.User{}, err
	} else if n > 0 {
		return catalog.User{}, apperr.New(apperr.Conflict, "this server is set up already: sign in")
	}
	if code == "" {
		return catalog.User{}, apperr.New(apperr.NotFound, "no setup code: open the link lakemap serve printed")
	}
	// Validate the names before the slow hash, and the password by hashing.
	if _, err := catalog.NewUser(username, displayName, "pending", true, time.Time{}); err != nil {
		return catalog.User{}, err
	}
	hash, err := a.HashPassword(password)
	if err != nil {
		return catalog.User{}, err
	}
	now := a.opts.Now().UTC()
	u, err := catalog.NewUser(username, displayName, hash, true, now)
	if err != nil {
		return catalog.User{}, err
	}
	if err := a.store.RedeemSetupCode(ctx, HashSecret(code), now, u); err != nil {
		return catalog.User{}, err
	}
	return u, nil
}
