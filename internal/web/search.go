package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// facet is one filter choice with its count in the catalog.
type facet struct {
	Value    string
	Label    string
	Selected bool
}

type searchData struct {
	Query       string
	Kind        string
	Connection  string
	Kinds       []facet
	Connections []facet
	Result      catalog.SearchResult
	Searched    bool
	Next, Prev  string
}

// searchQuery reads ?q=&kind=&connection=&offset= into a store query
// within the caller's scope.
func searchQuery(r *http.Request, s scope) (catalog.SearchQuery, searchData, error) {
	q := r.URL.Query()
	d := searchData{Query: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind"), Connection: q.Get("connection")}
	sq := catalog.SearchQuery{Text: d.Query, Services: s.list(), Limit: 25}
	if d.Kind != "" {
		k, err := catalog.ParseKind(d.Kind)
		if err != nil {
			return sq, d, apperr.Wrap(apperr.Invalid, err, "kind filter")
		}
		sq.Kinds = []catalog.Kind{k}
	}
	if d.Connection != "" {
		if !s.allows(d.Connection) {
			return sq, d, apperr.New(apperr.NotFound, "no connection %q among your projects'", d.Connection)
		}
		sq.Services = []string{d.Connection}
	}
	if off := q.Get("offset"); off != "" {
		n, err := parseNonNegative(off)
		if err != nil {
			return sq, d, apperr.New(apperr.Invalid, "offset %q: want a non-negative integer", off)
		}
		sq.Offset = n
	}
	return sq, d, nil
}

func (u *UI) search(w http.ResponseWriter, r *http.Request) error {
	s, err := u.scope(r.Context(), r)
	if err != nil {
		return err
	}
	sq, d, err := searchQuery(r, s)
	if err != nil {
		return err
	}
	if d.Query != "" || d.Kind != "" || d.Connection != "" {
		d.Searched = true
		if sq.Services != nil && len(sq.Services) == 0 {
			d.Result = catalog.SearchResult{Hits: []catalog.SearchHit{}}
		} else if d.Result, err = u.opts.Store.Search(r.Context(), sq); err != nil {
			return err
		}
		if d.Result.NextOffset > 0 {
			d.Next = pageURL(r, d.Result.NextOffset)
		}
		if sq.Offset > 0 {
			d.Prev = pageURL(r, max(0, sq.Offset-sq.Limit))
		}
	}
	for _, spec := range catalog.Kinds() {
		if spec.Searchable {
			d.Kinds = append(d.Kinds, facet{Value: string(spec.Kind), Label: spec.Title, Selected: string(spec.Kind) == d.Kind})
		}
	}
	conns, err := u.opts.Store.ListConnections(r.Context())
	if err != nil {
		return err
	}
	for _, c := range conns {
		if s.allows(c.Name) {
			d.Connections = append(d.Connections, facet{Value: c.Name, Label: c.Name + " (" + c.SourceType + ")", Selected: c.Name == d.Connection})
		}
	}
	sort.Slice(d.Connections, func(i, j int) bool { return d.Connections[i].Value < d.Connections[j].Value })
	return u.render(w, r, http.StatusOK, "search", view{Title: "Search", Nav: "search", Query: d.Query, Data: d})
}

func pageURL(r *http.Request, offset int) string {
	q := r.URL.Query()
	q.Set("offset", itoa(offset))
	return "/search?" + q.Encode()
}

// suggestion is one search-as-you-type answer.
type suggestion struct {
	FQN  string `json:"fqn"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// suggest answers search-as-you-type with the first hits as JSON; the
// script renders them as links, and the search page stays the way without
// JavaScript.
func (u *UI) suggest(w http.ResponseWriter, r *http.Request) error {
	s, err := u.scope(r.Context(), r)
	if err != nil {
		return err
	}
	sq, d, err := searchQuery(r, s)
	if err != nil {
		return err
	}
	out := []suggestion{}
	if d.Query != "" && (sq.Services == nil || len(sq.Services) > 0) {
		sq.Limit = 8
		res, err := u.opts.Store.Search(r.Context(), sq)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			out = append(out, suggestion{FQN: h.FQN, Name: h.Name, Kind: kindTitle(h.Kind), URL: entityURL(h.FQN)})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"hits": out})
}
