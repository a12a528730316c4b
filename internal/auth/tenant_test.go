package auth

import (
	"reflect"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

func TestTenantOf(t *testing.T) {
	const pa, pb = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
	for _, tc := range []struct {
		name string
		p    *Principal
		want catalog.Tenant
	}{
		{"nil reads nothing", nil, catalog.Tenant{}},
		{"admin reads all", NewUserPrincipal(catalog.User{ID: "u", Admin: true}, nil), catalog.AllProjects()},
		{"user without projects reads nothing", NewUserPrincipal(catalog.User{ID: "u"}, nil), catalog.Projects()},
		{"user reads their projects", NewUserPrincipal(catalog.User{ID: "u"}, []catalog.Membership{
			{ProjectID: pb, UserID: "u", Role: catalog.RoleViewer},
			{ProjectID: pa, UserID: "u", Role: catalog.RoleOwner},
			{ProjectID: "33333333-3333-4333-8333-333333333333", UserID: "someone else", Role: catalog.RoleOwner},
		}), catalog.Projects(pa, pb)},
		{"token reads its project", NewTokenPrincipal(catalog.APIToken{ProjectID: pa, Scope: catalog.ScopeRead}), catalog.Projects(pa)},
		{"token narrowed to its connections", NewTokenPrincipal(catalog.APIToken{ProjectID: pa, Scope: catalog.ScopeRead, Connections: []string{"glue2", "glue1"}}),
			catalog.Tenant{ProjectIDs: []string{pa}, Connections: []string{"glue1", "glue2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TenantOf(tc.p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("TenantOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}
