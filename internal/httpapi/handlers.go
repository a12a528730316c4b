package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func (a *API) search(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	req, err := parseRead(r, catalog.ReadSearch, listParam(r, "service"))
	if err != nil {
		return err
	}
	res, err := rd.Search(r.Context(), req.Search())
	if err != nil {
		return err
	}
	return a.writeJSON(w, res)
}

func (a *API) list(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	req, err := parseRead(r, catalog.ReadList, oneParam(r, "service"))
	if err != nil {
		return err
	}
	page, err := rd.List(r.Context(), req.List())
	if err != nil {
		return err
	}
	return a.writeJSON(w, page)
}

func (a *API) get(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	fqn, err := fqnParam(r)
	if err != nil {
		return err
	}
	e, err := rd.Get(r.Context(), fqn)
	if err != nil {
		return err
	}
	return a.writeJSON(w, e)
}

func (a *API) children(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	fqn, err := fqnParam(r)
	if err != nil {
		return err
	}
	if _, err := rd.Get(r.Context(), fqn); err != nil {
		return err
	}
	args, err := readArgs(r)
	if err != nil {
		return err
	}
	args.Parent = fqn
	req, err := catalog.SurfaceREST.ParseRead(catalog.ReadList, args, time.Now())
	if err != nil {
		return err
	}
	page, err := rd.List(r.Context(), req.List())
	if err != nil {
		return err
	}
	return a.writeJSON(w, page)
}

func (a *API) history(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	fqn, err := fqnParam(r)
	if err != nil {
		return err
	}
	req, err := parseRead(r, catalog.ReadHistory, nil)
	if err != nil {
		return err
	}
	h, err := rd.History(r.Context(), fqn, req.Limit)
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"fqn": fqn, "changes": h})
}

func (a *API) changes(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	req, err := parseRead(r, catalog.ReadChanges, oneParam(r, "service"))
	if err != nil {
		return err
	}
	ch, err := rd.Changes(r.Context(), req.Changes())
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"changes": ch})
}

func (a *API) scans(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	req, err := parseRead(r, catalog.ReadScans, oneParam(r, "service"))
	if err != nil {
		return err
	}
	s, err := rd.ListScans(r.Context(), req.Service(), req.Limit)
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"scans": s})
}

func (a *API) scan(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return apperr.New(apperr.Invalid, "scan id %q: want a positive integer", r.PathValue("id"))
	}
	s, err := rd.GetScan(r.Context(), id)
	if err != nil {
		return err
	}
	return a.writeJSON(w, s)
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	s, err := rd.Stats(r.Context(), r.URL.Query().Get("service"))
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"counts": s})
}

func (a *API) kinds(w http.ResponseWriter, r *http.Request) error {
	return a.writeJSON(w, map[string]any{"kinds": catalog.Kinds()})
}

// connections lists connections without their config or secrets: the
// catalog.Connection JSON form omits both.
func (a *API) connections(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	c, err := rd.ListConnections(r.Context())
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"connections": c})
}
