// Package httpapi serves the catalog's REST API.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// API serves the read endpoints over a store.
type API struct {
	Store  catalog.Store
	Logger *slog.Logger
}

// handlerFunc is an endpoint that returns its error instead of writing it:
// handle renders every error the same way.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Routes registers every endpoint on mux. The whole surface is listed here.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /api/v1/search", a.handle(a.search))
	mux.HandleFunc("GET /api/v1/entities", a.handle(a.list))
	mux.HandleFunc("GET /api/v1/entities/{fqn}", a.handle(a.get))
	mux.HandleFunc("GET /api/v1/entities/{fqn}/children", a.handle(a.children))
	mux.HandleFunc("GET /api/v1/entities/{fqn}/history", a.handle(a.history))
	mux.HandleFunc("GET /api/v1/changes", a.handle(a.changes))
	mux.HandleFunc("GET /api/v1/scans", a.handle(a.scans))
	mux.HandleFunc("GET /api/v1/scans/{id}", a.handle(a.scan))
	mux.HandleFunc("GET /api/v1/stats", a.handle(a.stats))
	mux.HandleFunc("GET /api/v1/kinds", a.handle(a.kinds))
	mux.HandleFunc("GET /api/v1/connections", a.handle(a.connections))
}

func (a *API) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// writeJSON sends v with status 200.
func (a *API) writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		// The status is sent: all that is left is to log it.
		a.logger().Warn("write response", "err", err)
	}
	return nil
}

// writeError renders err as an RFC 9457 problem; apperr.Present decides the
// status and what stays in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := apperr.Present(err)
	if p.Log {
		a.logger().Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", apperr.ProblemContentType)
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p.Problem())
}

func (a *API) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// readArgs reads the query parameters every catalog read shares; the
// request model (catalog.ParseRead) checks them.
func readArgs(r *http.Request) (catalog.ReadArgs, error) {
	q := r.URL.Query()
	args := catalog.ReadArgs{Text: q.Get("q"), Kinds: q["kind"], Parent: q.Get("parent"), After: q.Get("after"),
		Since: q.Get("since"), Deleted: q.Get("deleted") == "true"}
	var err error
	if args.Limit, err = intParam(r, "limit"); err != nil {
		return args, err
	}
	if args.Offset, err = intParam(r, "offset"); err != nil {
		return args, err
	}
	return args, nil
}

// parseRead reads and checks one catalog read.
func parseRead(r *http.Request, read catalog.Read, services []string) (catalog.ReadRequest, error) {
	args, err := readArgs(r)
	if err != nil {
		return catalog.ReadRequest{}, err
	}
	args.Services = services
	return catalog.SurfaceREST.ParseRead(read, args, time.Now())
}

// intParam reads an integer query parameter; "" is 0, the default. Range
// checks belong to the request model.
func intParam(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.New(apperr.Invalid, "query parameter %s=%q: want a non-negative integer", name, s)
	}
	return n, nil
}

// listParam reads repeated or comma-separated values of one parameter.
func listParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// oneParam is a single-valued parameter as a list, for the request model.
func oneParam(r *http.Request, name string) []string {
	if v := r.URL.Query().Get(name); v != "" {
		return []string{v}
	}
	return nil
}

// fqnParam reads and canonicalises the {fqn} path segment.
func fqnParam(r *http.Request) (string, error) {
	raw := r.PathValue("fqn")
	fqn, err := catalog.NormalizeFQN(raw)
	if err != nil {
		return "", apperr.Wrap(apperr.Invalid, err, "bad FQN in path")
	}
	return fqn, nil
}
