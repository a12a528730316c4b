package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// pages holds one template set per page, each the layout plus that page.
type pages struct{ set map[string]*template.Template }

func parsePages(as *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset":     as.url,
		"entityURL": entityURL,
		"since":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"bytes":     humanBytes,
		"join":      strings.Join,
		"title":     kindTitle,
		"add":       func(a, b int) int { return a + b },
		"str":       str,
		"fieldArgs": fieldArgs,
		"duration":  scanDuration,
		"counts":    scanCounts,
		"schedule":  scheduleText,
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pages{set: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", base, err)
		}
		ps.set[strings.TrimSuffix(base, ".html")] = t
	}
	return ps, nil
}

// view is what the layout needs on every page, plus the page's own Data.
type view struct {
	Title    string
	User     *auth.Principal
	Projects []catalog.Project // the switcher: projects the user reads
	Current  string            // the project the page is about, by name
	Nav      string            // the section to mark current
	Query    string            // the search box's text
	Data     any
}

// render writes one page with status. The page is rendered into a buffer
// first, so a template error becomes an error page, not half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) error {
	t, ok := u.pages.set[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	v.User = caller(r)
	if v.User != nil && v.Projects == nil {
		v.Projects = u.readableProjects(r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("rendering page %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// readableProjects are the projects of the switcher; a failure leaves the
// switcher empty rather than failing the page.
func (u *UI) readableProjects(r *http.Request) []catalog.Project {
	p := caller(r)
	all, err := u.opts.Store.ListProjects(r.Context())
	if err != nil {
		u.opts.Logger.Warn("listing projects for the switcher", "err", err)
		return nil
	}
	out := []catalog.Project{}
	for _, proj := range all {
		if p.CanRead(proj.ID) {
			out = append(out, proj)
		}
	}
	return out
}

// errorView is the error page: what happened and what to do.
type errorView struct {
	Status  int
	Heading string
	Detail  string
	Advice  []string
}

// fail renders err inside the layout through the one error mapping. An
// internal error shows apperr.HiddenDetail and its cause goes to the log.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	pr := apperr.Present(err)
	var tooMany *auth.TooManyAttemptsError
	if errors.As(err, &tooMany) {
		pr.Status, pr.Detail = http.StatusTooManyRequests, tooMany.Error()
	}
	if pr.Log {
		u.opts.Logger.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", pr.Message)
	}
	ev := errorView{Status: pr.Status, Heading: http.StatusText(pr.Status), Detail: pr.Detail, Advice: pr.Advice}
	switch pr.Status {
	case http.StatusNotFound:
		ev.Advice = append(ev.Advice, "Check the address, or find it with Search.")
	case http.StatusForbidden:
		ev.Advice = append(ev.Advice, "Ask an owner of the project for a role that allows this.")
	case http.StatusUnauthorized:
		ev.Advice = append(ev.Advice, "Sign in again.")
	}
	r = r.WithContext(withCaller(r, p))
	if rerr := u.render(w, r, pr.Status, "error", view{Title: ev.Heading, Data: ev}); rerr != nil {
		u.opts.Logger.Error("rendering the error page", "err", rerr)
		http.Error(w, apperr.HiddenDetail, http.StatusInternalServerError)
	}
}

func (u *UI) notFound(w http.ResponseWriter, r *http.Request) error {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		auth.WriteProblem(w, http.StatusNotFound, "no such endpoint: see /api/v1/openapi.json")
		return nil
	}
	return apperr.New(apperr.NotFound, "there is no page at %s", r.URL.Path)
}

// entityURL is the page of an entity: the FQN is one path segment, so a
// '/' inside a part (an S3 prefix, a partition) is escaped, not a separator.
func entityURL(fqn string) string { return "/e/" + url.PathEscape(fqn) }

func kindTitle(k catalog.Kind) string {
	if s, ok := catalog.Spec(k); ok {
		return s.Title
	}
	return string(k)
}

func humanBytes(v any) string {
	var n float64
	switch x := v.(type) {
	case int64:
		n = float64(x)
	case int:
		n = float64(x)
	case float64:
		n = x
	default:
		return fmt.Sprint(v)
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.1f %s", n, units[i])
}

// safeNext is the query-escaped page to return to after sign-in.
func safeNext(s string) string { return url.QueryEscape(localPath(s)) }

// localPath keeps a redirect on this site: anything but a plain local path
// ("//evil", "/\\evil", "https://...") becomes "/".
func localPath(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return "/"
	}
	return s
}

func withCaller(r *http.Request, p *auth.Principal) context.Context {
	return context.WithValue(r.Context(), ctxKey{}, p)
}

func isUnauthenticated(err error) bool { return apperr.Is(err, apperr.Unauthenticated) }

func pathEscape(s string) string { return url.PathEscape(s) }

// fieldInput is one labelled input of a form, for the "field" template.
type fieldInput struct {
	Name, Label, Type, Value, Error, Autocomplete string
}

func fieldArgs(name, label, typ string, f form, autocomplete string) fieldInput {
	return fieldInput{Name: name, Label: label, Type: typ, Value: f.Values[name], Error: f.Errors[name], Autocomplete: autocomplete}
}
