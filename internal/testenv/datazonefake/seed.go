package datazonefake

import (
	"fmt"
	"strconv"
)

// The seeded estate's shape, for tests to assert on.
const (
	SeedDomains           = 3
	SeedProjectsPerDomain = 12
	SeedAssetsPerProject  = 8
	// Every fourth asset (index 3 of each project's 8... see Seed) is not
	// published: only datazone:Search finds it.
	SeedUnlistedPerProject = 2
	SeedProfilesPerDomain  = 2
	SeedEnvsPerProject     = 1
	SeedSourcesPerProject  = 1
	// Glossaries and terms: "Business Terms" (domain 0, owned by its first
	// project) has 5 terms, 3 referenced by listed assets or projects, one
	// reached only through a relation (isA) and one referenced by nothing;
	// "Glossaire Métier" (domain 1) has 3 terms referenced by nothing, so
	// only datazone:Search finds it.
	SeedGlossaries         = 2
	SeedTerms              = 8
	SeedReachableTerms     = 4 // without Search
	SeedReachableGlossarys = 1 // without Search
)

// Form type names of the seeded assets.
const (
	FormGlueTable = "amazon.datazone.GlueTableFormType"
	FormBusiness  = "acme.BusinessMetadataFormType"
	FormCommon    = "amazon.datazone.AssetCommonDetailsFormType"
)

// Seed returns a realistic estate for account: three domains (one with a
// unicode name), twelve projects each, eight assets per project with three
// forms (Glue table, business metadata, common details), six of them
// published, the same asset names in every project and two assets named
// "customers" in each first project, environment profiles, environments,
// data sources, and two glossaries with related terms.
func Seed(account string) *Estate {
	e := &Estate{}
	domainNames := []string{"Sales Analytics", "Finance", "Données Clients — 顧客"}
	tableNames := []string{"orders", "customers", "invoices", "returns", "shipments", "ledger", "événements", "customers"}
	for di, dn := range domainNames {
		d := &Domain{ID: fmt.Sprintf("dzd_%04d", di+1), Name: dn, Description: dn + " governance domain", Status: "AVAILABLE",
			Created: seedTime.AddDate(0, 0, di), FormTypes: map[string]*FormType{}, Lineage: map[string][]string{}}
		d.FormTypes[FormGlueTable] = &FormType{Name: FormGlueTable, Revision: "3", Smithy: "structure GlueTableFormType { tableArn: String, tableName: String, catalogId: String, columns: ColumnList }"}
		d.FormTypes[FormBusiness] = &FormType{Name: FormBusiness, Revision: "1", Smithy: "structure BusinessMetadataFormType { owner: String, sensitivity: String, costCenter: Integer }", ProjectID: ""}
		d.FormTypes[FormCommon] = &FormType{Name: FormCommon, Revision: "1", Smithy: "structure AssetCommonDetailsFormType { customProperties: Map }"}
		for pi := range SeedProfilesPerDomain {
			d.Profiles = append(d.Profiles, &EnvProfile{ID: fmt.Sprintf("ep%d%02d", di, pi), Name: []string{"Data Lake", "Data Warehouse"}[pi],
				BlueprintID: []string{"bp_lake", "bp_dwh"}[pi], AccountID: account, Region: "us-east-1",
				Parameters: map[string]string{"glueDbName": "lake_" + strconv.Itoa(di), "workgroupName": "wg" + strconv.Itoa(pi)}})
		}
		for pi := range SeedProjectsPerDomain {
			p := &Project{ID: fmt.Sprintf("prj%d%02d", di, pi), Name: fmt.Sprintf("Team %02d", pi), Description: "project " + strconv.Itoa(pi), CreatedBy: "user-" + strconv.Itoa(pi)}
			if pi == 5 {
				p.Name = "Équipe Ünicode ✓"
			}
			if pi == 6 {
				p.Name = "team.dotted"
			}
			d.Projects = append(d.Projects, p)
			env := &Environment{ID: fmt.Sprintf("env%d%02d", di, pi), Name: "lake-env", ProjectID: p.ID, ProfileID: d.Profiles[0].ID,
				Provider: "Amazon DataZone", AccountID: account, Region: "us-east-1"}
			d.Environments = append(d.Environments, env)
			d.DataSources = append(d.DataSources, &DataSource{ID: fmt.Sprintf("ds%d%02d", di, pi), Name: "glue-import", ProjectID: p.ID,
				EnvironmentID: env.ID, Type: "GLUE", Schedule: "cron(0 2 * * ? *)", LastRunStatus: "SUCCESS", Status: "READY",
				Databases: []string{"lake_" + strconv.Itoa(di)}})
			for ai, tn := range tableNames {
				a := &Asset{ID: fmt.Sprintf("a%d%02d%d", di, pi, ai), Name: tn, ProjectID: p.ID, TypeIdentifier: "amazon.datazone.GlueTableAssetType",
					Description: tn + " of " + p.Name, Revisions: 1 + ai%3}
				if ai == 7 && pi != 0 {
					// Only first projects hold two "customers" assets.
					a.Name = "customers_v2"
				}
				tableARN := fmt.Sprintf("arn:aws:glue:us-east-1:%s:table/lake_%d/%s", account, di, tn)
				a.ExternalIdentifier = tableARN
				a.Forms = []Form{
					{Name: "GlueTableForm", TypeName: FormGlueTable, TypeRevision: "3", Content: fmt.Sprintf(`{"tableArn":%q,"tableName":%q,"catalogId":%q}`, tableARN, tn, account)},
					{Name: "BusinessMetadata", TypeName: FormBusiness, TypeRevision: "1", Content: fmt.Sprintf(`{"owner":"team-%02d","sensitivity":%q,"costCenter":%d}`, pi, []string{"public", "internal", "confidential"}[ai%3], 100+pi)},
					{Name: "AssetCommonDetailsForm", TypeName: FormCommon, TypeRevision: "1", Content: `{"customProperties":{"tier":"gold"}}`},
				}
				if ai != 3 && ai != 5 {
					l := &Listing{ID: "l" + a.ID[1:], AssetID: a.ID, Name: a.Name, Status: "ACTIVE", Revision: 1}
					a.ListingID = l.ID
					d.Listings = append(d.Listings, l)
				}
				d.Assets = append(d.Assets, a)
			}
			d.Lineage[fmt.Sprintf("a%d%02d%d", di, pi, 1)] = []string{fmt.Sprintf("a%d%02d%d", di, pi, 0)}
		}
		e.Domains = append(e.Domains, d)
	}
	// Glossaries.
	d0, d1 := e.Domains[0], e.Domains[1]
	d0.Glossaries = append(d0.Glossaries, &Glossary{ID: "gl0", Name: "Business Terms", ProjectID: d0.Projects[0].ID, Description: "company vocabulary"})
	d0.Terms = append(d0.Terms,
		&Term{ID: "t-rev", GlossaryID: "gl0", Name: "Revenue", Short: "money in", Long: "Recognised revenue, net of returns.", IsA: []string{"t-kpi"}},
		&Term{ID: "t-kpi", GlossaryID: "gl0", Name: "KPI", Short: "key performance indicator", Classifies: []string{"t-rev"}},
		&Term{ID: "t-cust", GlossaryID: "gl0", Name: "Customer", Short: "who buys", Long: "A party with at least one order."},
		&Term{ID: "t-pii", GlossaryID: "gl0", Name: "PII", Short: "personal data"},
		&Term{ID: "t-orphan", GlossaryID: "gl0", Name: "Churn", Short: "customers lost"},
	)
	d0.Projects[0].GlossaryTerms = []string{"t-cust"}
	for _, a := range d0.Assets {
		switch a.Name {
		case "orders":
			a.GlossaryTerms = []string{"t-rev"}
		case "customers":
			if a.ListingID != "" {
				a.GlossaryTerms = []string{"t-pii", "t-cust"}
			}
		}
	}
	d1.Glossaries = append(d1.Glossaries, &Glossary{ID: "gl1", Name: "Glossaire Métier", ProjectID: d1.Projects[1].ID, Description: "vocabulaire"})
	d1.Terms = append(d1.Terms,
		&Term{ID: "t-fact", GlossaryID: "gl1", Name: "Facture", Short: "invoice", Classifies: []string{"t-avoir"}},
		&Term{ID: "t-avoir", GlossaryID: "gl1", Name: "Avoir", Short: "credit note", IsA: []string{"t-fact"}},
		&Term{ID: "t-tva", GlossaryID: "gl1", Name: "TVA", Short: "taxe sur la valeur ajoutée"},
	)
	return e
}
