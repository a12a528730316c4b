package datazonefake

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func timeDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// newID makes a DataZone-looking id, unique within the estate.
func (c *call) newID(prefix string) string {
	n := 0
	for _, d := range c.estate.Domains {
		n += len(d.Assets) + len(d.DataSources) + len(d.Listings)
	}
	return fmt.Sprintf("%s%06dw%d", prefix, n, len(c.f.requests))
}

func (c *call) formsInput() []Form {
	raw, _ := c.in["formsInput"].([]any)
	var out []Form
	for _, v := range raw {
		m, _ := v.(map[string]any)
		str := func(k string) string { s, _ := m[k].(string); return s }
		out = append(out, Form{Name: str("formName"), TypeName: str("typeIdentifier"), TypeRevision: str("typeRevision"), Content: str("content")})
	}
	return out
}

func createAsset(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	name, project, typ := c.str("name"), c.str("owningProjectIdentifier"), c.str("typeIdentifier")
	if name == "" || project == "" || typ == "" {
		return nil, validation("name, owningProjectIdentifier and typeIdentifier are required")
	}
	if d.project(project) == nil {
		return nil, notFound("Project %s not found", project)
	}
	for _, a := range d.Assets {
		if a.ProjectID == project && a.Name == name {
			return nil, &Fault{Code: "ConflictException", Message: "an asset named " + name + " already exists in the project"}
		}
	}
	a := &Asset{ID: c.newID("a"), Name: name, ProjectID: project, TypeIdentifier: typ, Description: c.str("description"),
		ExternalIdentifier: c.str("externalIdentifier"), GlossaryTerms: c.strs("glossaryTerms"), Forms: c.formsInput(), Revisions: 1}
	d.Assets = append(d.Assets, a)
	return renderAsset(d, a), nil
}

func createAssetRevision(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	a := d.asset(c.params["identifier"])
	if a == nil {
		return nil, notFound("Asset %s not found", c.params["identifier"])
	}
	if c.str("name") == "" {
		return nil, validation("name is required")
	}
	a.Name, a.Revisions = c.str("name"), a.Revisions+1
	if _, ok := c.in["description"]; ok {
		a.Description = c.str("description")
	}
	if _, ok := c.in["glossaryTerms"]; ok {
		a.GlossaryTerms = c.strs("glossaryTerms")
	}
	if f := c.formsInput(); f != nil {
		a.Forms = f
	}
	return renderAsset(d, a), nil
}

func deleteAsset(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	if d.asset(c.params["identifier"]) == nil {
		return nil, notFound("Asset %s not found", c.params["identifier"])
	}
	d.RemoveAsset(c.params["identifier"])
	return nil, nil
}

// createListingChangeSet publishes (PUBLISH) or unpublishes (UNPUBLISH) an
// asset: DataZone's real API for what the vendor guide calls
// CreateListing/DeleteListing.
func createListingChangeSet(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	if c.str("entityType") != "ASSET" {
		return nil, validation("entityType must be ASSET")
	}
	a := d.asset(c.str("entityIdentifier"))
	if a == nil {
		return nil, notFound("Asset %s not found", c.str("entityIdentifier"))
	}
	l := d.listing(a.ListingID)
	switch c.str("action") {
	case "PUBLISH":
		if l == nil {
			l = &Listing{ID: c.newID("l"), AssetID: a.ID, Name: a.Name}
			d.Listings = append(d.Listings, l)
			a.ListingID = l.ID
		}
		l.Name, l.Status, l.Revision = a.Name, "ACTIVE", l.Revision+1
	case "UNPUBLISH":
		if l == nil {
			return nil, &Fault{Code: "ConflictException", Message: "asset is not published"}
		}
		l.Status, l.Revision = "INACTIVE", l.Revision+1
	default:
		return nil, validation("action must be PUBLISH or UNPUBLISH")
	}
	return map[string]any{"listingId": l.ID, "listingRevision": strconv.Itoa(l.Revision), "status": l.Status}, nil
}

func createDataSource(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	name, project, typ := c.str("name"), c.str("projectIdentifier"), c.str("type")
	if name == "" || project == "" || typ == "" {
		return nil, validation("name, projectIdentifier and type are required")
	}
	if d.project(project) == nil {
		return nil, notFound("Project %s not found", project)
	}
	s := &DataSource{ID: c.newID("ds"), Name: name, ProjectID: project, EnvironmentID: c.str("environmentIdentifier"),
		Type: typ, Status: "READY", LastRunStatus: "SUCCESS"}
	s.Schedule = scheduleOf(c.in)
	s.Databases = databasesOf(c.in)
	d.DataSources = append(d.DataSources, s)
	return renderDataSource(d, s, true), nil
}

func updateDataSource(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	for _, s := range d.DataSources {
		if s.ID == c.params["identifier"] {
			if n := c.str("name"); n != "" {
				s.Name = n
			}
			if sc := scheduleOf(c.in); sc != "" {
				s.Schedule = sc
			}
			if dbs := databasesOf(c.in); dbs != nil {
				s.Databases = dbs
			}
			return renderDataSource(d, s, true), nil
		}
	}
	return nil, notFound("DataSource %s not found", c.params["identifier"])
}

func deleteDataSource(c *call) (any, *Fault) {
	d, ft := c.domain("domainIdentifier")
	if ft != nil {
		return nil, ft
	}
	i := slices.IndexFunc(d.DataSources, func(s *DataSource) bool { return s.ID == c.params["identifier"] })
	if i < 0 {
		return nil, notFound("DataSource %s not found", c.params["identifier"])
	}
	s := d.DataSources[i]
	d.DataSources = slices.Delete(d.DataSources, i, i+1)
	out := renderDataSource(d, s, true)
	out["status"] = "DELETING"
	return out, nil
}

func scheduleOf(in map[string]any) string {
	s, _ := in["schedule"].(map[string]any)
	v, _ := s["schedule"].(string)
	return v
}

// databasesOf reads configuration.glueRunConfiguration (or redshift's)
// relationalFilterConfigurations[].databaseName; nil when absent.
func databasesOf(in map[string]any) []string {
	cfg, _ := in["configuration"].(map[string]any)
	if cfg == nil {
		return nil
	}
	raw, _ := json.Marshal(cfg)
	var parsed map[string]struct {
		RelationalFilterConfigurations []struct {
			DatabaseName string `json:"databaseName"`
		} `json:"relationalFilterConfigurations"`
	}
	_ = json.Unmarshal(raw, &parsed)
	out := []string{}
	for _, rc := range parsed {
		for _, f := range rc.RelationalFilterConfigurations {
			out = append(out, f.DatabaseName)
		}
	}
	return out
}
