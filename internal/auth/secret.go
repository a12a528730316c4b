package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// TokenPrefix starts every API token, as it does the MCP tokens of
// internal/mcpserver, so secret scanners and people recognise one.
const TokenPrefix = "lkm_"

// NewSecret returns prefix + 32 random bytes (unpadded base64url) and the
// hex SHA-256 under which it is stored. 256 random bits leave nothing to
// guess from the hash, so a fast unsalted hash is enough.
func NewSecret(prefix string) (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("generate a secret: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret), nil
}

// HashSecret is the hex SHA-256 of a session value, setup code or token.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
