package catalog

// declareDataZone declares the DataZone kinds with the attributes
// internal/source/datazone emits (and the MCP write tools and the
// DataZone ↔ Glue link write).
func declareDataZone() {
	id := Field{"id", String, "DataZone identifier"}
	createdBy := Field{"createdBy", String, "DataZone user who created it"}
	terms := Field{"glossaryTerms", List, "ids of the glossary terms attached"}
	declare(KindSpec{Kind: KindDomain, Title: "DataZone domain", Parents: []Kind{KindService}, Searchable: true, Fields: []Field{
		id,
		{"status", String, "AVAILABLE, CREATING, DELETING..."},
		{"arn", String, "domain ARN"},
		{"portalUrl", String, "URL of the domain's data portal"},
		{"managedAccountId", String, "account that manages the domain"},
		{"domainVersion", String, "V1 or V2 (SageMaker Unified Studio)"},
		{"domainExecutionRole", String, "IAM role DataZone acts as"},
		{"rootDomainUnitId", String, "root domain unit"},
		{"coverage", String, "what the scan could enumerate: listings (the vendor guide's ReadOnly role: published assets, referenced glossaries) or inventory (datazone:Search allowed: every asset and glossary)"},
	}})
	declare(KindSpec{Kind: KindProject, Title: "DataZone project", Parents: []Kind{KindDomain}, Searchable: true, Fields: []Field{
		id, createdBy, terms,
		{"status", String, "ACTIVE, DELETING..."},
		{"domainUnitId", String, "domain unit the project belongs to"},
		{"projectProfileId", String, "project profile (V2 domains)"},
	}})
	declare(KindSpec{Kind: KindEnvironment, Title: "DataZone environment", Parents: []Kind{KindProject}, Searchable: true, Fields: []Field{
		id, terms,
		{"status", String, "ACTIVE, CREATING..."},
		{"provider", String, "environment provider"},
		{"awsAccountId", String, "account the environment's resources live in"},
		{"awsAccountRegion", String, "region of the environment's resources"},
		{"environmentProfileId", String, "profile it was created from"},
		{"environmentBlueprintId", String, "blueprint it was created from"},
		{"parameters", Object, "user parameters: name -> value"},
	}})
	declare(KindSpec{Kind: KindEnvProfile, Title: "DataZone environment profile", Parents: []Kind{KindDomain}, Searchable: true, Fields: []Field{
		id,
		{"environmentBlueprintId", String, "blueprint"},
		{"awsAccountId", String, "target account"},
		{"awsAccountRegion", String, "target region"},
		{"projectId", String, "project the profile is scoped to, if any"},
		{"parameters", Object, "user parameters: name -> default value"},
	}})
	declare(KindSpec{Kind: KindDataSource, Title: "DataZone data source", Parents: []Kind{KindProject}, Searchable: true, Fields: []Field{
		id,
		{"status", String, "READY, RUNNING, FAILED..."},
		{"type", String, "GLUE or REDSHIFT"},
		{"environmentId", String, "environment the data source runs in"},
		{"lastRunStatus", String, "outcome of the last run"},
		{"lastRunAt", Time, "time of the last run"},
		{"enableSetting", String, "ENABLED or DISABLED"},
		{"schedule", String, "cron expression of scheduled runs"},
		{"timezone", String, "timezone of the schedule"},
		{"configuration", Object, "engine, region, dataAccessRole and the databases imported: {engine, databases: [{database, schema, filters}]}"},
	}})
	declare(KindSpec{Kind: KindAsset, Title: "DataZone asset", Parents: []Kind{KindProject}, Searchable: true, Fields: []Field{
		id, createdBy, terms,
		{"governedGlossaryTerms", List, "ids of the governed glossary terms attached"},
		{"listed", Bool, "true when the asset is published in the domain's catalog"},
		{"listingId", String, "its listing, when published"},
		{"status", String, "listing status, when published"},
		{"typeIdentifier", String, "asset type, e.g. amazon.datazone.GlueTableAssetType"},
		{"typeRevision", String, "asset type revision"},
		{"revision", String, "current revision"},
		{"owningProjectId", String, "owning project"},
		{"externalIdentifier", String, "technical identifier, e.g. a Glue table ARN"},
		{"forms", Object, "business metadata: form name -> {type, typeRevision, content, fields: [{name, type}]}"},
		{"revisions", List, "revisions: [{revision, createdAt, createdBy}]"},
		{"revisionCount", Int, "number of revisions"},
		{"glueTableArn", String, "ARN of the Glue table the asset describes"},
		{"glueTable", String, "FQN of that table when a Glue connection of the same account catalogues it"},
		{"lineageNode", Object, "DataZone lineage node, when the role may read it: {id, sourceIdentifier, typeName, upstream: [node ids], downstream: [node ids]}; lineage edges to the catalogued assets are derived from it"},
	}})
	declare(KindSpec{Kind: KindListing, Title: "DataZone listing", Parents: []Kind{KindDomain}, Searchable: true, Fields: []Field{
		id, createdBy,
		{"status", String, "ACTIVE, CREATING, INACTIVE"},
		{"listingRevision", String, "listing revision"},
		{"assetId", String, "the published asset's id"},
		{"assetFqn", String, "the published asset's FQN"},
		{"assetType", String, "asset type"},
		{"assetRevision", String, "asset revision published"},
		{"owningProjectId", String, "owning project"},
		{"glossaryTerms", List, "glossary terms of the listing: [{name, shortDescription}]"},
	}})
	declare(KindSpec{Kind: KindGlossary, Title: "DataZone glossary", Parents: []Kind{KindProject}, Searchable: true, Fields: []Field{
		id, createdBy,
		{"status", String, "ENABLED or DISABLED"},
		{"owningProjectId", String, "owning project"},
	}})
	declare(KindSpec{Kind: KindGlossaryTerm, Title: "DataZone glossary term", Parents: []Kind{KindGlossary}, Searchable: true, Fields: []Field{
		id, createdBy,
		{"status", String, "ENABLED or DISABLED"},
		{"glossaryId", String, "glossary"},
		{"shortDescription", String, "short description"},
		{"longDescription", String, "long description"},
		{"isA", List, "FQNs of broader terms"},
		{"classifies", List, "FQNs of the terms it classifies"},
	}})
}
