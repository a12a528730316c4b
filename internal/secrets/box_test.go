package secrets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := NewBox("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.Seal([]byte("AKIA-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("AKIA-secret")) {
		t.Fatal("sealed data contains the plaintext")
	}
	got, err := b.Open(sealed)
	if err != nil || string(got) != "AKIA-secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := NewBox("another key")
	if _, err := other.Open(sealed); err == nil || !strings.Contains(err.Error(), EnvKey) {
		t.Fatalf("Open with wrong key: err = %v, want a message naming %s", err, EnvKey)
	}
	if _, err := b.Open([]byte{1, 2}); err == nil {
		t.Fatal("Open of short data: want error")
	}
}

func TestLoadCreatesPrivateKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	path := filepath.Join(t.TempDir(), "sub", "lakemap.key")
	b1, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", perm)
	}
	sealed, _ := b1.Seal([]byte("x"))
	b2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b2.Open(sealed); err != nil || string(got) != "x" {
		t.Fatalf("reloaded key cannot open: %q %v", got, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("Load of world-readable key: err = %v", err)
	}
}

func TestEnvKeyWins(t *testing.T) {
	t.Setenv(EnvKey, "from-env")
	path := filepath.Join(t.TempDir(), "k")
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("key file created although %s is set", EnvKey)
	}
}
