package auth

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

// cheap keeps tests fast; the format and the checks are the same.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerifyPassword(t *testing.T) {
	const pw = "correct horse battery"
	h1, err := HashPassword(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword(pw, cheap)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$") || h1 == h2 {
		t.Errorf("hashes %q and %q: want argon2id PHC strings with distinct salts", h1, h2)
	}
	if strings.Contains(h1, pw) {
		t.Error("the hash holds the password")
	}
	for _, tc := range []struct {
		name, pw string
		want     bool
	}{
		{"right", pw, true},
		{"wrong", "correct horse battery!", false},
		{"empty", "", false},
		{"case", strings.ToUpper(pw), false},
		{"too long to hash", strings.Repeat("x", MaxPassword+1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(h1, tc.pw)
			if err != nil || ok != tc.want {
				t.Errorf("VerifyPassword = %v, %v; want %v", ok, err, tc.want)
			}
		})
	}
}

func TestDefaultParamsVerify(t *testing.T) {
	h, err := HashPassword("a long enough password", DefaultArgon2())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=19456,t=2,p=1$") {
		t.Errorf("default hash %q does not carry its parameters", h)
	}
	if ok, err := VerifyPassword(h, "a long enough password"); !ok || err != nil {
		t.Errorf("VerifyPassword = %v, %v", ok, err)
	}
}

func TestHashPasswordRefusesBadPasswords(t *testing.T) {
	for _, tc := range []struct{ name, pw, want string }{
		{"empty", "", "use at least 12"},
		{"short", "elevenchars", "11 characters long"},
		{"short in runes", "ééééééééééé", "11 characters long"},
		{"too long", strings.Repeat("p", MaxPassword+1), "longer than 1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := HashPassword(tc.pw, cheap)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("HashPassword = %v, want Invalid with %q", err, tc.want)
			}
		})
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	good, _ := HashPassword("a long enough password", cheap)
	parts := strings.Split(good, "$")
	swap := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"argon2i", swap(1, "argon2i")},
		{"version", swap(2, "v=16")},
		{"params", swap(3, "m=x,t=1,p=1")},
		{"memory too big", swap(3, "m=99999999,t=1,p=1")},
		{"no threads", swap(3, "m=64,t=1,p=0")},
		{"salt", swap(4, "!!")},
		{"short key", swap(5, "AAAA")},
		{"extra part", good + "$x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(tc.hash, "a long enough password")
			if ok || err == nil || !strings.Contains(err.Error(), "lakemap user passwd") {
				t.Errorf("VerifyPassword = %v, %v; want an error advising a reset", ok, err)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	s1, h1, err := NewSecret(TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, _ := NewSecret(TokenPrefix)
	if !strings.HasPrefix(s1, "lkm_") || len(s1) != 4+43 || s1 == s2 {
		t.Errorf("secrets %q, %q", s1, s2)
	}
	if h1 != HashSecret(s1) || len(h1) != 64 || strings.Contains(h1, s1) {
		t.Errorf("hash %q of %q", h1, s1)
	}
}
