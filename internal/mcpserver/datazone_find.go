package mcpserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// DataZone tools name domains and projects by name, id or FQN, and assets,
// data sources and terms by FQN or by id with their domain. Everything is
// resolved in the catalog, which holds every id the scan saw: DataZone's
// own calls need ids, agents think in names.

// dzChildren lists every live entity of kind directly under parent.
func dzChildren(ctx context.Context, c *liveConn, parent string, kinds ...catalog.Kind) ([]catalog.Entity, error) {
	var out []catalog.Entity
	after := ""
	for {
		page, err := c.s.srv.opts.Store.List(ctx, catalog.ListQuery{ParentFQN: parent, Service: c.name, Kinds: kinds, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("listing %s under %s: %w", dzKindList(kinds), parent, err)
		}
		out = append(out, page.Entities...)
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}

// dzPick finds arg among entities by FQN, DataZone id or name (names
// compared case-insensitively; a name several hold is ambiguous).
func dzPick(arg, what, where string, among []catalog.Entity) (catalog.Entity, error) {
	arg = strings.TrimSpace(arg)
	var byName []catalog.Entity
	for _, e := range among {
		if e.FQN == arg || attrStr(e, "id") == arg {
			return e, nil
		}
		if strings.EqualFold(e.Name, arg) {
			byName = append(byName, e)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		names := make([]string, 0, min(len(among), 20))
		for _, e := range among[:min(len(among), 20)] {
			names = append(names, e.Name)
		}
		return catalog.Entity{}, apperr.New(apperr.NotFound, "no %s %q in %s; known: %s", what, arg, where, listOrNone(names))
	}
	ids := make([]string, len(byName))
	for i, e := range byName {
		ids[i] = attrStr(e, "id")
	}
	return catalog.Entity{}, apperr.New(apperr.Invalid, "%s name %q is held by several in %s; pass one of their ids: %s", what, arg, where, strings.Join(ids, ", "))
}

// dzDomain resolves a domain of the connection.
func dzDomain(ctx context.Context, c *liveConn, arg string) (catalog.Entity, error) {
	if strings.TrimSpace(arg) == "" {
		return catalog.Entity{}, apperr.New(apperr.Invalid, "domain is required: its name, id (dzd_...) or FQN")
	}
	doms, err := dzChildren(ctx, c, catalog.QuotePart(c.name), catalog.KindDomain)
	if err != nil {
		return catalog.Entity{}, err
	}
	if len(doms) == 0 {
		return catalog.Entity{}, apperr.New(apperr.NotFound, "connection %q has no DataZone domain in the catalog; run lakemap ingest on its workflow first", c.name)
	}
	return dzPick(arg, "domain", "connection "+c.name, doms)
}

// dzProject resolves a project: an FQN alone, or a name or id in domain.
func dzProject(ctx context.Context, c *liveConn, domainArg, arg string) (dom, proj catalog.Entity, err error) {
	if strings.TrimSpace(arg) == "" {
		return dom, proj, apperr.New(apperr.Invalid, "project is required: its name, id or FQN")
	}
	if domainArg == "" && strings.Contains(arg, ".") {
		proj, err = dzByFQN(ctx, c, catalog.KindProject, "project", arg)
		if err != nil {
			return dom, proj, err
		}
		dom, err = c.s.get(ctx, proj.ParentFQN)
		return dom, proj, err
	}
	if dom, err = dzDomain(ctx, c, domainArg); err != nil {
		return dom, proj, err
	}
	projects, err := dzChildren(ctx, c, dom.FQN, catalog.KindProject)
	if err != nil {
		return dom, proj, err
	}
	proj, err = dzPick(arg, "project", "domain "+dom.Name, projects)
	return dom, proj, err
}

// dzScopeFQN is the FQN a search is narrowed to: a project's, or a domain's.
func dzScopeFQN(ctx context.Context, c *liveConn, domainArg, projectArg string) (string, error) {
	if projectArg != "" {
		_, p, err := dzProject(ctx, c, domainArg, projectArg)
		return p.FQN, err
	}
	d, err := dzDomain(ctx, c, domainArg)
	return d.FQN, err
}

// dzByFQN reads an entity of kind of this connection by FQN.
func dzByFQN(ctx context.Context, c *liveConn, kind catalog.Kind, arg, raw string) (catalog.Entity, error) {
	e, err := c.s.entity(ctx, arg, raw)
	if err != nil {
		return e, err
	}
	if e.Kind != kind || e.Service != c.name {
		return catalog.Entity{}, apperr.New(apperr.Invalid, "%s %q is a %s of %s, not a DataZone %s of connection %s", arg, e.FQN, e.Kind, e.Service, kind, c.name)
	}
	if e.Deleted {
		return catalog.Entity{}, apperr.New(apperr.NotFound, "%s %q was deleted (gone from DataZone since a scan)", arg, e.FQN)
	}
	return e, nil
}

// dzPaths says under which kinds each findable kind sits, from the domain
// down.
var dzPaths = map[catalog.Kind][]catalog.Kind{
	catalog.KindAsset:        {catalog.KindProject},
	catalog.KindDataSource:   {catalog.KindProject},
	catalog.KindGlossaryTerm: {catalog.KindProject, catalog.KindGlossary},
}

// dzFind resolves an asset, data source or glossary term given by FQN, or
// by DataZone id with its domain, and returns it with its domain.
func dzFind(ctx context.Context, c *liveConn, kind catalog.Kind, arg, raw, domainArg string) (e, dom catalog.Entity, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return e, dom, apperr.New(apperr.Invalid, "%s is required: its catalog FQN (datazone_search finds it), or its DataZone id with domain", arg)
	}
	if domainArg == "" {
		if !strings.Contains(raw, ".") {
			return e, dom, apperr.New(apperr.Invalid, "%s %q looks like a DataZone id: give its domain too, or pass the catalog FQN", arg, raw)
		}
		if e, err = dzByFQN(ctx, c, kind, arg, raw); err != nil {
			return e, dom, err
		}
		d, _ := dzPlace(e.FQN, kind)
		dom, err = c.s.get(ctx, d)
		return e, dom, err
	}
	if dom, err = dzDomain(ctx, c, domainArg); err != nil {
		return e, dom, err
	}
	level := []catalog.Entity{dom}
	for _, k := range dzPaths[kind] {
		var next []catalog.Entity
		for _, p := range level {
			kids, err := dzChildren(ctx, c, p.FQN, k)
			if err != nil {
				return e, dom, err
			}
			next = append(next, kids...)
		}
		level = next
	}
	for _, p := range level {
		kids, err := dzChildren(ctx, c, p.FQN, kind)
		if err != nil {
			return e, dom, err
		}
		for _, k := range kids {
			if attrStr(k, "id") == raw || k.FQN == raw {
				return k, dom, nil
			}
		}
	}
	return e, dom, apperr.New(apperr.NotFound, "no catalogued %s with id %q in domain %s; datazone_search finds it by name (a guide-built ReadOnly role catalogues published assets and referenced terms only)", kind, raw, dom.Name)
}

// DZProjectsInput is datazone_list_projects' arguments.
type DZProjectsInput struct {
	Conn
	Domain string `json:"domain,omitempty" jsonschema:"only this domain: name, id or FQN; default every domain of the connection"`
	Limit  int    `json:"limit,omitempty" jsonschema:"projects per page; default 50, at most 500"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// DZProject is one project.
type DZProject struct {
	FQN           string   `json:"fqn"`
	Name          string   `json:"name"`
	ID            string   `json:"id"`
	Domain        string   `json:"domain" jsonschema:"domain FQN"`
	DomainID      string   `json:"domainId"`
	Status        string   `json:"status,omitempty"`
	Description   string   `json:"description,omitempty"`
	GlossaryTerms []string `json:"glossaryTerms,omitempty" jsonschema:"glossary term ids"`
}

// DZProjectsOutput is one page of projects.
type DZProjectsOutput struct {
	Projects   []DZProject `json:"projects"`
	Total      int         `json:"total"`
	Truncated  bool        `json:"truncated"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

func dzListProjects(ctx context.Context, c *liveConn, in DZProjectsInput) (DZProjectsOutput, string, error) {
	out := DZProjectsOutput{Projects: []DZProject{}}
	limit, err := dzLimit(in.Limit, 50, 500)
	if err != nil {
		return out, "", err
	}
	offset, err := dzCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	var doms []catalog.Entity
	if in.Domain != "" {
		d, err := dzDomain(ctx, c, in.Domain)
		if err != nil {
			return out, "", err
		}
		doms = []catalog.Entity{d}
	} else if doms, err = dzChildren(ctx, c, catalog.QuotePart(c.name), catalog.KindDomain); err != nil {
		return out, "", err
	}
	var all []DZProject
	for _, d := range doms {
		ps, err := dzChildren(ctx, c, d.FQN, catalog.KindProject)
		if err != nil {
			return out, "", err
		}
		for _, p := range ps {
			all = append(all, DZProject{FQN: p.FQN, Name: p.Name, ID: attrStr(p, "id"), Domain: d.FQN, DomainID: attrStr(d, "id"),
				Status: attrStr(p, "status"), Description: clipped(p.Description, descriptionClip), GlossaryTerms: attrStrs(p, "glossaryTerms")})
		}
	}
	out.Total = len(all)
	if offset < len(all) {
		end := min(offset+limit, len(all))
		out.Projects = all[offset:end]
		if end < len(all) {
			out.Truncated, out.NextCursor = true, fmt.Sprint(end)
		}
	}
	t := newText(answerTextBudget)
	t.line("%d DataZone projects in %s", out.Total, c.name)
	for _, p := range out.Projects {
		t.line("- %s (%s) %s", p.FQN, p.ID, orDash(p.Status))
	}
	if out.NextCursor != "" {
		t.line("more: cursor=%s", out.NextCursor)
	}
	return out, t.String(), nil
}

// DZTermInput is datazone_get_glossary_term's arguments.
type DZTermInput struct {
	Conn
	Term   string `json:"term" jsonschema:"the term's catalog FQN, or its DataZone id (as in an asset's glossaryTerms) together with domain"`
	Domain string `json:"domain,omitempty" jsonschema:"the domain (name, id or FQN) when term is an id"`
}

// DZTerm is one glossary term.
type DZTerm struct {
	FQN              string   `json:"fqn"`
	Name             string   `json:"name"`
	ID               string   `json:"id"`
	Glossary         string   `json:"glossary" jsonschema:"glossary FQN"`
	GlossaryName     string   `json:"glossaryName"`
	Status           string   `json:"status,omitempty"`
	ShortDescription string   `json:"shortDescription,omitempty"`
	LongDescription  string   `json:"longDescription,omitempty"`
	IsA              []string `json:"isA,omitempty" jsonschema:"FQNs of the broader terms"`
	Classifies       []string `json:"classifies,omitempty" jsonschema:"FQNs of the terms it classifies"`
}

func dzGetGlossaryTerm(ctx context.Context, c *liveConn, in DZTermInput) (DZTerm, string, error) {
	e, _, err := dzFind(ctx, c, catalog.KindGlossaryTerm, "term", in.Term, in.Domain)
	if err != nil {
		return DZTerm{}, "", err
	}
	v := DZTerm{FQN: e.FQN, Name: e.Name, ID: attrStr(e, "id"), Glossary: e.ParentFQN, Status: attrStr(e, "status"),
		ShortDescription: attrStr(e, "shortDescription"), LongDescription: clipped(attrStr(e, "longDescription"), valueClip),
		IsA: attrStrs(e, "isA"), Classifies: attrStrs(e, "classifies")}
	if g, err := c.s.get(ctx, e.ParentFQN); err == nil {
		v.GlossaryName = g.Name
	}
	t := newText(answerTextBudget)
	t.line("%s (%s), glossary %s", v.FQN, v.ID, orDash(v.GlossaryName))
	if v.ShortDescription != "" {
		t.line("  %s", v.ShortDescription)
	}
	if v.LongDescription != "" {
		t.line("  %s", clipped(v.LongDescription, 600))
	}
	if len(v.IsA) > 0 {
		t.line("  is a: %s", strings.Join(v.IsA, ", "))
	}
	if len(v.Classifies) > 0 {
		t.line("  classifies: %s", strings.Join(v.Classifies, ", "))
	}
	return v, t.String(), nil
}
