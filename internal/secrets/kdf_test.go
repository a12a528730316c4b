package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// legacySeal seals as lakemap did before format 2: AES-GCM keyed by one
// SHA-256 of the key, nonce first, nothing bound.
func legacySeal(t *testing.T, key string, plaintext []byte) []byte {
	t.Helper()
	raw := []byte(key)
	if dec, err := base64.StdEncoding.DecodeString(key); err == nil && len(dec) >= 32 {
		raw = dec
	}
	sum := sha256.Sum256(raw)
	block, _ := aes.NewCipher(sum[:])
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, nil)
}

// Issue 15, finding 5: values sealed before format 2 still open, with a
// passphrase and with a random key, whatever they are opened for.
func TestLegacyValuesStillOpen(t *testing.T) {
	random := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, key := range []string{"correct horse battery staple", random} {
		b, err := NewBox(key)
		if err != nil {
			t.Fatal(err)
		}
		old := legacySeal(t, key, []byte("AKIA-old"))
		for _, bind := range []string{"", "prod_glue"} {
			if got, err := b.OpenFor(old, bind); err != nil || string(got) != "AKIA-old" {
				t.Errorf("key %.8s…: OpenFor(legacy, %q) = %q, %v", key, bind, got, err)
			}
		}
	}
}

// A passphrase is stretched with Argon2id and a stored salt: the value does
// not open with the old SHA-256 key, and opens in a later Box (another salt
// for its own seals).
func TestPassphraseUsesARealKDF(t *testing.T) {
	const pass = "correct horse battery staple"
	b1, _ := NewBox(pass)
	sealed, err := b1.SealFor([]byte("AKIA-new"), "prod_glue")
	if err != nil {
		t.Fatal(err)
	}
	if string(sealed[:4]) != magic || sealed[4] != kdfArgon2id {
		t.Fatalf("header = %q, want %q and Argon2id", sealed[:5], magic)
	}
	sum := sha256.Sum256([]byte(pass))
	block, _ := aes.NewCipher(sum[:])
	aead, _ := cipher.NewGCM(block)
	rest := sealed[5+saltLen:]
	if _, err := aead.Open(nil, rest[:12], rest[12:], associated(sealed[:5+saltLen], "prod_glue")); err == nil {
		t.Fatal("a passphrase-sealed value opens with SHA-256 of the passphrase")
	}
	b2, _ := NewBox(pass)
	if bytes.Equal(b1.salt, b2.salt) {
		t.Error("two Boxes share a salt")
	}
	if got, err := b2.OpenFor(sealed, "prod_glue"); err != nil || string(got) != "AKIA-new" {
		t.Fatalf("a later Box: OpenFor = %q, %v", got, err)
	}
	if other, _ := NewBox("another passphrase"); other != nil {
		if _, err := other.OpenFor(sealed, "prod_glue"); err == nil {
			t.Fatal("opened with another passphrase")
		}
	}
}

// Sealed values are bound to their connection: copied to another, they do
// not open.
func TestSealedValuesAreBound(t *testing.T) {
	random := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	for _, key := range []string{"a passphrase", random} {
		b, _ := NewBox(key)
		sealed, err := b.SealFor([]byte("secret"), "conn-a")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := b.OpenFor(sealed, "conn-a"); err != nil || string(got) != "secret" {
			t.Fatalf("OpenFor(conn-a) = %q, %v", got, err)
		}
		for _, bind := range []string{"conn-b", "", "conn-a\x00"} {
			if _, err := b.OpenFor(sealed, bind); err == nil {
				t.Errorf("key %.8s…: a value sealed for conn-a opened for %q", key, bind)
			}
		}
		// Tampering with the header is detected.
		bad := bytes.Clone(sealed)
		bad[len(bad)-1] ^= 1
		if _, err := b.OpenFor(bad, "conn-a"); err == nil {
			t.Error("a tampered value opened")
		}
	}
}
