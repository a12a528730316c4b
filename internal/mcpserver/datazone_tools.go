package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// dataZoneTools are the DataZone tools: reads on every datazone
// connection, writes on ReadWrite ones. Catalogued answers come from the
// connection's last scan (its service in the catalog is named like the
// connection); live ones go through the connection's role.
func dataZoneTools() []toolDef {
	return []toolDef{
		liveDef(&mcp.Tool{Name: "datazone_search", Annotations: readAnn("Search DataZone", false),
			Description: "Searches a DataZone connection's last scan: assets, listings, terms; facets."},
			liveRead, dzOnly, dzSearch),
		liveDef(&mcp.Tool{Name: "datazone_get_asset", Annotations: readAnn("Get a DataZone asset", true),
			Description: "A DataZone asset: forms, terms, revisions, listing, Glue table; live: true asks DataZone."},
			liveRead, dzOnly, dzGetAsset),
		liveDef(&mcp.Tool{Name: "datazone_list_projects", Annotations: readAnn("List DataZone projects", false),
			Description: "DataZone projects: id, domain, status, glossary terms."},
			liveRead, dzOnly, dzListProjects),
		liveDef(&mcp.Tool{Name: "datazone_get_glossary_term", Annotations: readAnn("Get a DataZone glossary term", false),
			Description: "A glossary term by FQN or id: descriptions, status, relations."},
			liveRead, dzOnly, dzGetGlossaryTerm),

		liveDef(&mcp.Tool{Name: "datazone_write_asset", Annotations: writeAnn("Write a DataZone asset", true, false),
			Description: "Creates, revises, publishes, unpublishes or deletes an asset."},
			liveWrite, dzOnly, byAction[DZAssetWriteInput]("datazone_write_asset",
				act("create", dzCreateAsset), act("update", dzUpdateAsset), act("publish", dzPublishAsset),
				act("unpublish", dzUnpublishAsset), act("delete", dzDeleteAsset))),
		liveDef(&mcp.Tool{Name: "datazone_write_data_source", Annotations: writeAnn("Write a DataZone data source", true, false),
			Description: "Creates, updates or deletes a Glue data source."},
			liveWrite, dzOnly, byAction[DZSourceWriteInput]("datazone_write_data_source",
				act("create", dzCreateDataSource), act("update", dzUpdateDataSource), act("delete", dzDeleteDataSource))),
	}
}

func (c *liveConn) datazone() *dz.Client { return c.sess.DataZone() }

// Kinds datazone_search looks at by default, and those it accepts.
var (
	dzSearchKinds  = []catalog.Kind{catalog.KindAsset, catalog.KindListing, catalog.KindGlossaryTerm}
	dzSearchableOK = []catalog.Kind{catalog.KindAsset, catalog.KindListing, catalog.KindGlossaryTerm, catalog.KindGlossary,
		catalog.KindProject, catalog.KindDomain, catalog.KindDataSource, catalog.KindEnvironment, catalog.KindEnvProfile}
)

// dzFacetScope bounds the matches facets are counted over.
const dzFacetScope = catalog.MaxLimit

// DZSearchInput is datazone_search's arguments.
type DZSearchInput struct {
	Conn
	Query   string   `json:"query" jsonschema:"words of names and descriptions"`
	Kinds   []string `json:"kinds,omitempty" jsonschema:"asset, listing, glossary_term (default: these three), glossary, project, domain, data_source, environment, environment_profile"`
	Domain  string   `json:"domain,omitempty" jsonschema:"only this domain: its name, id (dzd_...) or FQN"`
	Project string   `json:"project,omitempty" jsonschema:"only this project (needs domain unless an FQN): its name, id or FQN"`
	Limit   int      `json:"limit,omitempty" jsonschema:"hits per page; default 20, at most 100"`
	Cursor  string   `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// DZHit is one DataZone search hit.
type DZHit struct {
	FQN         string       `json:"fqn"`
	Kind        catalog.Kind `json:"kind"`
	Name        string       `json:"name"`
	Domain      string       `json:"domain,omitempty" jsonschema:"domain FQN"`
	Project     string       `json:"project,omitempty" jsonschema:"project FQN, for kinds inside a project"`
	Description string       `json:"description,omitempty"`
}

// DZSearchOutput is one page of datazone_search.
type DZSearchOutput struct {
	Hits       []DZHit                   `json:"hits"`
	Total      int                       `json:"total" jsonschema:"matches after the domain and project filters, among the first 1,000"`
	Facets     map[string]map[string]int `json:"facets" jsonschema:"kind, domain and project: counts over the matches"`
	Truncated  bool                      `json:"truncated"`
	NextCursor string                    `json:"nextCursor,omitempty"`
}

func dzSearch(ctx context.Context, c *liveConn, in DZSearchInput) (DZSearchOutput, string, error) {
	out := DZSearchOutput{Hits: []DZHit{}, Facets: map[string]map[string]int{"kind": {}, "domain": {}, "project": {}}}
	if strings.TrimSpace(in.Query) == "" {
		return out, "", apperr.New(apperr.Invalid, "query is required: words of asset, listing or glossary term names and descriptions")
	}
	limit, err := dzLimit(in.Limit, 20, 100)
	if err != nil {
		return out, "", err
	}
	offset, err := dzCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	kinds := dzSearchKinds
	if len(in.Kinds) > 0 {
		kinds = nil
		for _, k := range in.Kinds {
			if !slices.Contains(dzSearchableOK, catalog.Kind(k)) {
				return out, "", apperr.New(apperr.Invalid, "kinds: %q is not a DataZone kind; use %s", k, dzKindList(dzSearchableOK))
			}
			kinds = append(kinds, catalog.Kind(k))
		}
	}
	prefix := ""
	if in.Domain != "" || in.Project != "" {
		p, err := dzScopeFQN(ctx, c, in.Domain, in.Project)
		if err != nil {
			return out, "", err
		}
		prefix = p
	}
	res, err := c.s.srv.opts.Store.Search(ctx, catalog.SearchQuery{Text: in.Query, Kinds: kinds, Services: []string{c.name}, Limit: dzFacetScope})
	if apperr.Is(err, apperr.Invalid) {
		return out, "", err
	} else if err != nil {
		return out, "", fmt.Errorf("searching DataZone of connection %q for %q: %w", c.name, in.Query, err)
	}
	var hits []DZHit
	for _, h := range res.Hits {
		if prefix != "" && h.FQN != prefix && !strings.HasPrefix(h.FQN, prefix+".") {
			continue
		}
		hit := DZHit{FQN: h.FQN, Kind: h.Kind, Name: h.Name, Description: clipped(h.Description, descriptionClip)}
		hit.Domain, hit.Project = dzPlace(h.FQN, h.Kind)
		hits = append(hits, hit)
		out.Facets["kind"][string(h.Kind)]++
		if hit.Domain != "" {
			out.Facets["domain"][hit.Domain]++
		}
		if hit.Project != "" {
			out.Facets["project"][hit.Project]++
		}
	}
	out.Total = len(hits)
	if offset < len(hits) {
		end := min(offset+limit, len(hits))
		out.Hits = hits[offset:end]
		if end < len(hits) {
			out.Truncated, out.NextCursor = true, strconv.Itoa(end)
		}
	}
	t := newText(answerTextBudget)
	t.line("%d DataZone matches for %q in %s", out.Total, in.Query, c.name)
	t.line("by kind: %s", facetLine(out.Facets["kind"]))
	for _, h := range out.Hits {
		line := fmt.Sprintf("- %s [%s]", h.FQN, h.Kind)
		if h.Description != "" {
			line += " — " + clipped(h.Description, 120)
		}
		t.line("%s", line)
	}
	if out.NextCursor != "" {
		t.line("more: cursor=%s", out.NextCursor)
	}
	return out, t.String(), nil
}

func facetLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return orDash(strings.Join(parts, ", "))
}

func dzKindList(ks []catalog.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// dzPlace derives the domain and project FQNs from an entity's FQN:
// <service>.<domain>[.<project>...] (see internal/source/datazone/names.go).
func dzPlace(fqn string, kind catalog.Kind) (domain, project string) {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) < 2 {
		return "", ""
	}
	domain = catalog.JoinFQN(parts[:2]...)
	switch kind {
	case catalog.KindAsset, catalog.KindDataSource, catalog.KindEnvironment, catalog.KindGlossary, catalog.KindGlossaryTerm:
		if len(parts) >= 3 {
			project = catalog.JoinFQN(parts[:3]...)
		}
	}
	return domain, project
}

func dzLimit(n, def, maxN int) (int, error) {
	switch {
	case n < 0:
		return 0, apperr.New(apperr.Invalid, "limit must be positive (got %d)", n)
	case n == 0:
		return def, nil
	}
	return min(n, maxN), nil
}

func dzCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, apperr.New(apperr.Invalid, "cursor %q is not one this tool returned; pass nextCursor as is", clipped(s, 40))
	}
	return n, nil
}

// DZAssetInput names an asset.
type DZAssetInput struct {
	Conn
	Asset  string `json:"asset" jsonschema:"the asset's catalog FQN (datazone_search finds it), or its DataZone id together with domain"`
	Domain string `json:"domain,omitempty" jsonschema:"the domain (name, id or FQN) when asset is an id"`
	Live   bool   `json:"live,omitempty" jsonschema:"read the asset from DataZone now rather than from the last scan"`
}

// DZAssetView is one asset.
type DZAssetView struct {
	FQN            string         `json:"fqn,omitempty"`
	Name           string         `json:"name"`
	Description    string         `json:"description,omitempty"`
	ID             string         `json:"id"`
	Domain         string         `json:"domain,omitempty" jsonschema:"domain FQN"`
	DomainID       string         `json:"domainId"`
	Project        string         `json:"project,omitempty" jsonschema:"project FQN"`
	ProjectID      string         `json:"projectId,omitempty"`
	TypeIdentifier string         `json:"typeIdentifier,omitempty"`
	Revision       string         `json:"revision,omitempty"`
	Listed         bool           `json:"listed"`
	ListingID      string         `json:"listingId,omitempty"`
	ListingStatus  string         `json:"listingStatus,omitempty"`
	GlossaryTerms  []string       `json:"glossaryTerms,omitempty" jsonschema:"glossary term ids; datazone_get_glossary_term reads one"`
	Forms          map[string]any `json:"forms,omitempty" jsonschema:"form name -> {type, typeRevision, content, fields}"`
	Revisions      []any          `json:"revisions,omitempty" jsonschema:"[{revision, createdAt, createdBy}]"`
	GlueTableArn   string         `json:"glueTableArn,omitempty"`
	GlueTable      string         `json:"glueTable,omitempty" jsonschema:"FQN of the Glue table the asset describes, when a Glue connection of the same account catalogues it"`
	ClippedFields  []string       `json:"clippedFields,omitempty"`
	Source         string         `json:"source" jsonschema:"catalog or live"`
}

func dzGetAsset(ctx context.Context, c *liveConn, in DZAssetInput) (DZAssetView, string, error) {
	e, dom, err := dzFind(ctx, c, catalog.KindAsset, "asset", in.Asset, in.Domain)
	if err != nil {
		return DZAssetView{}, "", err
	}
	v := assetView(e, dom)
	if in.Live {
		if err := liveAsset(ctx, c, &v); err != nil {
			return DZAssetView{}, "", err
		}
	}
	v.ClippedFields = clipForms(v.Forms)
	return v, renderAsset(v), nil
}

func assetView(e catalog.Entity, dom catalog.Entity) DZAssetView {
	v := DZAssetView{FQN: e.FQN, Name: e.Name, Description: e.Description, ID: attrStr(e, "id"), Domain: dom.FQN, DomainID: attrStr(dom, "id"),
		Project: e.ParentFQN, ProjectID: attrStr(e, "owningProjectId"), TypeIdentifier: attrStr(e, "typeIdentifier"), Revision: attrStr(e, "revision"),
		ListingID: attrStr(e, "listingId"), ListingStatus: attrStr(e, "status"), GlueTableArn: attrStr(e, "glueTableArn"),
		GlueTable: attrStr(e, "glueTable"), Source: "catalog"}
	v.Listed, _ = e.Attrs["listed"].(bool)
	v.GlossaryTerms = attrStrs(e, "glossaryTerms")
	v.Forms, _ = e.Attrs["forms"].(map[string]any)
	v.Revisions, _ = e.Attrs["revisions"].([]any)
	return v
}

// liveAsset replaces v's DataZone fields with what DataZone says now.
func liveAsset(ctx context.Context, c *liveConn, v *DZAssetView) error {
	out, err := c.datazone().GetAsset(ctx, &dz.GetAssetInput{DomainIdentifier: aws.String(v.DomainID), Identifier: aws.String(v.ID)})
	if err != nil {
		return awsErr(err, fmt.Sprintf("reading DataZone asset %q", v.Name))
	}
	v.Source, v.Name, v.Description = "live", aws.ToString(out.Name), aws.ToString(out.Description)
	v.ProjectID, v.TypeIdentifier, v.Revision = aws.ToString(out.OwningProjectId), aws.ToString(out.TypeIdentifier), aws.ToString(out.Revision)
	v.GlossaryTerms = out.GlossaryTerms
	v.Listed, v.ListingID, v.ListingStatus = false, "", ""
	if out.Listing != nil {
		v.Listed, v.ListingID, v.ListingStatus = true, aws.ToString(out.Listing.ListingId), string(out.Listing.ListingStatus)
	}
	v.Forms = map[string]any{}
	for _, f := range append(out.FormsOutput, out.ReadOnlyFormsOutput...) {
		form := map[string]any{"type": aws.ToString(f.TypeName), "typeRevision": aws.ToString(f.TypeRevision)}
		var content any
		if json.Unmarshal([]byte(aws.ToString(f.Content)), &content) == nil {
			form["content"] = content
		} else if s := aws.ToString(f.Content); s != "" {
			form["content"] = s
		}
		v.Forms[aws.ToString(f.FormName)] = form
	}
	revs, err := c.datazone().ListAssetRevisions(ctx, &dz.ListAssetRevisionsInput{DomainIdentifier: aws.String(v.DomainID), Identifier: aws.String(v.ID), MaxResults: aws.Int32(50)})
	if err != nil {
		return awsErr(err, fmt.Sprintf("listing revisions of DataZone asset %q", v.Name))
	}
	v.Revisions = nil
	for _, r := range revs.Items {
		m := map[string]any{"revision": aws.ToString(r.Revision), "createdBy": aws.ToString(r.CreatedBy)}
		if r.CreatedAt != nil {
			m["createdAt"] = r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		v.Revisions = append(v.Revisions, m)
	}
	return nil
}

// formClip bounds one form's content in a response.
const formClip = 4000

// clipForms shortens long form contents in place and names them.
func clipForms(forms map[string]any) []string {
	var clippedNames []string
	for name, f := range forms {
		m, ok := f.(map[string]any)
		if !ok || m["content"] == nil {
			continue
		}
		b, _ := json.Marshal(m["content"])
		if len(b) <= formClip {
			continue
		}
		cp := make(map[string]any, len(m))
		for k, val := range m {
			cp[k] = val
		}
		cp["content"] = clipped(string(b), formClip)
		forms[name] = cp
		clippedNames = append(clippedNames, "forms."+name+".content")
	}
	slices.Sort(clippedNames)
	return clippedNames
}

func renderAsset(v DZAssetView) string {
	t := newText(answerTextBudget)
	t.line("%s (%s) asset %s, type %s, revision %s [%s]", orDefault(v.FQN, v.Name), v.ID, v.Name, orDash(v.TypeIdentifier), orDash(v.Revision), v.Source)
	if v.Description != "" {
		t.line("  %s", clipped(v.Description, 300))
	}
	if v.Listed {
		t.line("  listed: %s (%s)", v.ListingID, orDash(v.ListingStatus))
	} else {
		t.line("  not listed (inventory only)")
	}
	if v.GlueTableArn != "" {
		t.line("  Glue table: %s%s", v.GlueTableArn, map[bool]string{true: " = " + v.GlueTable, false: ""}[v.GlueTable != ""])
	}
	if len(v.GlossaryTerms) > 0 {
		t.line("  glossary terms: %s", strings.Join(v.GlossaryTerms, ", "))
	}
	names := make([]string, 0, len(v.Forms))
	for n := range v.Forms {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b, _ := json.Marshal(v.Forms[n])
		t.line("  form %s: %s", n, clipped(string(b), 400))
	}
	t.line("  revisions: %d", len(v.Revisions))
	return t.String()
}

func attrStr(e catalog.Entity, key string) string {
	s, _ := e.Attrs[key].(string)
	return s
}

func attrStrs(e catalog.Entity, key string) []string {
	raw, _ := e.Attrs[key].([]any)
	var out []string
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
