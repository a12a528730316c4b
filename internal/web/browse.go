package web

import (
	"net/http"
	"sort"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// treeNode is one entry of the database/bucket tree; Kids are filled for
// the services (their databases and buckets) so the tree shows two levels
// without JavaScript.
type treeNode struct {
	Entity catalog.Entity
	Kids   []catalog.Entity
	More   bool
}

type browseData struct {
	Roots []treeNode
}

// browse lists the caller's services with their databases, buckets and
// other top-level entities, each linking to its page.
func (u *UI) browse(w http.ResponseWriter, r *http.Request) error {
	s, err := u.scope(r.Context(), r)
	if err != nil {
		return err
	}
	var services []string
	if s.all {
		conns, err := u.opts.Store.ListConnections(r.Context())
		if err != nil {
			return err
		}
		for _, c := range conns {
			services = append(services, c.Name)
		}
	} else {
		services = s.list()
	}
	sort.Strings(services)
	d := browseData{}
	for _, svc := range services {
		root, err := u.opts.Store.Get(r.Context(), catalog.JoinFQN(svc))
		if apperr.Is(err, apperr.NotFound) {
			continue // a connection never scanned
		}
		if err != nil {
			return err
		}
		page, err := u.opts.Store.List(r.Context(), catalog.ListQuery{ParentFQN: root.FQN, Limit: 100})
		if err != nil {
			return err
		}
		d.Roots = append(d.Roots, treeNode{Entity: root, Kids: page.Entities, More: page.Next != ""})
	}
	return u.render(w, r, http.StatusOK, "browse", view{Title: "Browse", Nav: "browse", Data: d})
}

type homeData struct {
	Stats []kindCount
}

type kindCount struct {
	Kind  catalog.Kind
	Count int64
}

func (u *UI) home(w http.ResponseWriter, r *http.Request) error {
	s, err := u.scope(r.Context(), r)
	if err != nil {
		return err
	}
	total := map[catalog.Kind]int64{}
	services := s.list()
	if s.all {
		services = []string{""}
	}
	for _, svc := range services {
		st, err := u.stats.get(r.Context(), svc)
		if err != nil {
			return err
		}
		for k, n := range st {
			total[k] += n
		}
	}
	d := homeData{}
	for _, spec := range catalog.Kinds() {
		if n := total[spec.Kind]; n > 0 && spec.Searchable {
			d.Stats = append(d.Stats, kindCount{spec.Kind, n})
		}
	}
	return u.render(w, r, http.StatusOK, "home", view{Title: "Home", Nav: "home", Data: d})
}
