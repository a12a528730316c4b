// Package web is lakemap's server-rendered UI: one handler and one
// template per page, one layout, one CSS file and a little plain
// JavaScript, all embedded. Every page reads the caller from the same
// Authenticator as the REST API and MCP, and every failure goes through
// apperr.Present, so a page says what happened and what to do.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Store is what the UI reads and writes: the catalog and the identities.
// httpapi.Store satisfies it.
type Store interface {
	catalog.Store
	catalog.IdentityStore
}

// Options build a UI. Store and Auth are required; the rest is optional.
type Options struct {
	Store  Store
	Auth   *auth.Authenticator
	Logger *slog.Logger
	// VendorAccount is lakemap's AWS account, which customer roles trust
	// (onboard.VendorAccountEnv when the server reads it from there).
	VendorAccount string
	// Connections and Scans serve the Connect, Test connection and Scans
	// panels of Integrations; nil shows how to do the same from the CLI.
	Connections Connections
	Scans       Scans
	// Tools lists what an MCP token will see; nil leaves the list out.
	Tools Tools
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// UI serves the web pages.
type UI struct {
	opts   Options
	pages  *pages
	assets *assets
	stats  *statsCache
}

// New parses the templates and hashes the assets once.
func New(opts Options) (*UI, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	ps, err := parsePages(as)
	if err != nil {
		return nil, err
	}
	return &UI{opts: opts, pages: ps, assets: as, stats: newStatsCache(opts.Store, opts.Now)}, nil
}

// handlerFunc is a page handler that returns its error: serve renders it
// inside the layout.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one page: method, ServeMux pattern, and whether an anonymous
// visitor may open it.
type route struct {
	pattern string
	public  bool
	h       handlerFunc
}

// routes lists every page, in one place.
func (u *UI) routes() []route {
	const public = true
	return []route{
		{"GET /{$}", !public, u.home},
		{"GET /setup", public, u.setupPage},
		{"POST /setup", public, u.setupSubmit},
		{"GET /signin", public, u.signInPage},
		{"POST /signin", public, u.signInSubmit},
		{"POST /signout", public, u.signOut},

		{"GET /search", !public, u.search},
		{"GET /search/suggest", !public, u.suggest},
		{"GET /e/{fqn}", !public, u.entity},
		{"GET /browse", !public, u.browse},

		{"GET /projects", !public, u.projects},
		{"POST /projects", !public, u.createProject},
		{"GET /projects/go", !public, u.switchProject},
		{"GET /projects/{project}", !public, u.project},
		{"POST /projects/{project}", !public, u.putMember},
		{"GET /projects/{project}/integrations", !public, u.integrations},
		{"GET /projects/{project}/integrations/aws/{service}", !public, u.awsService},
		{"POST /projects/{project}/integrations/aws/{service}", !public, u.awsServiceSubmit},
		{"GET /projects/{project}/integrations/aws/{service}/template.yaml", !public, u.awsTemplate},
		{"GET /projects/{project}/agents", !public, u.agents},
		{"POST /projects/{project}/agents", !public, u.agentsSubmit},
	}
}

// Mount registers the pages, the assets and the 404 page on mux. The REST
// API and MCP keep their own, more specific, patterns on the same mux.
func (u *UI) Mount(mux *http.ServeMux) {
	for _, rt := range u.routes() {
		mux.Handle(rt.pattern, u.serve(rt.h, rt.public))
	}
	mux.Handle("GET /static/{file}", http.HandlerFunc(u.assets.serve))
	mux.Handle("/", u.serve(u.notFound, true))
}

// Handler is the UI alone on a mux of its own (tests and screenshots).
func (u *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	u.Mount(mux)
	return mux
}

// ctxKey carries the resolved caller (nil when anonymous).
type ctxKey struct{}

// serve resolves the caller, sends the security headers, sends anonymous
// visitors of private pages to sign-in and renders a returned error.
func (u *UI) serve(h handlerFunc, public bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		p, err := u.opts.Auth.Resolve(r)
		if err != nil && !isUnauthenticated(err) {
			u.fail(w, r, nil, err)
			return
		}
		if p == nil && !public {
			http.Redirect(w, r, "/signin?next="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, p))
		if err := h(w, r); err != nil {
			u.fail(w, r, p, err)
		}
	})
}

// caller is the signed-in user of a request, nil when anonymous.
func caller(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(ctxKey{}).(*auth.Principal)
	return p
}

// CSP allows scripts, styles, fetches and form posts from this origin only:
// no inline script or style anywhere, so an injected tag cannot run.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}
