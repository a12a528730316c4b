package mcpserver

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// SearchInput is search_catalog's arguments.
type SearchInput struct {
	Query          string   `json:"query,omitempty" jsonschema:"free text: words of names, descriptions, column names or comments; empty with kinds lists those kinds"`
	Kinds          []string `json:"kinds,omitempty" jsonschema:"only these kinds, e.g. [\"table\",\"bucket\"]"`
	Connection     string   `json:"connection,omitempty" jsonschema:"only entities of this connection (serviceName)"`
	IncludeDeleted bool     `json:"includeDeleted,omitempty" jsonschema:"also match entities gone from AWS since a scan"`
	Limit          int      `json:"limit,omitempty" jsonschema:"hits per page; default 20, at most 1000 (cut to fit the response size)"`
	Cursor         string   `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// SearchHit is one ranked match.
type SearchHit struct {
	FQN         string       `json:"fqn"`
	Kind        catalog.Kind `json:"kind"`
	Name        string       `json:"name"`
	Connection  string       `json:"connection"`
	Description string       `json:"description,omitempty"`
	Score       float64      `json:"score"`
	Deleted     bool         `json:"deleted,omitempty"`
}

// SearchOutput is one page of search_catalog.
type SearchOutput struct {
	Hits       []SearchHit `json:"hits"`
	Total      int         `json:"total" jsonschema:"matches in all (the search backend caps it)"`
	Truncated  bool        `json:"truncated" jsonschema:"true when more hits exist than this page shows"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

func searchCatalog(ctx context.Context, s *session, in SearchInput) (SearchOutput, string, error) {
	var out SearchOutput
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	req, err := catalog.SurfaceMCP.ParseRead(catalog.ReadSearch, catalog.ReadArgs{Text: in.Query, Kinds: in.Kinds,
		Limit: in.Limit, Offset: cur.Offset, Deleted: in.IncludeDeleted}, time.Now())
	if err != nil {
		return out, "", err
	}

	// The connection argument is resolved against the session's scope, not
	// passed through: an agent sees only the services its token allows.
	q := req.Search()
	q.Services = s.scope.services()
	if svc, err := s.service(ctx, in.Connection); err != nil {
		return out, "", err
	} else if svc != "" {
		q.Services = []string{svc}
	}
	res, err := s.srv.opts.Store.Search(ctx, q)
	if apperr.Is(err, apperr.Invalid) {
		return out, "", err // says what is wrong without echoing a huge query
	} else if err != nil {
		return out, "", fmt.Errorf("searching the catalog for %q: %w", in.Query, err)
	}
	out.Hits = make([]SearchHit, len(res.Hits))
	for i, h := range res.Hits {
		out.Hits[i] = SearchHit{FQN: h.FQN, Kind: h.Kind, Name: h.Name, Connection: h.Service,
			Description: clipped(h.Description, descriptionClip), Score: h.Score, Deleted: h.Deleted}
	}
	b := answerBudget()
	kept := fitCount(out.Hits, b.json-500)
	out.Hits = out.Hits[:kept]
	out.Total = res.Total
	if next := cur.Offset + kept; next < res.Total && next <= catalog.MaxOffset && (kept < len(res.Hits) || res.NextOffset > 0) {
		out.Truncated = true
		out.NextCursor = cursor{Offset: next}.encode()
	}
	t := newText(b.text)
	t.line("%d hits for %q", res.Total, in.Query)
	for _, h := range out.Hits {
		line := fmt.Sprintf("- %s [%s]", h.FQN, h.Kind)
		if h.Deleted {
			line += " (deleted)"
		}
		if h.Description != "" {
			line += " — " + clipped(h.Description, 120)
		}
		t.line("%s", line)
	}
	pageNote(t, cur.Offset+kept, res.Total, true, out.NextCursor)
	return out, t.String(), nil
}

// ListOutput is one page of entities.
type ListOutput struct {
	Parent     string          `json:"parent,omitempty"`
	Items      []EntitySummary `json:"items"`
	Total      *int            `json:"total,omitempty" jsonschema:"how many there are in all, when the catalog knows"`
	Truncated  bool            `json:"truncated" jsonschema:"true when more items exist than this page shows"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

// listChildren pages the entities of kinds directly under parent, fitting
// the budget.
func (s *session) listChildren(ctx context.Context, parent string, kinds []catalog.Kind, limitArgValue int, cursorArg string) (ListOutput, budget, error) {
	return s.listEntities(ctx, parent, nil, kinds, limitArgValue, cursorArg)
}

// listEntities pages entities of kinds: the children of parent, or, with
// parent "", every one of those kinds in services, service after service.
// The cursor holds the service and the last FQN shown.
func (s *session) listEntities(ctx context.Context, parent string, services []string, kinds []catalog.Kind, limitArgValue int, cursorArg string) (ListOutput, budget, error) {
	out := ListOutput{Parent: parent, Items: []EntitySummary{}}
	req, err := catalog.SurfaceMCP.ParseRead(catalog.ReadList, catalog.ReadArgs{Limit: limitArgValue}, time.Now())
	if err != nil {
		return out, budget{}, err
	}
	limit := req.Limit
	cur, err := decodeCursor(cursorArg)
	if err != nil {
		return out, budget{}, err
	}
	b := answerBudget()
	queries := []catalog.ListQuery{{ParentFQN: parent, Kinds: kinds}}
	if parent == "" {
		queries = queries[:0]
		for _, svc := range services {
			if svc >= cur.Service {
				queries = append(queries, catalog.ListQuery{Service: svc, Kinds: kinds})
			}
		}
	}
	var got []catalog.Entity
	var next *cursor
	for i, q := range queries {
		if q.Service == cur.Service {
			q.After = cur.Token
		}
		// Entities of services out of scope are skipped; a bounded number
		// of extra pages fills the page without unbounded work.
		more := false
		for range 20 {
			q.Limit = limit - len(got)
			page, err := s.srv.opts.Store.List(ctx, q)
			if err != nil {
				return out, b, fmt.Errorf("listing %v under %q: %w", kinds, parent, err)
			}
			for _, e := range page.Entities {
				if s.scope.allows(e.Service) {
					got = append(got, e)
				}
			}
			q.After, more = page.Next, page.Next != ""
			if !more || len(got) >= limit {
				break
			}
		}
		if more {
			next = &cursor{Service: q.Service, Token: q.After}
			break
		}
		if len(got) >= limit && s.anyLeft(ctx, queries[i+1:]) {
			next = &cursor{Service: queries[i+1].Service}
			break
		}
	}
	for _, e := range got {
		out.Items = append(out.Items, summarize(e))
	}
	if kept := fitCount(out.Items, b.json-500); kept < len(out.Items) {
		last := got[kept-1]
		next = &cursor{Token: last.FQN}
		if parent == "" {
			next.Service = last.Service
		}
		out.Items = out.Items[:kept]
	}
	if next != nil {
		out.Truncated = true
		out.NextCursor = next.encode()
	}
	return out, b, nil
}

// anyLeft says whether any of the queries has an entity.
func (s *session) anyLeft(ctx context.Context, queries []catalog.ListQuery) bool {
	for _, q := range queries {
		q.Limit = 1
		if page, err := s.srv.opts.Store.List(ctx, q); err != nil || len(page.Entities) > 0 {
			return true
		}
	}
	return false
}

func renderList(out ListOutput, b budget, title string) string {
	t := newText(b.text)
	t.line("%s", title)
	for _, e := range out.Items {
		renderSummary(t, e)
	}
	total := 0
	if out.Total != nil {
		total = *out.Total
	}
	pageNote(t, len(out.Items), total, out.Total != nil, out.NextCursor)
	if len(out.Items) == 0 {
		t.line("(none)")
	}
	return t.String()
}

// ConnectionListInput is the arguments of the per-connection listings
// (list_entities of databases, buckets, workgroups) and find_schema_drift.
type ConnectionListInput struct {
	Connection string `json:"connection,omitempty" jsonschema:"only this connection (serviceName); default every connection"`
	Limit      int    `json:"limit,omitempty" jsonschema:"items per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor     string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

func listUnderService(kind catalog.Kind, title string) handler[ConnectionListInput, ListOutput] {
	return func(ctx context.Context, s *session, in ConnectionListInput) (ListOutput, string, error) {
		svc, err := s.service(ctx, in.Connection)
		if err != nil {
			return ListOutput{}, "", err
		}
		services := []string{svc}
		if svc == "" {
			if services, err = s.knownServices(ctx); err != nil {
				return ListOutput{}, "", err
			}
		}
		out, b, err := s.listEntities(ctx, "", services, []catalog.Kind{kind}, in.Limit, in.Cursor)
		if err != nil {
			return out, "", err
		}
		total, err := s.countInServices(ctx, services, kind)
		if err != nil {
			return out, "", err
		}
		out.Total = &total
		if kind == catalog.KindDatabase {
			// Glue does not count a database's tables; the catalog does.
			for i := range out.Items {
				if _, ok := out.Items[i].Facts["tableCount"]; ok {
					continue
				}
				n, exact, err := s.countChildren(ctx, out.Items[i].FQN, []catalog.Kind{catalog.KindTable}, 1)
				if err != nil {
					return out, "", err
				}
				if out.Items[i].Facts == nil {
					out.Items[i].Facts = map[string]any{}
				}
				if exact {
					out.Items[i].Facts["tableCount"] = n
				} else {
					out.Items[i].Facts["tableCount"] = fmt.Sprintf("%d+", n)
				}
			}
		}
		where := "every connection"
		if svc != "" {
			where = "connection " + strconv.Quote(svc)
		}
		return out, renderList(out, b, fmt.Sprintf("%s of %s", title, where)), nil
	}
}

// ParentListInput is the arguments of the per-parent listings (list_entities
// of tables and containers).
type ParentListInput struct {
	Parent string `json:"parent" jsonschema:"FQN of the database (for tables) or of the bucket or container (for containers), e.g. prod.sales"`
	Limit  int    `json:"limit,omitempty" jsonschema:"items per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

func listUnderParent(kind catalog.Kind, parents []catalog.Kind, countAttr string) handler[ParentListInput, ListOutput] {
	return func(ctx context.Context, s *session, in ParentListInput) (ListOutput, string, error) {
		p, err := s.entity(ctx, "parent", in.Parent)
		if err != nil {
			return ListOutput{}, "", err
		}
		if !kindIn(p.Kind, parents) {
			return ListOutput{}, "", apperr.New(apperr.Invalid, "parent %q is a %s; %ss live under a %s", p.FQN, p.Kind, kind, kindList(parents))
		}
		out, b, err := s.listChildren(ctx, p.FQN, []catalog.Kind{kind}, in.Limit, in.Cursor)
		if err != nil {
			return out, "", err
		}
		if n, ok := intAttr(p.Attrs, countAttr); ok && countAttr != "" {
			out.Total = &n
		} else if n, exact, err := s.countChildren(ctx, p.FQN, []catalog.Kind{kind}, maxCountPages); err != nil {
			return out, "", err
		} else if exact {
			out.Total = &n
		}
		return out, renderList(out, b, fmt.Sprintf("%ss in %s %s", kind, p.Kind, p.FQN)), nil
	}
}

func kindIn(k catalog.Kind, ks []catalog.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func kindList(ks []catalog.Kind) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += " or "
		}
		s += string(k)
	}
	return s
}

// intAttr reads a count attribute, whatever number type the store gave back.
func intAttr(attrs map[string]any, name string) (int, bool) {
	switch v := attrs[name].(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	}
	return 0, false
}

// ConnectionsInput is list_connections' arguments.
type ConnectionsInput struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"connections per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// ConnectionsOutput is list_connections' result.
type ConnectionsOutput struct {
	Connections []ConnectionView `json:"connections"`
	Total       int              `json:"total"`
	Truncated   bool             `json:"truncated"`
	NextCursor  string           `json:"nextCursor,omitempty"`
}

// ConnectionView is a connection as an agent may see it: no secrets.
type ConnectionView struct {
	Name        string              `json:"name"`
	SourceType  string              `json:"sourceType"`
	AccessLevel catalog.AccessLevel `json:"accessLevel"`
	Region      string              `json:"region"`
	RoleARN     string              `json:"roleArn,omitempty"`
	WriteTools  bool                `json:"writeTools" jsonschema:"true when this session may use write tools on it"`
}

func listConnections(ctx context.Context, s *session, in ConnectionsInput) (ConnectionsOutput, string, error) {
	var out ConnectionsOutput
	limit, _, err := limitArg("limit", in.Limit, catalog.DefaultLimit, catalog.MaxLimit)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	conns, err := s.srv.reachable(ctx, s.scope)
	if err != nil {
		return out, "", err
	}
	out.Total = len(conns)
	start := min(cur.Offset, len(conns))
	end := min(start+limit, len(conns))
	out.Connections = make([]ConnectionView, 0, end-start)
	for _, c := range conns[start:end] {
		level := c.AccessLevel
		if level == "" {
			level = catalog.ReadOnly
		}
		out.Connections = append(out.Connections, ConnectionView{Name: c.Name, SourceType: c.SourceType, AccessLevel: level,
			Region: c.Region, RoleARN: c.RoleARN, WriteTools: level == catalog.ReadWrite && !s.scope.ReadOnly})
	}
	b := answerBudget()
	out.Connections = out.Connections[:fitCount(out.Connections, b.json-300)]
	if shown := start + len(out.Connections); shown < len(conns) {
		out.Truncated = true
		out.NextCursor = cursor{Offset: shown}.encode()
	}
	t := newText(b.text)
	for _, v := range out.Connections {
		t.line("- %s: %s, %s, region %s, write tools %v", v.Name, v.SourceType, v.AccessLevel, orDash(v.Region), v.WriteTools)
	}
	if len(conns) == 0 {
		t.line("no connections: catalog tools still work; live AWS tools need a connection remembered by lakemap ingest")
	}
	pageNote(t, start+len(out.Connections), len(conns), true, out.NextCursor)
	return out, t.String(), nil
}
