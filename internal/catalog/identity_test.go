package catalog

import (
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestParseRoleAndAtLeast(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
		ok   bool
	}{
		{"owner", RoleOwner, true}, {" Editor ", RoleEditor, true}, {"VIEWER", RoleViewer, true},
		{"admin", "", false}, {"", "", false}, {"own", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRole(tc.in)
			if got != tc.want || (err == nil) != tc.ok || (err != nil && !apperr.Is(err, apperr.Invalid)) {
				t.Errorf("ParseRole(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
	roles := []Role{RoleViewer, RoleEditor, RoleOwner}
	for i, have := range roles {
		for j, need := range roles {
			if got := have.AtLeast(need); got != (i >= j) {
				t.Errorf("%s.AtLeast(%s) = %v", have, need, got)
			}
		}
		if Role("admin").AtLeast(have) || have.AtLeast("bogus") {
			t.Errorf("invalid roles: admin.AtLeast(%s) or %s.AtLeast(bogus) wrong", have, have)
		}
	}
}

func TestParseTokenScope(t *testing.T) {
	for in, want := range map[string]TokenScope{"read": ScopeRead, "ReadWrite": ScopeReadWrite, "write": "", "": ""} {
		got, err := ParseTokenScope(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("ParseTokenScope(%q) = %q, %v", in, got, err)
		}
	}
}

func TestNewUserNormalises(t *testing.T) {
	u, err := NewUser("  Ana@Example.COM ", " Ana ", "h", false, time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)))
	if err != nil || u.Username != "ana@example.com" || u.DisplayName != "Ana" || u.Created.Location() != time.UTC || len(u.ID) != 36 {
		t.Errorf("NewUser = %+v, %v", u, err)
	}
}
