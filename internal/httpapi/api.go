// Package httpapi serves the catalog's REST API.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scanrun"
)

// Store is what the API keeps its data in: the catalog, the identities of
// its users and tokens, and the project edits the API offers.
type Store interface {
	catalog.Store
	catalog.IdentityStore
	ProjectEditor
}

// ProjectEditor renames and deletes projects. It belongs in
// catalog.ProjectStore; it stays here until the store contract takes it.
type ProjectEditor interface {
	// RenameProject renames a project by id; a taken name is
	// apperr.Conflict.
	RenameProject(ctx context.Context, id, name string) error
	// DeleteProject deletes a project by id with its memberships and
	// tokens; a project that still has connections is apperr.Conflict.
	DeleteProject(ctx context.Context, id string) error
}

// API serves /api/v1: sign-in, projects, members, tokens and the catalog
// reads, every route but a few behind the Authenticator.
type API struct {
	Store  Store
	Auth   *auth.Authenticator
	Logger *slog.Logger
	// Connections serves a project's connections; nil answers those
	// routes 503.
	Connections *connections.Service
	// Scans starts, cancels and schedules scans; nil (a server that runs
	// no scans) answers those routes 503.
	Scans Scheduler
	// Events streams the progress of the scans this process runs.
	Events *scanrun.Broker
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// handlerFunc is an endpoint that returns its error instead of writing it:
// handle renders every error the same way.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one endpoint: the method and ServeMux pattern, and whether an
// anonymous caller may use it.
type Route struct {
	Method, Pattern string
	Public          bool
	h               handlerFunc
}

// routes lists the whole surface, in one place. Parts of the server that
// come later (connections, scans, schedules) add their lines here.
func (a *API) routes() []Route {
	const public = true
	return []Route{
		{"GET", "/healthz", public, a.healthz},
		{"GET", "/api/v1/openapi.json", public, a.openAPI},
		{"POST", "/api/v1/setup", public, a.setup},
		{"POST", "/api/v1/session", public, a.signIn},
		{"DELETE", "/api/v1/session", public, a.signOut},
		{"GET", "/api/v1/me", !public, a.me},

		{"GET", "/api/v1/projects", !public, a.listProjects},
		{"POST", "/api/v1/projects", !public, a.createProject},
		{"GET", "/api/v1/projects/{project}", !public, a.getProject},
		{"PATCH", "/api/v1/projects/{project}", !public, a.renameProject},
		{"DELETE", "/api/v1/projects/{project}", !public, a.deleteProject},
		{"GET", "/api/v1/projects/{project}/members", !public, a.listMembers},
		{"GET", "/api/v1/projects/{project}/members/{user}", !public, a.getMember},
		{"PUT", "/api/v1/projects/{project}/members/{user}", !public, a.putMember},
		{"DELETE", "/api/v1/projects/{project}/members/{user}", !public, a.removeMember},
		{"GET", "/api/v1/projects/{project}/tokens", !public, a.listTokens},
		{"POST", "/api/v1/projects/{project}/tokens", !public, a.createToken},
		{"DELETE", "/api/v1/projects/{project}/tokens/{id}", !public, a.revokeToken},

		{"GET", "/api/v1/search", !public, a.search},
		{"GET", "/api/v1/entities", !public, a.list},
		{"GET", "/api/v1/entities/{fqn}", !public, a.get},
		{"GET", "/api/v1/entities/{fqn}/children", !public, a.children},
		{"GET", "/api/v1/entities/{fqn}/history", !public, a.history},
		{"GET", "/api/v1/changes", !public, a.changes},
		{"GET", "/api/v1/scans", !public, a.scans},
		{"GET", "/api/v1/scans/{id}", !public, a.scan},
		{"GET", "/api/v1/stats", !public, a.stats},
		{"GET", "/api/v1/kinds", !public, a.kinds},
		{"GET", "/api/v1/connections", !public, a.connections},

		{"GET", "/api/v1/projects/{project}/connections", !public, a.listProjectConnections},
		{"POST", "/api/v1/projects/{project}/connections", !public, a.createConnection},
		{"GET", "/api/v1/projects/{project}/connections/{name}", !public, a.getConnection},
		{"PATCH", "/api/v1/projects/{project}/connections/{name}", !public, a.updateConnection},
		{"DELETE", "/api/v1/projects/{project}/connections/{name}", !public, a.deleteConnection},
		{"POST", "/api/v1/projects/{project}/connections/{name}/test", !public, a.testConnection},
		{"POST", "/api/v1/projects/{project}/connections/{name}/scans", !public, a.startScan},
		{"DELETE", "/api/v1/scans/{id}", !public, a.cancelScan},
		{"GET", scanEventsPattern, !public, a.scanEvents},
	}
}

// Routes lists the endpoints, for the server's tests and documents.
func (a *API) Routes() []Route { return a.routes() }

// Mount registers every endpoint on mux, the private ones behind the
// Authenticator.
func (a *API) Mount(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		var h http.Handler = a.handle(rt.h)
		if !rt.Public {
			h = a.Auth.Authenticate(h)
		}
		mux.Handle(rt.Method+" "+rt.Pattern, h)
	}
}

func (a *API) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
	return nil
}

// writeJSON sends v with status 200.
func (a *API) writeJSON(w http.ResponseWriter, v any) error {
	return a.writeJSONStatus(w, http.StatusOK, v)
}

// writeJSONStatus sends v with a status.
func (a *API) writeJSONStatus(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		// The status is sent: all that is left is to log it.
		a.logger().Warn("write response", "err", err)
	}
	return nil
}

// writeError renders err as an RFC 9457 problem; apperr.Present decides the
// status and what stays in the log. Two statuses have no apperr kind: 429
// for a sign-in the rate limiter refused (with Retry-After) and 413 for a
// body over MaxBody.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := apperr.Present(err)
	var tooMany *auth.TooManyAttemptsError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooMany):
		p.Status, p.Detail = http.StatusTooManyRequests, tooMany.Error()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(tooMany.RetryAfter.Seconds()))))
	case errors.As(err, &tooBig):
		p.Status, p.Detail, p.Kind, p.Log = http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body is over %d bytes", tooBig.Limit), apperr.Invalid, false
	}
	if p.Log {
		// A request error never makes a long log line: the message can
		// quote what the caller sent.
		a.logger().Error("request failed", "method", r.Method, "path", clip(r.URL.Path, 256), "err", clip(p.Message, 1024))
	}
	p.Detail = clip(p.Detail, 1024)
	w.Header().Set("Content-Type", apperr.ProblemContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(problemOf(p, err))
}

// problem is a problem+json body with the members some errors add: the
// invalid fields of a connection, the scan a start conflicts with.
type problem struct {
	apperr.Problem
	Errors connections.FieldErrors `json:"errors,omitempty"`
	ScanID int64                   `json:"scanId,omitempty"`
	JobID  int64                   `json:"jobId,omitempty"`
}

func problemOf(p apperr.Presentation, err error) problem {
	out := problem{Problem: p.Problem()}
	var fields connections.FieldErrors
	if errors.As(err, &fields) {
		out.Errors = fields
	}
	var conflict *jobs.ConflictError
	if errors.As(err, &conflict) {
		out.ScanID, out.JobID = conflict.ScanID, conflict.JobID
	}
	return out
}

// clip shortens s to at most n bytes, on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("…(%d bytes cut)", len(s)-cut)
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
