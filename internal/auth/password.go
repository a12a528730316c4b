// Package auth turns a request into a Principal: a signed-in user (session
// cookie) or a project API token (Authorization: Bearer). It also hashes
// passwords, limits login attempts, creates the first administrator through
// a one-time setup code, and refuses cross-origin writes.
//
// Secrets never reach a log, an error or a response: the store keeps only
// hashes, and failures say why in the log with no credential in them.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Password length bounds. The upper one keeps a login request from making
// the server hash megabytes.
const (
	MinPassword = 12
	MaxPassword = 1024
)

// Argon2Params are the argon2id cost parameters. They are written into
// each encoded hash, so raising them later leaves old hashes verifiable.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2 returns OWASP's recommended minimum for argon2id (19 MiB, two
// passes, one lane): a login costs tens of milliseconds and 19 MiB, which a
// small server can afford for a few concurrent sign-ins (and the login
// limiter bounds how many an attacker can ask for).
func DefaultArgon2() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// ValidatePassword checks a new password's length; it says nothing about
// the password itself.
func ValidatePassword(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPassword:
		return apperr.New(apperr.Invalid, "password is %d characters long; use at least %d", n, MinPassword)
	case len(pw) > MaxPassword:
		return apperr.New(apperr.Invalid, "password is longer than %d bytes", MaxPassword)
	}
	return nil
}

// HashPassword hashes a password with argon2id and a random salt, encoded
// as $argon2id$v=19$m=...,t=...,p=...$salt$key (unpadded base64).
func HashPassword(pw string, p Argon2Params) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: read random salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches an encoded hash, comparing in
// constant time. A malformed hash is an error, never a match.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPassword {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// decodeHash parses an encoded hash. Its parameters are bounded so that a
// tampered row cannot make a login allocate gigabytes.
func decodeHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	bad := func(why string) (Argon2Params, []byte, []byte, error) {
		return p, nil, nil, fmt.Errorf("stored password hash is malformed (%s): reset it with lakemap user passwd", why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return bad("unknown version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return bad("unreadable parameters")
	}
	if p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 16 || p.Threads < 1 {
		return bad("parameters out of range")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return bad("bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return bad("bad key")
	}
	return p, salt, key, nil
}
