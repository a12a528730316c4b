package httpapi

import (
	"context"
	"net/http"
	"slices"
	"sort"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// catalogReader is what the read routes need of the catalog. It is the read
// side of catalog.Store; when the store's tenant view (Store.Scoped) lands,
// it becomes catalog.Reader and reader below becomes one call.
type catalogReader interface {
	catalog.EntityReader
	catalog.Searcher
	catalog.HistoryReader
	catalog.ScanReader
	ListConnections(ctx context.Context) ([]catalog.Connection, error)
}

// reader is the ONE place a read route gets its view of the catalog: the
// caller's projects (narrowed by ?project=), and for a token its own
// connection list. Administrators without ?project= read everything.
func (a *API) reader(r *http.Request) (catalogReader, error) {
	p, err := principal(r)
	if err != nil {
		return nil, err
	}
	projects, all := p.Projects()
	if name := r.URL.Query().Get("project"); name != "" {
		proj, err := a.project(r, name, auth.Read)
		if err != nil {
			return nil, err
		}
		projects, all = []string{proj.ID}, false
	}
	if all && len(p.Connections) == 0 {
		return a.Store, nil
	}
	conns, err := a.Store.ListConnections(r.Context())
	if err != nil {
		return nil, err
	}
	v := &tenantView{base: a.Store, services: map[string]bool{}, projects: map[string]bool{}}
	for _, id := range projects {
		v.projects[id] = true
	}
	for _, c := range conns {
		if (all || v.projects[c.ProjectID]) && (len(p.Connections) == 0 || slices.Contains(p.Connections, c.Name)) {
			v.services[c.Name] = true
		}
	}
	return v, nil
}

// tenantView limits a store to the services (connection names) of some
// projects. It is the stop-gap until the store filters by project in SQL:
// every query it passes on names only allowed services, so it reads no row
// of another tenant's data, except where noted.
type tenantView struct {
	base     catalog.Store
	services map[string]bool
	projects map[string]bool
}

func (v *tenantView) allowedFQN(fqn string) bool {
	parts, err := catalog.SplitFQN(fqn)
	return err == nil && len(parts) > 0 && v.services[parts[0]]
}

func (v *tenantView) sorted() []string {
	out := make([]string, 0, len(v.services))
	for s := range v.services {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func noEntity(fqn string) error {
	return apperr.New(apperr.NotFound, "no entity %q in the catalog", fqn)
}

func (v *tenantView) Get(ctx context.Context, fqn string) (catalog.Entity, error) {
	if !v.allowedFQN(fqn) {
		return catalog.Entity{}, noEntity(fqn)
	}
	return v.base.Get(ctx, fqn)
}

func (v *tenantView) List(ctx context.Context, q catalog.ListQuery) (catalog.Page, error) {
	switch {
	case q.ParentFQN != "" && !v.allowedFQN(q.ParentFQN), q.Service != "" && !v.services[q.Service]:
		return catalog.Page{Entities: []catalog.Entity{}}, nil
	case q.ParentFQN != "" || q.Service != "":
		return v.base.List(ctx, q)
	}
	// The roots: one entity per service, few enough to filter here.
	q.Limit = catalog.MaxLimit
	page, err := v.base.List(ctx, q)
	if err != nil {
		return page, err
	}
	page.Entities = slices.DeleteFunc(page.Entities, func(e catalog.Entity) bool { return !v.services[e.Service] })
	return page, nil
}

func (v *tenantView) Stats(ctx context.Context, service string) (map[catalog.Kind]int64, error) {
	if service != "" {
		if !v.services[service] {
			return map[catalog.Kind]int64{}, nil
		}
		return v.base.Stats(ctx, service)
	}
	sum := map[catalog.Kind]int64{}
	for _, s := range v.sorted() {
		st, err := v.base.Stats(ctx, s)
		if err != nil {
			return nil, err
		}
		for k, n := range st {
			sum[k] += n
		}
	}
	return sum, nil
}

func (v *tenantView) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	if len(q.Services) == 0 {
		q.Services = v.sorted()
	} else {
		q.Services = slices.DeleteFunc(slices.Clone(q.Services), func(s string) bool { return !v.services[s] })
	}
	if len(q.Services) == 0 {
		return catalog.SearchResult{Hits: []catalog.SearchHit{}}, nil
	}
	return v.base.Search(ctx, q)
}

func (v *tenantView) History(ctx context.Context, fqn string, limit int) ([]catalog.Change, error) {
	if !v.allowedFQN(fqn) {
		return []catalog.Change{}, nil
	}
	return v.base.History(ctx, fqn, limit)
}

func (v *tenantView) Changes(ctx context.Context, q catalog.ChangesQuery) ([]catalog.Change, error) {
	switch {
	case q.ParentFQN != "" && !v.allowedFQN(q.ParentFQN), q.Service != "" && !v.services[q.Service]:
		return []catalog.Change{}, nil
	case q.ParentFQN != "" || q.Service != "":
		return v.base.Changes(ctx, q)
	}
	out := []catalog.Change{}
	for _, s := range v.sorted() {
		q.Service = s
		ch, err := v.base.Changes(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, ch...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if n := catalog.ClampLimit(q.Limit); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (v *tenantView) GetScan(ctx context.Context, id int64) (catalog.Scan, error) {
	s, err := v.base.GetScan(ctx, id)
	if err == nil && !v.services[s.Service] {
		return catalog.Scan{}, apperr.New(apperr.NotFound, "no scan %d", id)
	}
	return s, err
}

func (v *tenantView) ListScans(ctx context.Context, service string, limit int) ([]catalog.Scan, error) {
	if service != "" {
		if !v.services[service] {
			return []catalog.Scan{}, nil
		}
		return v.base.ListScans(ctx, service, limit)
	}
	out := []catalog.Scan{}
	for _, s := range v.sorted() {
		sc, err := v.base.ListScans(ctx, s, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, sc...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if n := catalog.ClampLimit(limit); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (v *tenantView) ListConnections(ctx context.Context) ([]catalog.Connection, error) {
	all, err := v.base.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(c catalog.Connection) bool { return !v.services[c.Name] }), nil
}
