// Package secrets encrypts the secret fields of connections (static keys,
// session tokens) before they reach the catalog.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// EnvKey names the environment variable holding the encryption key.
const EnvKey = "LAKEMAP_SECRET_KEY"

// Box seals and opens secrets with AES-256-GCM.
type Box struct {
	aead cipher.AEAD
}

// NewBox derives the key from a passphrase or base64 key of any length.
func NewBox(key string) (*Box, error) {
	if strings.TrimSpace(key) == "" {
		return nil, apperr.New(apperr.Invalid, "empty secret key")
	}
	raw := []byte(key)
	if dec, err := base64.StdEncoding.DecodeString(key); err == nil && len(dec) >= 32 {
		raw = dec
	}
	sum := sha256.Sum256(raw)
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create GCM: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; the nonce is prepended.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, nil), nil
}

// Open decrypts what Seal produced.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, apperr.New(apperr.Invalid, "sealed secret is too short")
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "cannot decrypt stored secrets: the key differs from the one they were sealed with (check %s or the key file)", EnvKey)
	}
	return out, nil
}

// Load returns a Box keyed by $LAKEMAP_SECRET_KEY, else by the key file at
// keyPath, creating that file (mode 0600) with a random key the first time.
func Load(keyPath string) (*Box, error) {
	if k := os.Getenv(EnvKey); k != "" {
		return NewBox(k)
	}
	data, err := os.ReadFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return create(keyPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret key file %s: %w", keyPath, err)
	}
	if info, err := os.Stat(keyPath); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, apperr.New(apperr.Invalid, "secret key file %s is readable by others (mode %v): run chmod 600 %s", keyPath, info.Mode().Perm(), keyPath)
	}
	return NewBox(strings.TrimSpace(string(data)))
}

func create(keyPath string) (*Box, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate secret key: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(key)
	if dir := filepath.Dir(keyPath); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create directory for secret key file: %w", err)
		}
	}
	f, err := os.OpenFile(keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first: use theirs.
		return Load(keyPath)
	}
	if err != nil {
		return nil, fmt.Errorf("create secret key file %s: %w", keyPath, err)
	}
	if _, err := f.WriteString(enc + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write secret key file %s: %w", keyPath, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write secret key file %s: %w", keyPath, err)
	}
	return NewBox(enc)
}
