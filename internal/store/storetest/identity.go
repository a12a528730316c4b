package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// IdentityBackend is what the identity suite needs of a store: projects to
// belong to, and the identity model itself.
type IdentityBackend interface {
	catalog.ProjectStore
	catalog.IdentityStore
}

// RunIdentity runs the identity and tenancy conformance suite; newStore
// returns an empty store closed by the test.
func RunIdentity(t *testing.T, newStore func(t *testing.T) IdentityBackend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s IdentityBackend)
	}{
		{"Users", testUsers},
		{"PasswordAndDisableEndSessions", testUserChangesEndSessions},
		{"Memberships", testMemberships},
		{"Sessions", testSessions},
		{"SetupCodeOneShot", testSetupCode},
		{"APITokens", testAPITokens},
		{"Tenancy", testTenancy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var idNow = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if !apperr.Is(err, kind) {
		t.Errorf("%s: err = %v (kind %v), want kind %v", what, err, apperr.KindOf(err), kind)
	}
}

func mustUser(t *testing.T, s IdentityBackend, name string, admin bool) catalog.User {
	t.Helper()
	u, err := catalog.NewUser(name, "", "$argon2id$test", admin, idNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func mustProject(t *testing.T, s IdentityBackend, name string) catalog.Project {
	t.Helper()
	p, err := catalog.NewProject(name, idNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(ctx, p); err != nil {
		t.Fatalf("CreateProject(%s): %v", name, err)
	}
	return p
}

func mustSession(t *testing.T, s IdentityBackend, secret, userID string, expires time.Time) {
	t.Helper()
	err := s.CreateSession(ctx, catalog.Session{Hash: hashOf(secret), UserID: userID, Created: idNow, Expires: expires, LastSeen: idNow})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
}

func mustToken(t *testing.T, s IdentityBackend, projectID, name string, scope catalog.TokenScope) catalog.APIToken {
	t.Helper()
	tok, err := catalog.NewAPIToken(projectID, name, scope, hashOf(projectID+name+time.Now().String()), idNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIToken(ctx, tok); err != nil {
		t.Fatalf("CreateAPIToken(%s): %v", name, err)
	}
	return tok
}

func testUsers(t *testing.T, s IdentityBackend) {
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on an empty store = %d, %v", n, err)
	}
	ana, err := catalog.NewUser("  Ana@Example.com ", "Ana Lima", "$argon2id$x", true, idNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, ana); err != nil {
		t.Fatal(err)
	}
	bo := mustUser(t, s, "bo", false)

	for _, ref := range []string{ana.ID, strings.ToUpper(ana.ID), "ana@example.com", "ANA@example.COM"} {
		got, err := s.GetUser(ctx, ref)
		if err != nil || got != ana {
			t.Errorf("GetUser(%q) = %+v, %v; want %+v", ref, got, err, ana)
		}
	}
	list, err := s.ListUsers(ctx)
	if err != nil || len(list) != 2 || list[0].ID != ana.ID || list[1].ID != bo.ID {
		t.Errorf("ListUsers = %+v, %v; want ana then bo", list, err)
	}
	if n, _ := s.CountUsers(ctx); n != 2 {
		t.Errorf("CountUsers = %d, want 2", n)
	}
	b, _ := json.Marshal(list)
	if strings.Contains(string(b), "argon2id") {
		t.Errorf("a user's JSON holds the password hash: %s", b)
	}

	_, err = s.GetUser(ctx, "nobody")
	wantKind(t, "GetUser(unknown)", err, apperr.NotFound)
	dup, _ := catalog.NewUser("ANA@example.com", "", "h", false, idNow)
	wantKind(t, "CreateUser(same username)", s.CreateUser(ctx, dup), apperr.Conflict)

	for _, tc := range []struct {
		name string
		u    catalog.User
		want string
	}{
		{"empty username", catalog.User{ID: bo.ID, PasswordHash: "h"}, "username is empty"},
		{"username with a space", catalog.User{ID: bo.ID, Username: "a b", PasswordHash: "h"}, "use lower-case letters"},
		{"username too long", catalog.User{ID: bo.ID, Username: strings.Repeat("u", 255), PasswordHash: "h"}, "the limit is 254"},
		{"username shaped like an id", catalog.User{ID: bo.ID, Username: bo.ID, PasswordHash: "h"}, "looks like a user id"},
		{"id not a UUID", catalog.User{ID: "7", Username: "cy", PasswordHash: "h"}, "is not a UUID"},
		{"no password hash", catalog.User{ID: bo.ID, Username: "cy"}, "no password hash"},
		{"display name with a newline", catalog.User{ID: bo.ID, Username: "cy", DisplayName: "a\nb", PasswordHash: "h"}, "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateUser(ctx, tc.u)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CreateUser = %v, want Invalid with %q", err, tc.want)
			}
		})
	}
}

func testUserChangesEndSessions(t *testing.T, s IdentityBackend) {
	u := mustUser(t, s, "cy", false)
	later := idNow.Add(time.Hour)
	mustSession(t, s, "s1", u.ID, later)
	if err := s.SetPassword(ctx, u.ID, "$argon2id$new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetUser(ctx, u.ID); got.PasswordHash != "$argon2id$new" {
		t.Errorf("password hash = %q after SetPassword", got.PasswordHash)
	}
	_, err := s.SessionByHash(ctx, hashOf("s1"))
	wantKind(t, "session after SetPassword", err, apperr.NotFound)

	mustSession(t, s, "s2", u.ID, later)
	if err := s.SetDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetUser(ctx, u.ID); !got.Disabled {
		t.Error("user not disabled")
	}
	_, err = s.SessionByHash(ctx, hashOf("s2"))
	wantKind(t, "session after SetDisabled", err, apperr.NotFound)
	if err := s.SetDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetUser(ctx, u.ID); got.Disabled {
		t.Error("user still disabled after enabling")
	}

	wantKind(t, "SetPassword(unknown)", s.SetPassword(ctx, "no-such-id", "h"), apperr.NotFound)
	wantKind(t, "SetPassword(empty hash)", s.SetPassword(ctx, u.ID, ""), apperr.Invalid)
	wantKind(t, "SetDisabled(unknown)", s.SetDisabled(ctx, "no-such-id", true), apperr.NotFound)
}

func testMemberships(t *testing.T, s IdentityBackend) {
	p := mustProject(t, s, "alpha")
	ana, bo := mustUser(t, s, "ana", false), mustUser(t, s, "bo", false)
	if err := s.PutMember(ctx, catalog.Membership{ProjectID: p.ID, UserID: bo.ID, Role: catalog.RoleViewer, Created: idNow}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMember(ctx, catalog.Membership{ProjectID: p.ID, UserID: ana.ID, Role: catalog.RoleEditor, Created: idNow}); err != nil {
		t.Fatal(err)
	}
	// A second put changes the role.
	if err := s.PutMember(ctx, catalog.Membership{ProjectID: p.ID, UserID: ana.ID, Role: catalog.RoleOwner, Created: idNow}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListMembers(ctx, p.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListMembers = %+v, %v", list, err)
	}
	if list[0].Username != "ana" || list[0].Role != catalog.RoleOwner || list[0].ProjectName != "alpha" || list[1].Username != "bo" || list[1].Role != catalog.RoleViewer {
		t.Errorf("ListMembers = %+v, want ana owner then bo viewer", list)
	}
	mine, err := s.Memberships(ctx, bo.ID)
	if err != nil || len(mine) != 1 || mine[0].ProjectID != p.ID || mine[0].Role != catalog.RoleViewer {
		t.Errorf("Memberships(bo) = %+v, %v", mine, err)
	}

	for _, tc := range []struct {
		name string
		m    catalog.Membership
		kind apperr.Kind
	}{
		{"unknown project", catalog.Membership{ProjectID: "00000000-0000-0000-0000-000000000000", UserID: bo.ID, Role: catalog.RoleViewer}, apperr.NotFound},
		{"unknown user", catalog.Membership{ProjectID: p.ID, UserID: "nobody", Role: catalog.RoleViewer}, apperr.NotFound},
		{"bad role", catalog.Membership{ProjectID: p.ID, UserID: bo.ID, Role: "admin"}, apperr.Invalid},
		{"no role", catalog.Membership{ProjectID: p.ID, UserID: bo.ID}, apperr.Invalid},
		{"no project", catalog.Membership{UserID: bo.ID, Role: catalog.RoleViewer}, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, "PutMember", s.PutMember(ctx, tc.m), tc.kind) })
	}

	if err := s.RemoveMember(ctx, p.ID, bo.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "RemoveMember twice", s.RemoveMember(ctx, p.ID, bo.ID), apperr.NotFound)
	if mine, _ := s.Memberships(ctx, bo.ID); len(mine) != 0 {
		t.Errorf("Memberships after removal = %+v", mine)
	}
}

func testSessions(t *testing.T, s IdentityBackend) {
	u := mustUser(t, s, "dee", false)
	mustSession(t, s, "live", u.ID, idNow.Add(time.Hour))
	mustSession(t, s, "old", u.ID, idNow.Add(-time.Minute))
	got, err := s.SessionByHash(ctx, hashOf("live"))
	if err != nil || got.UserID != u.ID || !got.Expires.Equal(idNow.Add(time.Hour)) || !got.LastSeen.Equal(idNow) {
		t.Errorf("SessionByHash = %+v, %v", got, err)
	}
	// Expired sessions are still returned: the caller judges expiry.
	if _, err := s.SessionByHash(ctx, hashOf("old")); err != nil {
		t.Errorf("SessionByHash(expired) = %v", err)
	}
	seen := idNow.Add(10 * time.Minute)
	if err := s.TouchSession(ctx, hashOf("live"), seen); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SessionByHash(ctx, hashOf("live")); !got.LastSeen.Equal(seen) {
		t.Errorf("LastSeen = %v after touch, want %v", got.LastSeen, seen)
	}
	n, err := s.DeleteExpiredSessions(ctx, idNow)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if err := s.DeleteSession(ctx, hashOf("live")); err != nil {
		t.Fatal(err)
	}
	_, err = s.SessionByHash(ctx, hashOf("live"))
	wantKind(t, "SessionByHash after delete", err, apperr.NotFound)
	wantKind(t, "DeleteSession twice", s.DeleteSession(ctx, hashOf("live")), apperr.NotFound)
	wantKind(t, "TouchSession(unknown)", s.TouchSession(ctx, hashOf("x"), seen), apperr.NotFound)
	wantKind(t, "CreateSession(no hash)", s.CreateSession(ctx, catalog.Session{UserID: u.ID}), apperr.Invalid)
	wantKind(t, "CreateSession(unknown user)", s.CreateSession(ctx, catalog.Session{Hash: hashOf("y"), UserID: "nobody", Expires: idNow}), apperr.NotFound)
}

func testSetupCode(t *testing.T, s IdentityBackend) {
	code := func(secret string, expires time.Time) catalog.SetupCode {
		return catalog.SetupCode{Hash: hashOf(secret), Created: idNow, Expires: expires}
	}
	day := idNow.Add(24 * time.Hour)
	if err := s.ReplaceSetupCode(ctx, code("first", day)); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceSetupCode(ctx, code("second", day)); err != nil {
		t.Fatal(err)
	}
	admin, _ := catalog.NewUser("root", "", "$argon2id$x", false, idNow)
	err := s.RedeemSetupCode(ctx, hashOf("first"), idNow, admin)
	wantKind(t, "redeem a replaced code", err, apperr.NotFound)
	err = s.RedeemSetupCode(ctx, hashOf("second"), day.Add(time.Second), admin)
	wantKind(t, "redeem an expired code", err, apperr.NotFound)
	wantKind(t, "redeem with a bad user", s.RedeemSetupCode(ctx, hashOf("second"), idNow, catalog.User{}), apperr.Invalid)
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Fatalf("failed redemptions created %d users", n)
	}

	if err := s.RedeemSetupCode(ctx, hashOf("second"), idNow, admin); err != nil {
		t.Fatalf("redeem: %v", err)
	}
	got, err := s.GetUser(ctx, "root")
	if err != nil || !got.Admin {
		t.Errorf("first user = %+v, %v; want an administrator", got, err)
	}
	other, _ := catalog.NewUser("root2", "", "$argon2id$x", true, idNow)
	wantKind(t, "redeem twice", s.RedeemSetupCode(ctx, hashOf("second"), idNow, other), apperr.NotFound)
	wantKind(t, "new code once a user exists", s.ReplaceSetupCode(ctx, code("third", day)), apperr.Conflict)
	wantKind(t, "code expiring before it is made", s.ReplaceSetupCode(ctx, code("fourth", idNow)), apperr.Invalid)
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("CountUsers = %d, want 1", n)
	}
}

func testAPITokens(t *testing.T, s IdentityBackend) {
	p := mustProject(t, s, "alpha")
	q := mustProject(t, s, "beta")
	rw, err := catalog.NewAPIToken(p.ID, "ci", catalog.ScopeReadWrite, hashOf("secret-ci"), idNow)
	if err != nil {
		t.Fatal(err)
	}
	rw.Connections, rw.ReadOnly, rw.CreatedBy = []string{"prod_glue"}, true, "u-1"
	if err := s.CreateAPIToken(ctx, rw); err != nil {
		t.Fatal(err)
	}
	ro := mustToken(t, s, p.ID, "agent", catalog.ScopeRead)

	got, err := s.APITokenByHash(ctx, hashOf("secret-ci"))
	if err != nil || got.ID != rw.ID || got.ProjectID != p.ID || got.Scope != catalog.ScopeReadWrite ||
		len(got.Connections) != 1 || got.Connections[0] != "prod_glue" || !got.ReadOnly || got.CreatedBy != "u-1" || got.LastUsed != nil {
		t.Errorf("APITokenByHash = %+v, %v; want %+v", got, err, rw)
	}
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), hashOf("secret-ci")) {
		t.Errorf("a token's JSON holds its hash: %s", b)
	}
	_, err = s.APITokenByHash(ctx, hashOf("nope"))
	wantKind(t, "APITokenByHash(unknown)", err, apperr.NotFound)

	list, err := s.ListAPITokens(ctx, p.ID)
	if err != nil || len(list) != 2 || list[0].Name != "agent" || list[1].Name != "ci" {
		t.Errorf("ListAPITokens = %+v, %v; want agent then ci", list, err)
	}

	used := idNow.Add(time.Minute)
	if err := s.TouchAPIToken(ctx, ro.ID, used); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APITokenByHash(ctx, ro.Hash); got.LastUsed == nil || !got.LastUsed.Equal(used) {
		t.Errorf("LastUsed = %v, want %v", got.LastUsed, used)
	}

	// The same name is taken in p but free in q, and free again in p once revoked.
	dup, _ := catalog.NewAPIToken(p.ID, "ci", catalog.ScopeRead, hashOf("other"), idNow)
	wantKind(t, "a second live ci in alpha", s.CreateAPIToken(ctx, dup), apperr.Conflict)
	mustToken(t, s, q.ID, "ci", catalog.ScopeRead)
	if err := s.RevokeAPIToken(ctx, p.ID, rw.ID, used); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "revoke twice", s.RevokeAPIToken(ctx, p.ID, rw.ID, used), apperr.NotFound)
	if got, _ := s.APITokenByHash(ctx, rw.Hash); got.Revoked == nil || !got.Revoked.Equal(used) {
		t.Errorf("revoked token = %+v, want Revoked %v", got, used)
	}
	if err := s.CreateAPIToken(ctx, dup); err != nil {
		t.Errorf("a new ci after revoking the old one: %v", err)
	}

	bad := func(edit func(*catalog.APIToken)) catalog.APIToken {
		tok, _ := catalog.NewAPIToken(p.ID, "x", catalog.ScopeRead, hashOf("bad"), idNow)
		edit(&tok)
		return tok
	}
	for _, tc := range []struct {
		name string
		tok  catalog.APIToken
		kind apperr.Kind
	}{
		{"no name", bad(func(t *catalog.APIToken) { t.Name = "" }), apperr.Invalid},
		{"name with a slash", bad(func(t *catalog.APIToken) { t.Name = "a/b" }), apperr.Invalid},
		{"name too long", bad(func(t *catalog.APIToken) { t.Name = strings.Repeat("n", 65) }), apperr.Invalid},
		{"no project", bad(func(t *catalog.APIToken) { t.ProjectID = "" }), apperr.Invalid},
		{"unknown scope", bad(func(t *catalog.APIToken) { t.Scope = "admin" }), apperr.Invalid},
		{"hash not a SHA-256", bad(func(t *catalog.APIToken) { t.Hash = "abc" }), apperr.Invalid},
		{"id not a UUID", bad(func(t *catalog.APIToken) { t.ID = "1" }), apperr.Invalid},
		{"unknown project", bad(func(t *catalog.APIToken) { t.ProjectID = "00000000-0000-0000-0000-000000000000" }), apperr.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, "CreateAPIToken", s.CreateAPIToken(ctx, tc.tok), tc.kind) })
	}
	wantKind(t, "TouchAPIToken(unknown)", s.TouchAPIToken(ctx, "nope", used), apperr.NotFound)
}

// testTenancy: whoever holds project A's id learns nothing of B through it,
// and cannot change B's tokens or members by naming them with A's id.
func testTenancy(t *testing.T, s IdentityBackend) {
	a, b := mustProject(t, s, "tenant-a"), mustProject(t, s, "tenant-b")
	alice, bob := mustUser(t, s, "alice", false), mustUser(t, s, "bob", false)
	for _, m := range []catalog.Membership{
		{ProjectID: a.ID, UserID: alice.ID, Role: catalog.RoleOwner},
		{ProjectID: b.ID, UserID: bob.ID, Role: catalog.RoleOwner},
	} {
		if err := s.PutMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb := mustToken(t, s, a.ID, "a-token", catalog.ScopeReadWrite), mustToken(t, s, b.ID, "b-token", catalog.ScopeReadWrite)

	toks, err := s.ListAPITokens(ctx, a.ID)
	if err != nil || len(toks) != 1 || toks[0].ID != ta.ID {
		t.Errorf("ListAPITokens(A) = %+v, %v; want A's token only", toks, err)
	}
	members, err := s.ListMembers(ctx, a.ID)
	if err != nil || len(members) != 1 || members[0].UserID != alice.ID {
		t.Errorf("ListMembers(A) = %+v, %v; want alice only", members, err)
	}
	wantKind(t, "revoke B's token through A", s.RevokeAPIToken(ctx, a.ID, tb.ID, idNow), apperr.NotFound)
	if got, _ := s.APITokenByHash(ctx, tb.Hash); got.Revoked != nil {
		t.Error("B's token was revoked through project A")
	}
	wantKind(t, "remove B's member through A", s.RemoveMember(ctx, a.ID, bob.ID), apperr.NotFound)
	if mine, _ := s.Memberships(ctx, bob.ID); len(mine) != 1 || mine[0].ProjectID != b.ID {
		t.Errorf("bob's memberships = %+v, want B only", mine)
	}
	if mine, _ := s.Memberships(ctx, alice.ID); len(mine) != 1 || mine[0].ProjectID != a.ID {
		t.Errorf("alice's memberships = %+v, want A only", mine)
	}
	unknown := "00000000-0000-0000-0000-000000000000"
	if toks, err := s.ListAPITokens(ctx, unknown); err != nil || len(toks) != 0 {
		t.Errorf("ListAPITokens(unknown project) = %+v, %v; want none", toks, err)
	}
	if members, err := s.ListMembers(ctx, ""); err != nil || len(members) != 0 {
		t.Errorf("ListMembers(\"\") = %+v, %v; want none", members, err)
	}
}
