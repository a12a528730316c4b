// Package datazonefake is a test double for Amazon DataZone, which moto
// lacks. It speaks DataZone's REST-JSON protocol as the Go SDK
// (service/datazone) sends and parses it: the paths, methods, query
// parameters, JSON shapes, epoch-second timestamps and error shapes
// (X-Amzn-ErrorType header, {"message"} body, 403/404/409/429/400) of the
// SDK's serializers and deserializers.
//
// Requests signed for another service (sts) are relayed to an upstream —
// moto — so that a whole session, AssumeRole included, can use the fake as
// its endPointURL. DataZone requests must be signed with assumed-role
// credentials (an ASIA key with a session token, never one of the base
// keys); the account is the one moto encoded in the key, and each account
// has its own estate.
//
// It is test support: only _test.go files may import it.
package datazonefake

import "time"

// Estate is one account's DataZone data. Slices keep DataZone's listing
// order; tests may edit the estate between scans under Fake.Edit.
type Estate struct {
	Domains []*Domain
}

// Domain is a DataZone domain and everything in it.
type Domain struct {
	ID, Name, Description, Status string
	Created                       time.Time
	Projects                      []*Project
	Profiles                      []*EnvProfile
	Environments                  []*Environment
	DataSources                   []*DataSource
	Assets                        []*Asset
	Listings                      []*Listing
	FormTypes                     map[string]*FormType
	Glossaries                    []*Glossary
	Terms                         []*Term
	// Lineage maps a lineage node id (an asset id) to its upstream node ids.
	Lineage map[string][]string

	assetIdx, listingIdx map[string]int // see lookup
}

// Project is a DataZone project.
type Project struct {
	ID, Name, Description, CreatedBy string
	GlossaryTerms                    []string
}

// Environment belongs to a project.
type Environment struct {
	ID, Name, ProjectID, ProfileID, Provider, AccountID, Region string
}

// EnvProfile is a domain's environment profile, optionally project-scoped.
type EnvProfile struct {
	ID, Name, ProjectID, BlueprintID, AccountID, Region string
	Parameters                                          map[string]string
}

// DataSource imports assets into a project.
type DataSource struct {
	ID, Name, ProjectID, EnvironmentID, Type, Schedule, LastRunStatus, Status string
	Databases                                                                 []string
}

// Form is one metadata form of an asset.
type Form struct {
	Name, TypeName, TypeRevision, Content string
}

// Asset is an inventory asset; ListingID is "" when it is not published.
type Asset struct {
	ID, Name, ProjectID, TypeIdentifier, ExternalIdentifier, Description string
	GlossaryTerms                                                        []string
	Forms                                                                []Form
	Revisions                                                            int
	ListingID                                                            string
}

// Listing publishes an asset in the domain's catalog.
type Listing struct {
	ID, AssetID, Name, Status string
	Revision                  int
}

// FormType names the fields of a form (its Smithy model).
type FormType struct {
	Name, Revision, Smithy, ProjectID string
}

// Glossary is owned by a project.
type Glossary struct {
	ID, Name, ProjectID, Description string
}

// Term belongs to a glossary; IsA and Classifies hold term ids.
type Term struct {
	ID, GlossaryID, Name, Short, Long string
	IsA, Classifies                   []string
}

// epoch is how most DataZone shapes carry timestamps (restJson1's default).
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// iso is how the shapes the model marks timestampFormat "date-time"
// (projects, environments, environment profiles, data sources) carry them.
func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

var seedTime = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

func (d *Domain) project(id string) *Project {
	for _, p := range d.Projects {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (d *Domain) asset(id string) *Asset {
	i := lookup(&d.assetIdx, d.Assets, id, func(a *Asset) string { return a.ID })
	if i < 0 {
		return nil
	}
	return d.Assets[i]
}

func (d *Domain) listing(id string) *Listing {
	i := lookup(&d.listingIdx, d.Listings, id, func(l *Listing) string { return l.ID })
	if i < 0 {
		return nil
	}
	return d.Listings[i]
}

// lookup finds id in items through *idx (id -> position), rebuilt when it
// no longer matches: tests edit the slices directly, and a linear search
// per call would make a scan of 50,000 assets quadratic.
func lookup[T any](idx *map[string]int, items []T, id string, idOf func(T) string) int {
	if i, ok := (*idx)[id]; ok && i < len(items) && idOf(items[i]) == id {
		return i
	}
	m := make(map[string]int, len(items))
	for i, it := range items {
		m[idOf(it)] = i
	}
	*idx = m
	if i, ok := m[id]; ok {
		return i
	}
	return -1
}

func (d *Domain) term(id string) *Term {
	for _, t := range d.Terms {
		if t.ID == id {
			return t
		}
	}
	return nil
}

func (d *Domain) glossary(id string) *Glossary {
	for _, g := range d.Glossaries {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// RemoveAsset deletes an asset and its listing, as DeleteAsset does.
func (d *Domain) RemoveAsset(id string) {
	for i, a := range d.Assets {
		if a.ID == id {
			d.Assets = append(d.Assets[:i:i], d.Assets[i+1:]...)
			break
		}
	}
	for i, l := range d.Listings {
		if l.AssetID == id {
			d.Listings = append(d.Listings[:i:i], d.Listings[i+1:]...)
			break
		}
	}
}

// RemoveProject deletes a project with its environments, data sources and
// assets.
func (d *Domain) RemoveProject(id string) {
	for i, p := range d.Projects {
		if p.ID == id {
			d.Projects = append(d.Projects[:i:i], d.Projects[i+1:]...)
			break
		}
	}
	var assets []string
	for _, a := range d.Assets {
		if a.ProjectID == id {
			assets = append(assets, a.ID)
		}
	}
	for _, a := range assets {
		d.RemoveAsset(a)
	}
	d.Environments = keep(d.Environments, func(e *Environment) bool { return e.ProjectID != id })
	d.DataSources = keep(d.DataSources, func(s *DataSource) bool { return s.ProjectID != id })
}

func keep[T any](in []T, f func(T) bool) []T {
	var out []T
	for _, v := range in {
		if f(v) {
			out = append(out, v)
		}
	}
	return out
}
