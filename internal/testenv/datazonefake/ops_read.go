package datazonefake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func (c *call) renderDomain(d *Domain) map[string]any {
	return map[string]any{
		"id": d.ID, "name": d.Name, "description": d.Description, "status": d.Status,
		"arn":       "arn:aws:datazone:us-east-1:" + c.account + ":domain/" + d.ID,
		"portalUrl": "https://" + d.ID + ".datazone.us-east-1.on.aws", "managedAccountId": c.account,
		"createdAt": epoch(d.Created), "lastUpdatedAt": epoch(d.Created.Add(24 * 3600e9)), "domainVersion": "V1",
	}
}

func listDomains(c *call) (any, *Fault) {
	return pageOut(c, c.estate.Domains, func(d *Domain) any { return c.renderDomain(d) })
}

func getDomain(c *call) (any, *Fault) {
	d, ft := c.domain("identifier")
	if ft != nil {
		return nil, ft
	}
	out := c.renderDomain(d)
	out["domainExecutionRole"] = "arn:aws:iam::" + c.account + ":role/AmazonDataZoneDomainExecution"
	return out, nil
}

func renderProject(d *Domain, p *Project) map[string]any {
	return map[string]any{"id": p.ID, "domainId": d.ID, "name": p.Name, "description": p.Description,
		"createdBy": p.CreatedBy, "projectStatus": "ACTIVE", "createdAt": iso(seedTime), "updatedAt": iso(seedTime)}
}

func listProjects(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	return pageOut(c, d.Projects, func(p *Project) any { return renderProject(d, p) })
}

func getProject(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	p := d.project(c.params["identifier"])
	if p == nil {
		return nil, notFound("Project %s not found", c.params["identifier"])
	}
	out := renderProject(d, p)
	delete(out, "updatedAt")
	out["lastUpdatedAt"] = iso(seedTime)
	out["glossaryTerms"] = nonNil(p.GlossaryTerms)
	return out, nil
}

func renderEnvironment(d *Domain, e *Environment) map[string]any {
	return map[string]any{"id": e.ID, "domainId": d.ID, "name": e.Name, "projectId": e.ProjectID,
		"environmentProfileId": e.ProfileID, "provider": e.Provider, "awsAccountId": e.AccountID,
		"awsAccountRegion": e.Region, "status": "ACTIVE", "createdBy": "admin", "createdAt": iso(seedTime)}
}

func listEnvironments(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	project := c.query.Get("projectIdentifier")
	if project == "" {
		return nil, validation("projectIdentifier is required")
	}
	return pageOut(c, keep(d.Environments, func(e *Environment) bool { return e.ProjectID == project }),
		func(e *Environment) any { return renderEnvironment(d, e) })
}

func getEnvironment(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	for _, e := range d.Environments {
		if e.ID == c.params["identifier"] {
			out := renderEnvironment(d, e)
			out["userParameters"] = []any{map[string]any{"keyName": "vpcId", "fieldType": "String", "defaultValue": "vpc-0abc"}}
			return out, nil
		}
	}
	return nil, notFound("Environment %s not found", c.params["identifier"])
}

func renderProfile(d *Domain, p *EnvProfile) map[string]any {
	out := map[string]any{"id": p.ID, "domainId": d.ID, "name": p.Name, "environmentBlueprintId": p.BlueprintID,
		"awsAccountId": p.AccountID, "awsAccountRegion": p.Region, "createdBy": "admin", "createdAt": iso(seedTime)}
	if p.ProjectID != "" {
		out["projectId"] = p.ProjectID
	}
	return out
}

func listEnvProfiles(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	return pageOut(c, d.Profiles, func(p *EnvProfile) any { return renderProfile(d, p) })
}

func getEnvProfile(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	for _, p := range d.Profiles {
		if p.ID == c.params["identifier"] {
			out := renderProfile(d, p)
			var params []any
			for _, k := range sortedKeys(p.Parameters) {
				params = append(params, map[string]any{"keyName": k, "fieldType": "String", "defaultValue": p.Parameters[k]})
			}
			out["userParameters"] = nonNil(params)
			return out, nil
		}
	}
	return nil, notFound("EnvironmentProfile %s not found", c.params["identifier"])
}

func renderDataSource(d *Domain, s *DataSource, full bool) map[string]any {
	out := map[string]any{"domainId": d.ID, "name": s.Name, "type": s.Type, "status": s.Status,
		"environmentId": s.EnvironmentID, "lastRunStatus": s.LastRunStatus, "lastRunAt": iso(seedTime),
		"enableSetting": "ENABLED", "createdAt": iso(seedTime), "updatedAt": iso(seedTime)}
	if s.Schedule != "" {
		out["schedule"] = map[string]any{"schedule": s.Schedule, "timezone": "UTC"}
	}
	if !full {
		out["dataSourceId"] = s.ID
		return out
	}
	out["id"], out["projectId"] = s.ID, s.ProjectID
	var filters []any
	for _, db := range s.Databases {
		filters = append(filters, map[string]any{"databaseName": db, "filterExpressions": []any{map[string]any{"type": "INCLUDE", "expression": "*"}}})
	}
	if s.Type == "REDSHIFT" {
		out["configuration"] = map[string]any{"redshiftRunConfiguration": map[string]any{"relationalFilterConfigurations": nonNil(filters)}}
	} else {
		out["configuration"] = map[string]any{"glueRunConfiguration": map[string]any{"relationalFilterConfigurations": nonNil(filters), "region": "us-east-1"}}
	}
	return out
}

func listDataSources(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	project := c.query.Get("projectIdentifier")
	if project == "" {
		return nil, validation("projectIdentifier is required")
	}
	return pageOut(c, keep(d.DataSources, func(s *DataSource) bool { return s.ProjectID == project }),
		func(s *DataSource) any { return renderDataSource(d, s, false) })
}

func getDataSource(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	for _, s := range d.DataSources {
		if s.ID == c.params["identifier"] {
			return renderDataSource(d, s, true), nil
		}
	}
	return nil, notFound("DataSource %s not found", c.params["identifier"])
}

func (d *Domain) detailedTerms(ids []string) []any {
	out := []any{}
	for _, id := range ids {
		if t := d.term(id); t != nil {
			out = append(out, map[string]any{"name": t.Name, "shortDescription": t.Short})
		}
	}
	return out
}

func searchListings(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	text := strings.ToLower(c.str("searchText"))
	listings := keep(d.Listings, func(l *Listing) bool {
		return l.Status == "ACTIVE" && (text == "" || strings.Contains(strings.ToLower(l.Name), text))
	})
	return pageOut(c, listings, func(l *Listing) any {
		a := d.asset(l.AssetID)
		item := map[string]any{"listingId": l.ID, "listingRevision": strconv.Itoa(l.Revision), "name": l.Name,
			"entityId": l.AssetID, "createdAt": epoch(seedTime), "listingCreatedBy": "admin"}
		if a != nil {
			item["entityRevision"] = strconv.Itoa(a.Revisions)
			item["entityType"] = a.TypeIdentifier
			item["owningProjectId"] = a.ProjectID
			item["description"] = a.Description
			item["glossaryTerms"] = d.detailedTerms(a.GlossaryTerms)
		}
		return map[string]any{"assetListing": item}
	})
}

func getListing(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	l := d.listing(c.params["identifier"])
	if l == nil {
		return nil, notFound("Listing %s not found", c.params["identifier"])
	}
	out := map[string]any{"id": l.ID, "domainId": d.ID, "listingRevision": strconv.Itoa(l.Revision), "name": l.Name,
		"status": l.Status, "createdAt": epoch(seedTime), "createdBy": "admin", "updatedAt": epoch(seedTime)}
	if a := d.asset(l.AssetID); a != nil {
		forms := map[string]any{}
		for _, f := range a.Forms {
			var content any
			_ = json.Unmarshal([]byte(f.Content), &content)
			forms[f.Name] = content
		}
		formsJSON, _ := json.Marshal(forms)
		out["description"] = a.Description
		out["item"] = map[string]any{"assetListing": map[string]any{
			"assetId": a.ID, "assetRevision": strconv.Itoa(a.Revisions), "assetType": a.TypeIdentifier,
			"forms": string(formsJSON), "glossaryTerms": d.detailedTerms(a.GlossaryTerms), "owningProjectId": a.ProjectID,
			"createdAt": epoch(seedTime),
		}}
	}
	return out, nil
}

func renderAsset(d *Domain, a *Asset) map[string]any {
	forms := []any{}
	for _, f := range a.Forms {
		forms = append(forms, map[string]any{"formName": f.Name, "typeName": f.TypeName, "typeRevision": f.TypeRevision, "content": f.Content})
	}
	out := map[string]any{"id": a.ID, "domainId": d.ID, "name": a.Name, "owningProjectId": a.ProjectID,
		"typeIdentifier": a.TypeIdentifier, "typeRevision": "1", "revision": strconv.Itoa(a.Revisions),
		"description": a.Description, "glossaryTerms": nonNil(a.GlossaryTerms), "formsOutput": forms,
		"createdAt": epoch(seedTime), "createdBy": "admin", "firstRevisionCreatedAt": epoch(seedTime), "firstRevisionCreatedBy": "admin"}
	if a.ExternalIdentifier != "" {
		out["externalIdentifier"] = a.ExternalIdentifier
	}
	if a.ListingID != "" {
		status := "ACTIVE"
		if l := d.listing(a.ListingID); l != nil {
			status = l.Status
		}
		out["listing"] = map[string]any{"listingId": a.ListingID, "listingStatus": status}
	}
	return out
}

func getAsset(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	a := d.asset(c.params["identifier"])
	if a == nil {
		return nil, notFound("Asset %s not found", c.params["identifier"])
	}
	return renderAsset(d, a), nil
}

func listAssetRevisions(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	a := d.asset(c.params["identifier"])
	if a == nil {
		return nil, notFound("Asset %s not found", c.params["identifier"])
	}
	revs := make([]int, 0, a.Revisions)
	for r := a.Revisions; r >= 1; r-- {
		revs = append(revs, r)
	}
	return pageOut(c, revs, func(r int) any {
		return map[string]any{"id": a.ID, "domainId": d.ID, "revision": strconv.Itoa(r), "createdBy": "admin",
			"createdAt": epoch(seedTime.Add(timeDays(r)))}
	})
}

func getFormType(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	t := d.FormTypes[c.params["formTypeIdentifier"]]
	if t == nil {
		return nil, notFound("FormType %s not found", c.params["formTypeIdentifier"])
	}
	out := map[string]any{"domainId": d.ID, "name": t.Name, "revision": t.Revision, "model": map[string]any{"smithy": t.Smithy},
		"status": "ENABLED", "createdAt": epoch(seedTime), "createdBy": "admin"}
	if t.ProjectID != "" {
		out["owningProjectId"] = t.ProjectID
	}
	return out, nil
}

func renderGlossary(d *Domain, g *Glossary) map[string]any {
	return map[string]any{"id": g.ID, "domainId": d.ID, "name": g.Name, "owningProjectId": g.ProjectID,
		"description": g.Description, "status": "ENABLED", "createdAt": epoch(seedTime), "createdBy": "admin"}
}

func getGlossary(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	g := d.glossary(c.params["identifier"])
	if g == nil {
		return nil, notFound("Glossary %s not found", c.params["identifier"])
	}
	return renderGlossary(d, g), nil
}

func renderTerm(d *Domain, t *Term) map[string]any {
	out := map[string]any{"id": t.ID, "domainId": d.ID, "glossaryId": t.GlossaryID, "name": t.Name,
		"shortDescription": t.Short, "longDescription": t.Long, "status": "ENABLED", "createdAt": epoch(seedTime), "createdBy": "admin"}
	if len(t.IsA)+len(t.Classifies) > 0 {
		out["termRelations"] = map[string]any{"isA": nonNil(t.IsA), "classifies": nonNil(t.Classifies)}
	}
	return out
}

func getGlossaryTerm(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	t := d.term(c.params["identifier"])
	if t == nil {
		return nil, notFound("GlossaryTerm %s not found", c.params["identifier"])
	}
	return renderTerm(d, t), nil
}

// search serves the inventory search (datazone:Search): every asset,
// glossary or glossary term of the domain, listed or not.
func search(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	text := strings.ToLower(c.str("searchText"))
	matches := func(name string) bool { return text == "" || strings.Contains(strings.ToLower(name), text) }
	var items []any
	switch scope := c.str("searchScope"); scope {
	case "ASSET":
		for _, a := range d.Assets {
			if matches(a.Name) {
				r := renderAsset(d, a)
				r["identifier"] = a.ID
				delete(r, "id")
				for _, k := range []string{"formsOutput", "revision", "listing"} {
					delete(r, k)
				}
				items = append(items, map[string]any{"assetItem": r})
			}
		}
	case "GLOSSARY":
		for _, g := range d.Glossaries {
			if matches(g.Name) {
				items = append(items, map[string]any{"glossaryItem": renderGlossary(d, g)})
			}
		}
	case "GLOSSARY_TERM":
		for _, t := range d.Terms {
			if matches(t.Name) {
				items = append(items, map[string]any{"glossaryTermItem": renderTerm(d, t)})
			}
		}
	case "DATA_PRODUCT":
	default:
		return nil, validation("searchScope %q is not one of ASSET, GLOSSARY, GLOSSARY_TERM, DATA_PRODUCT", scope)
	}
	return pageOut(c, items, func(v any) any { return v })
}

func getLineageNode(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	a := d.asset(c.params["identifier"])
	if a == nil {
		return nil, notFound("LineageNode %s not found", c.params["identifier"])
	}
	var up, down []any
	for _, id := range d.Lineage[a.ID] {
		up = append(up, map[string]any{"id": id, "eventTimestamp": epoch(seedTime)})
	}
	for _, from := range slices.Sorted(maps.Keys(d.Lineage)) {
		if slices.Contains(d.Lineage[from], a.ID) {
			down = append(down, map[string]any{"id": from, "eventTimestamp": epoch(seedTime)})
		}
	}
	return map[string]any{"id": a.ID, "domainId": d.ID, "name": a.Name, "typeName": "amazon.datazone.GlueTableAssetType",
		"sourceIdentifier": a.ExternalIdentifier, "upstreamNodes": nonNil(up), "downstreamNodes": nonNil(down), "createdAt": epoch(seedTime)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
