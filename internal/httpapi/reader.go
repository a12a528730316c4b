package httpapi

import (
	"net/http"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// reader is the ONE place a read route gets its view of the catalog: the
// store's tenant view (Store.Scoped), whose every query carries the
// caller's project filter in SQL. ?project= narrows it to one project the
// caller may read; a token is narrowed to its own connection list too.
func (a *API) reader(r *http.Request) (catalog.Reader, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	tenant := auth.TenantOf(p)
	if name := r.URL.Query().Get("project"); name != "" {
		proj, err := a.project(r, name, auth.Read)
		if err != nil {
			return nil, err
		}
		tenant = catalog.Projects(proj.ID).OnlyConnections(p.Connections...)
	}
	return a.Store.Scoped(tenant), nil
}
