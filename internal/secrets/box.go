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
	"sync"

	"golang.org/x/crypto/argon2"

	"github.com/lakemap/lakemap/internal/apperr"
)

// EnvKey names the environment variable holding the encryption key.
const EnvKey = "LAKEMAP_SECRET_KEY"

// Box seals and opens secrets with AES-256-GCM.
//
// The key comes from LAKEMAP_SECRET_KEY or the key file. A random key of 32
// bytes or more (base64, what the key file holds) is used through SHA-256;
// anything else is a passphrase, stretched with Argon2id and a random salt
// stored in each sealed value, so a stolen catalog cannot be tried against
// a dictionary at SHA-256 speed.
//
// Sealed values (format 2) start with a header (magic, key derivation,
// salt) and are bound to what they belong to (SealFor's bind, a
// connection's name) through GCM's associated data, so a value copied to
// another connection's row does not open there. Values sealed before format
// 2 (no header, SHA-256 of the passphrase, nothing bound) still open.
type Box struct {
	raw        []byte // the key or passphrase
	passphrase bool
	salt       []byte      // this Box's salt for sealing (passphrases only)
	aead       cipher.AEAD // keyed for sealing
	legacy     cipher.AEAD // SHA-256 of raw: format 1, and format 2 of random keys

	mu      sync.Mutex
	derived map[string]cipher.AEAD // by salt, for values sealed by other Boxes
}

// Format 2's header.
const (
	magic       = "LMS2"
	kdfSHA256   = 0 // random key of 32+ bytes: SHA-256 of it
	kdfArgon2id = 1 // passphrase: Argon2id with the salt that follows
	saltLen     = 16
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes), a
// few tens of milliseconds per derivation, done once per Box and salt.
const (
	argonTime    = 2
	argonMemory  = 19 << 10 // KiB
	argonThreads = 1
)

// NewBox derives the key from a passphrase or base64 key of any length.
func NewBox(key string) (*Box, error) {
	if strings.TrimSpace(key) == "" {
		return nil, apperr.New(apperr.Invalid, "empty secret key")
	}
	b := &Box{raw: []byte(key), passphrase: true, derived: map[string]cipher.AEAD{}}
	if dec, err := base64.StdEncoding.DecodeString(key); err == nil && len(dec) >= 32 {
		b.raw, b.passphrase = dec, false
	}
	sum := sha256.Sum256(b.raw)
	var err error
	if b.legacy, err = newGCM(sum[:]); err != nil {
		return nil, err
	}
	b.aead = b.legacy
	if b.passphrase {
		b.salt = make([]byte, saltLen)
		if _, err := rand.Read(b.salt); err != nil {
			return nil, fmt.Errorf("read salt: %w", err)
		}
		if b.aead, err = b.argon(b.salt); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("create GCM: %w", err)
	}
	return aead, nil
}

// argon keys a GCM from the passphrase and salt, once per salt.
func (b *Box) argon(salt []byte) (cipher.AEAD, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if a, ok := b.derived[string(salt)]; ok {
		return a, nil
	}
	a, err := newGCM(argon2.IDKey(b.raw, salt, argonTime, argonMemory, argonThreads, 32))
	if err != nil {
		return nil, err
	}
	b.derived[string(salt)] = a
	return a, nil
}

// header is format 2's header for this Box.
func (b *Box) header() []byte {
	if b.passphrase {
		return append(append([]byte(magic), kdfArgon2id), b.salt...)
	}
	return append([]byte(magic), kdfSHA256)
}

// Seal encrypts plaintext bound to nothing; see SealFor.
func (b *Box) Seal(plaintext []byte) ([]byte, error) { return b.SealFor(plaintext, "") }

// SealFor encrypts plaintext bound to bind (a connection's name): OpenFor
// opens it only with the same bind. The result is header, nonce, sealed.
func (b *Box) SealFor(plaintext []byte, bind string) ([]byte, error) {
	head := b.header()
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	out := append(append([]byte{}, head...), nonce...)
	return b.aead.Seal(out, nonce, plaintext, associated(head, bind)), nil
}

// associated is the GCM associated data: the header (so it cannot be
// swapped) and what the value is bound to.
func associated(head []byte, bind string) []byte {
	return append(append(append([]byte{}, head...), 0), bind...)
}

// Open decrypts what Seal produced; see OpenFor.
func (b *Box) Open(sealed []byte) ([]byte, error) { return b.OpenFor(sealed, "") }

// OpenFor decrypts what SealFor(…, bind) or, before format 2, Seal
// produced. A format-2 value sealed for another bind does not open.
func (b *Box) OpenFor(sealed []byte, bind string) ([]byte, error) {
	if out, ok := b.open2(sealed, bind); ok {
		return out, nil
	}
	// Format 1: a nonce (whose first bytes may happen to look like the
	// magic), no header, nothing bound.
	n := b.legacy.NonceSize()
	if len(sealed) < n {
		return nil, apperr.New(apperr.Invalid, "sealed secret is too short")
	}
	out, err := b.legacy.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "cannot decrypt stored secrets: the key differs from the one they were sealed with (check %s or the key file), or they were stored for another connection", EnvKey)
	}
	return out, nil
}

func (b *Box) open2(sealed []byte, bind string) ([]byte, bool) {
	if len(sealed) < len(magic)+1 || string(sealed[:len(magic)]) != magic {
		return nil, false
	}
	headLen := len(magic) + 1
	aead := b.legacy
	switch sealed[len(magic)] {
	case kdfSHA256:
		if b.passphrase {
			return nil, false
		}
	case kdfArgon2id:
		if !b.passphrase || len(sealed) < headLen+saltLen {
			return nil, false
		}
		headLen += saltLen
		var err error
		if aead, err = b.argon(sealed[len(magic)+1 : headLen]); err != nil {
			return nil, false
		}
	default:
		return nil, false
	}
	head, rest := sealed[:headLen], sealed[headLen:]
	n := aead.NonceSize()
	if len(rest) < n {
		return nil, false
	}
	out, err := aead.Open(nil, rest[:n], rest[n:], associated(head, bind))
	return out, err == nil
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
