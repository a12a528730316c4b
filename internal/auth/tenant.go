package auth

import "github.com/lakemap/lakemap/internal/catalog"

// TenantOf is what p may read, as the store's tenant: every project for an
// administrator, the projects of their memberships for a user, the one
// project of a token, narrowed to the token's connections when it names
// some. A nil principal reads nothing.
//
// Handlers read through store.Scoped(auth.TenantOf(p)), so that the project
// filter is in every query rather than in the handler.
func TenantOf(p *Principal) catalog.Tenant {
	if p == nil {
		return catalog.Tenant{}
	}
	ids, all := p.Projects()
	t := catalog.Projects(ids...)
	if all {
		t = catalog.AllProjects()
	}
	if p.Kind == KindToken {
		t = t.OnlyConnections(p.Connections...)
	}
	return t
}
