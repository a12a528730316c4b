// Package httpapi serves the catalog's REST API.
package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// API serves the read endpoints over a store.
type API struct {
	Store  catalog.Store
	Logger *slog.Logger
}

// Routes registers every endpoint on mux. The whole surface is listed here.
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /api/v1/search", a.search)
	mux.HandleFunc("GET /api/v1/entities", a.list)
	mux.HandleFunc("GET /api/v1/entities/{fqn}", a.get)
	mux.HandleFunc("GET /api/v1/entities/{fqn}/children", a.children)
	mux.HandleFunc("GET /api/v1/entities/{fqn}/history", a.history)
	mux.HandleFunc("GET /api/v1/changes", a.changes)
	mux.HandleFunc("GET /api/v1/scans", a.scans)
	mux.HandleFunc("GET /api/v1/scans/{id}", a.scan)
	mux.HandleFunc("GET /api/v1/stats", a.stats)
	mux.HandleFunc("GET /api/v1/kinds", a.kinds)
	mux.HandleFunc("GET /api/v1/connections", a.connections)
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// writeJSON sends v with status 200.
func (a *API) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		a.logger().Warn("write response", "err", err)
	}
}

// writeError is the one place errors become HTTP responses: the status comes
// from the error's kind, internal details stay in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := apperr.HTTPStatus(err)
	body := struct {
		Error  string   `json:"error"`
		Kind   string   `json:"kind"`
		Advice []string `json:"advice,omitempty"`
	}{Error: err.Error(), Kind: apperr.KindOf(err).String(), Advice: apperr.AdviceOf(err)}
	if status == http.StatusInternalServerError {
		a.logger().Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Error = "internal error; see the server log"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (a *API) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// intParam reads a non-negative integer query parameter.
func intParam(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, apperr.New(apperr.Invalid, "query parameter %s=%q: want a non-negative integer", name, s)
	}
	return n, nil
}

// kindsParam reads repeated or comma-separated kind= parameters.
func kindsParam(r *http.Request) ([]catalog.Kind, error) {
	var out []catalog.Kind
	for _, v := range r.URL.Query()["kind"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			k, err := catalog.ParseKind(s)
			if err != nil {
				return nil, apperr.Wrap(apperr.Invalid, err, "query parameter kind")
			}
			out = append(out, k)
		}
	}
	return out, nil
}

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

// fqnParam reads and canonicalises the {fqn} path segment.
func fqnParam(r *http.Request) (string, error) {
	raw := r.PathValue("fqn")
	fqn, err := catalog.NormalizeFQN(raw)
	if err != nil {
		return "", apperr.Wrap(apperr.Invalid, err, "bad FQN in path")
	}
	return fqn, nil
}
