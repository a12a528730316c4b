package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	q := catalog.SearchQuery{Text: r.URL.Query().Get("q"), Services: listParam(r, "service"),
		IncludeDeleted: r.URL.Query().Get("deleted") == "true"}
	if q.Text == "" {
		a.writeError(w, r, apperr.New(apperr.Invalid, "query parameter q is required"))
		return
	}
	var err error
	if q.Kinds, err = kindsParam(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	if q.Limit, err = intParam(r, "limit", catalog.DefaultLimit); err != nil {
		a.writeError(w, r, err)
		return
	}
	if q.Offset, err = intParam(r, "offset", 0); err != nil {
		a.writeError(w, r, err)
		return
	}
	res, err := a.Store.Search(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, res)
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	q := catalog.ListQuery{Service: r.URL.Query().Get("service"), After: r.URL.Query().Get("after"),
		IncludeDeleted: r.URL.Query().Get("deleted") == "true"}
	if p := r.URL.Query().Get("parent"); p != "" {
		fqn, err := catalog.NormalizeFQN(p)
		if err != nil {
			a.writeError(w, r, apperr.Wrap(apperr.Invalid, err, "query parameter parent"))
			return
		}
		q.ParentFQN = fqn
	}
	var err error
	if q.Kinds, err = kindsParam(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	if q.Limit, err = intParam(r, "limit", catalog.DefaultLimit); err != nil {
		a.writeError(w, r, err)
		return
	}
	page, err := a.Store.List(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, page)
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	fqn, err := fqnParam(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	e, err := a.Store.Get(r.Context(), fqn)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, e)
}

func (a *API) children(w http.ResponseWriter, r *http.Request) {
	fqn, err := fqnParam(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if _, err := a.Store.Get(r.Context(), fqn); err != nil {
		a.writeError(w, r, err)
		return
	}
	q := catalog.ListQuery{ParentFQN: fqn, After: r.URL.Query().Get("after"), IncludeDeleted: r.URL.Query().Get("deleted") == "true"}
	if q.Kinds, err = kindsParam(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	if q.Limit, err = intParam(r, "limit", catalog.DefaultLimit); err != nil {
		a.writeError(w, r, err)
		return
	}
	page, err := a.Store.List(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, page)
}

func (a *API) history(w http.ResponseWriter, r *http.Request) {
	fqn, err := fqnParam(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	limit, err := intParam(r, "limit", catalog.DefaultLimit)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h, err := a.Store.History(r.Context(), fqn, catalog.ClampLimit(limit))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, map[string]any{"fqn": fqn, "changes": h})
}

func (a *API) changes(w http.ResponseWriter, r *http.Request) {
	q := catalog.ChangesQuery{Service: r.URL.Query().Get("service"), ParentFQN: r.URL.Query().Get("parent")}
	if s := r.URL.Query().Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			a.writeError(w, r, apperr.New(apperr.Invalid, "query parameter since=%q: want an RFC 3339 time like 2026-01-02T15:04:05Z", s))
			return
		}
		q.Since = t
	}
	var err error
	if q.Kinds, err = kindsParam(r); err != nil {
		a.writeError(w, r, err)
		return
	}
	if q.Limit, err = intParam(r, "limit", catalog.DefaultLimit); err != nil {
		a.writeError(w, r, err)
		return
	}
	q.Limit = catalog.ClampLimit(q.Limit)
	ch, err := a.Store.Changes(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, map[string]any{"changes": ch})
}

func (a *API) scans(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit", 20)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	s, err := a.Store.ListScans(r.Context(), r.URL.Query().Get("service"), catalog.ClampLimit(limit))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, map[string]any{"scans": s})
}

func (a *API) scan(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		a.writeError(w, r, apperr.New(apperr.Invalid, "scan id %q: want a positive integer", r.PathValue("id")))
		return
	}
	s, err := a.Store.GetScan(r.Context(), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, s)
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) {
	s, err := a.Store.Stats(r.Context(), r.URL.Query().Get("service"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, map[string]any{"counts": s})
}

func (a *API) kinds(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, map[string]any{"kinds": catalog.Kinds()})
}

// connections lists connections without their config or secrets: the
// catalog.Connection JSON form omits both.
func (a *API) connections(w http.ResponseWriter, r *http.Request) {
	c, err := a.Store.ListConnections(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeJSON(w, map[string]any{"connections": c})
}
