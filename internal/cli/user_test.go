package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// runIn is run with standard input.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	const pw = "a long enough password\n"

	code, out, errOut := runIn(t, pw, "--db", db, "user", "create", "Ana@Example.com", "--display-name", "Ana Lima", "--password-stdin")
	if code != 0 || !strings.Contains(out, "created administrator ana@example.com") || !strings.Contains(out, "first user") {
		t.Fatalf("first user create: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runIn(t, "another long password\r\n", "--db", db, "user", "create", "bo", "--password-stdin", "--json")
	var bo struct {
		ID, Username string
		Admin        bool
	}
	if err := json.Unmarshal([]byte(out), &bo); code != 0 || err != nil || bo.Username != "bo" || bo.Admin || strings.Contains(out, "argon2") {
		t.Fatalf("second user create --json: exit %d %v\n%s%s", code, err, out, errOut)
	}

	code, out, _ = run(t, "--db", db, "user", "list")
	if code != 0 || !strings.Contains(out, "USERNAME") || strings.Index(out, "ana@example.com") > strings.Index(out, "bo ") {
		t.Errorf("user list: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "--db", db, "user", "list", "--json")
	var users []catalog.User
	if err := json.Unmarshal([]byte(out), &users); code != 0 || err != nil || len(users) != 2 || !users[0].Admin || strings.Contains(out, "argon2") {
		t.Errorf("user list --json: exit %d %v\n%s", code, err, out)
	}

	if code, _, errOut := run(t, "--db", db, "project", "create", "acme"); code != 0 {
		t.Fatalf("project create: %s", errOut)
	}
	code, out, errOut = run(t, "--db", db, "user", "add-member", "acme", "bo", "Editor", "--json")
	var m catalog.Membership
	if err := json.Unmarshal([]byte(out), &m); code != 0 || err != nil || m.Role != catalog.RoleEditor || m.ProjectName != "acme" || m.UserID != bo.ID {
		t.Errorf("add-member: exit %d %v\n%s%s", code, err, out, errOut)
	}
	code, out, _ = run(t, "--db", db, "user", "add-member", "acme", "BO", "viewer")
	if code != 0 || !strings.Contains(out, "bo now has the role viewer in project acme") {
		t.Errorf("add-member again: exit %d\n%s", code, out)
	}

	code, out, errOut = runIn(t, "a brand new password\n", "--db", db, "user", "passwd", "bo", "--password-stdin")
	if code != 0 || !strings.Contains(out, "password of bo changed") {
		t.Errorf("passwd: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "--db", db, "user", "disable", "bo"); code != 0 || out != "disabled bo\n" {
		t.Errorf("disable: exit %d %q", code, out)
	}

	// What the commands stored is what the server will check.
	st, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(context.Background(), "bo")
	if err != nil || !u.Disabled {
		t.Fatalf("bo = %+v, %v; want disabled", u, err)
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, "a brand new password"); !ok || err != nil {
		t.Errorf("bo's new password does not verify: %v %v", ok, err)
	}
	ms, _ := st.Memberships(context.Background(), u.ID)
	if len(ms) != 1 || ms[0].Role != catalog.RoleViewer {
		t.Errorf("bo's memberships = %+v", ms)
	}
	if code, _, _ := run(t, "--db", db, "user", "enable", "bo"); code != 0 {
		t.Errorf("enable: exit %d", code)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		wantCode    int
		wantErr     string
	}{
		{"duplicate username", pw, []string{"user", "create", "ANA@example.com", "--password-stdin"}, 6, `a user named "ana@example.com" already exists`},
		{"bad username", pw, []string{"user", "create", "ana lima", "--password-stdin"}, 2, "use lower-case letters"},
		{"short password", "short\n", []string{"user", "create", "cy", "--password-stdin"}, 2, "use at least 12"},
		{"empty stdin", "", []string{"user", "create", "cy", "--password-stdin"}, 2, "use at least 12"},
		{"no terminal, no --password-stdin", pw, []string{"user", "create", "cy"}, 2, "--password-stdin"},
		{"password as a flag", pw, []string{"user", "create", "cy", "--password", "x"}, 2, "unknown flag"},
		{"passwd unknown user", pw, []string{"user", "passwd", "nobody", "--password-stdin"}, 3, `no user "nobody"`},
		{"disable unknown user", "", []string{"user", "disable", "nobody"}, 3, `no user "nobody"`},
		{"unknown role", "", []string{"user", "add-member", "acme", "bo", "admin"}, 2, "use owner, editor or viewer"},
		{"unknown project", "", []string{"user", "add-member", "nope", "bo", "viewer"}, 3, `no project "nope"`},
		{"unknown member", "", []string{"user", "add-member", "acme", "nobody", "viewer"}, 3, `no user "nobody"`},
		{"missing role", "", []string{"user", "add-member", "acme", "bo"}, 2, "accepts 3 arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runIn(t, tc.stdin, append([]string{"--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d stderr %q; want exit %d and %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}
}

func TestUserListEmpty(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	code, out, _ := run(t, "--db", db, "user", "list")
	if code != 0 || !strings.Contains(out, "no users yet") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "--db", db, "user", "list", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("--json on an empty catalog: exit %d %q", code, out)
	}
}
