package auth

import (
	"context"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func TestRoleMatrix(t *testing.T) {
	const a, b = "project-a", "project-b"
	user := func(admin bool, role catalog.Role) *Principal {
		u := catalog.User{ID: "u", Username: "u", Admin: admin}
		var ms []catalog.Membership
		if role != "" {
			ms = append(ms, catalog.Membership{ProjectID: a, UserID: "u", Role: role})
		}
		return NewUserPrincipal(u, ms)
	}
	token := func(scope catalog.TokenScope) *Principal {
		return NewTokenPrincipal(catalog.APIToken{ID: "t", Name: "t", ProjectID: a, Scope: scope})
	}
	type can struct{ read, write, manage bool }
	for _, tc := range []struct {
		name   string
		p      *Principal
		inA    can
		inB    can
		checkA [3]apperr.Kind // Read, Write, Manage; -1 for nil
	}{
		{"admin", user(true, ""), can{true, true, true}, can{true, true, true}, [3]apperr.Kind{-1, -1, -1}},
		{"owner of A", user(false, catalog.RoleOwner), can{true, true, true}, can{}, [3]apperr.Kind{-1, -1, -1}},
		{"editor of A", user(false, catalog.RoleEditor), can{true, true, false}, can{}, [3]apperr.Kind{-1, -1, apperr.AccessDenied}},
		{"viewer of A", user(false, catalog.RoleViewer), can{true, false, false}, can{}, [3]apperr.Kind{-1, apperr.AccessDenied, apperr.AccessDenied}},
		{"member of nothing", user(false, ""), can{}, can{}, [3]apperr.Kind{apperr.NotFound, apperr.NotFound, apperr.NotFound}},
		{"read token of A", token(catalog.ScopeRead), can{true, false, false}, can{}, [3]apperr.Kind{-1, apperr.AccessDenied, apperr.AccessDenied}},
		{"read-write token of A", token(catalog.ScopeReadWrite), can{true, true, false}, can{}, [3]apperr.Kind{-1, -1, apperr.AccessDenied}},
		{"nil principal", nil, can{}, can{}, [3]apperr.Kind{apperr.NotFound, apperr.NotFound, apperr.NotFound}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pc := range []struct {
				project string
				want    can
			}{{a, tc.inA}, {b, tc.inB}, {"", can{}}} {
				got := can{tc.p.CanRead(pc.project), tc.p.CanWrite(pc.project), tc.p.CanManage(pc.project)}
				if got != pc.want {
					t.Errorf("in %q: read/write/manage = %+v, want %+v", pc.project, got, pc.want)
				}
			}
			for i, need := range []Access{Read, Write, Manage} {
				err := tc.p.Check(a, need)
				if want := tc.checkA[i]; (want == -1) != (err == nil) || (err != nil && !apperr.Is(err, want)) {
					t.Errorf("Check(A, %d) = %v, want kind %v", need, err, want)
				}
			}
			if !tc.inB.read {
				if err := tc.p.Check(b, Read); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("Check(B, Read) = %v, want NotFound (no hint that B exists)", err)
				}
			}
		})
	}
}

func TestPrincipalProjectsAndContext(t *testing.T) {
	u := NewUserPrincipal(catalog.User{ID: "u", Username: "ana"}, []catalog.Membership{
		{ProjectID: "p2", UserID: "u", Role: catalog.RoleViewer},
		{ProjectID: "p1", UserID: "u", Role: catalog.RoleOwner},
		{ProjectID: "p3", UserID: "someone-else", Role: catalog.RoleOwner},
	})
	if ids, all := u.Projects(); all || len(ids) != 2 || ids[0] != "p1" || ids[1] != "p2" {
		t.Errorf("Projects = %v, %v; want [p1 p2], a membership of another user ignored", ids, all)
	}
	if _, all := NewUserPrincipal(catalog.User{Admin: true}, nil).Projects(); !all {
		t.Error("an administrator's Projects is not all")
	}
	tok := NewTokenPrincipal(catalog.APIToken{Name: "ci", ProjectID: "p9", Connections: []string{"c"}, ReadOnly: true})
	if ids, _ := tok.Projects(); len(ids) != 1 || ids[0] != "p9" || !tok.ReadOnly || tok.String() != "token ci" {
		t.Errorf("token principal = %+v", tok)
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Error("a bare context has a principal")
	}
	if got, ok := FromContext(WithPrincipal(context.Background(), u)); !ok || got != u {
		t.Error("the principal put in the context is not the one read back")
	}
	if _, ok := FromContext(WithPrincipal(context.Background(), nil)); ok {
		t.Error("a nil principal counts as authenticated")
	}
}
