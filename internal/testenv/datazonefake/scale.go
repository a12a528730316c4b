package datazonefake

import (
	"fmt"
)

// Scale is the shape of a big synthetic estate (SeedScale).
type Scale struct {
	Domains, ProjectsPerDomain, Assets int
}

// ScaleFormTypes is how many form types each scaled asset uses.
const ScaleFormTypes = 3

// SeedScale returns an estate of s.Assets published assets spread evenly
// over s.Domains domains of s.ProjectsPerDomain projects, for benchmarks:
// each project with one environment and one data source, each domain one
// environment profile, each asset three forms, one revision and a Glue
// table ARN. Every 100th asset of a project repeats the name of the one
// before it, so that the FQN rule's collisions are exercised at scale.
func SeedScale(account string, s Scale) *Estate {
	e := &Estate{}
	perDomain := s.Assets / max(s.Domains, 1)
	for di := range s.Domains {
		d := &Domain{ID: fmt.Sprintf("dzd_s%03d", di), Name: fmt.Sprintf("Domain %d", di), Status: "AVAILABLE", Created: seedTime,
			FormTypes: map[string]*FormType{}, Lineage: map[string][]string{}}
		d.FormTypes[FormGlueTable] = &FormType{Name: FormGlueTable, Revision: "3", Smithy: "structure GlueTableFormType { tableArn: String, tableName: String }"}
		d.FormTypes[FormBusiness] = &FormType{Name: FormBusiness, Revision: "1", Smithy: "structure BusinessMetadataFormType { owner: String, sensitivity: String }"}
		d.FormTypes[FormCommon] = &FormType{Name: FormCommon, Revision: "1", Smithy: "structure AssetCommonDetailsFormType { customProperties: Map }"}
		d.Profiles = []*EnvProfile{{ID: fmt.Sprintf("eps%d", di), Name: "Data Lake", BlueprintID: "bp_lake", AccountID: account, Region: "us-east-1"}}
		for pi := range s.ProjectsPerDomain {
			p := &Project{ID: fmt.Sprintf("prjs%d_%03d", di, pi), Name: fmt.Sprintf("Project %03d", pi), CreatedBy: "admin"}
			d.Projects = append(d.Projects, p)
			env := &Environment{ID: "env" + p.ID, Name: "lake-env", ProjectID: p.ID, ProfileID: d.Profiles[0].ID, Provider: "Amazon DataZone", AccountID: account, Region: "us-east-1"}
			d.Environments = append(d.Environments, env)
			d.DataSources = append(d.DataSources, &DataSource{ID: "ds" + p.ID, Name: "glue-import", ProjectID: p.ID, EnvironmentID: env.ID,
				Type: "GLUE", Status: "READY", Databases: []string{fmt.Sprintf("db_%d_%d", di, pi)}})
		}
		for ai := range perDomain {
			p := d.Projects[ai%max(len(d.Projects), 1)]
			n := ai / max(len(d.Projects), 1)
			if n%100 == 99 {
				n--
			}
			name := fmt.Sprintf("table_%06d", n)
			arn := fmt.Sprintf("arn:aws:glue:us-east-1:%s:table/db_%d_%d/%s", account, di, ai%max(len(d.Projects), 1), name)
			a := &Asset{ID: fmt.Sprintf("as%d_%07d", di, ai), Name: name, ProjectID: p.ID, TypeIdentifier: "amazon.datazone.GlueTableAssetType",
				Description: "synthetic asset", Revisions: 1, ExternalIdentifier: arn,
				Forms: []Form{
					{Name: "GlueTableForm", TypeName: FormGlueTable, TypeRevision: "3", Content: fmt.Sprintf(`{"tableArn":%q,"tableName":%q}`, arn, name)},
					{Name: "BusinessMetadata", TypeName: FormBusiness, TypeRevision: "1", Content: `{"owner":"data-team","sensitivity":"internal"}`},
					{Name: "AssetCommonDetailsForm", TypeName: FormCommon, TypeRevision: "1", Content: `{"customProperties":{"tier":"gold"}}`},
				}}
			l := &Listing{ID: "l" + a.ID, AssetID: a.ID, Name: a.Name, Status: "ACTIVE", Revision: 1}
			a.ListingID = l.ID
			d.Assets = append(d.Assets, a)
			d.Listings = append(d.Listings, l)
		}
		e.Domains = append(e.Domains, d)
	}
	return e
}
