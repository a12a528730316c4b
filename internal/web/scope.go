package web

import (
	"context"
	"net/http"
	"slices"
	"sort"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// scope is the part of the catalog a request may read: the services
// (connection names) of the caller's projects. It is the UI's one place for
// the tenant filter, as reader is the REST API's; when the store's Scoped
// view lands, it becomes that view.
type scope struct {
	all      bool            // an administrator: no filter
	services map[string]bool // otherwise: the readable services
}

func (u *UI) scope(ctx context.Context, r *http.Request) (scope, error) {
	p := caller(r)
	ids, all := p.Projects()
	if all {
		return scope{all: true}, nil
	}
	conns, err := u.opts.Store.ListConnections(ctx)
	if err != nil {
		return scope{}, err
	}
	s := scope{services: map[string]bool{}}
	for _, c := range conns {
		if slices.Contains(ids, c.ProjectID) {
			s.services[c.Name] = true
		}
	}
	return s, nil
}

func (s scope) allows(service string) bool { return s.all || s.services[service] }

func (s scope) allowsFQN(fqn string) bool {
	if s.all {
		return true
	}
	parts, err := catalog.SplitFQN(fqn)
	return err == nil && len(parts) > 0 && s.services[parts[0]]
}

// list is the services of a search filter; nil means every service.
func (s scope) list() []string {
	if s.all {
		return nil
	}
	out := make([]string, 0, len(s.services))
	for name := range s.services {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// get reads one entity the caller may see; others are NotFound, exactly
// as missing ones.
func (u *UI) get(ctx context.Context, s scope, fqn string) (catalog.Entity, error) {
	if !s.allowsFQN(fqn) {
		return catalog.Entity{}, apperr.New(apperr.NotFound, "no entity %q in the catalog", fqn)
	}
	e, err := u.opts.Store.Get(ctx, fqn)
	if apperr.Is(err, apperr.NotFound) {
		return e, apperr.New(apperr.NotFound, "no entity %q in the catalog", fqn)
	}
	return e, err
}
