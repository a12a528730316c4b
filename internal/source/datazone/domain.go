package datazone

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// domainRun is the state of one domain's scan.
type domainRun struct {
	s         *Scanner
	sink      source.Sink
	id, fqn   string
	search    bool
	projects  map[string]string // project id -> FQN
	mu        sync.Mutex
	termIDs   map[string]bool // glossary terms referenced by projects and assets
	formTypes map[string]*formTypeInfo
}

func (s *Scanner) scanDomain(ctx context.Context, sink source.Sink, serviceFQN, part string, sum types.DomainSummary) error {
	id := aws.ToString(sum.Id)
	r := &domainRun{s: s, sink: sink, id: id, fqn: catalog.Child(serviceFQN, part), projects: map[string]string{},
		termIDs: map[string]bool{}, formTypes: map[string]*formTypeInfo{}}
	r.search = s.searchAllowed(ctx, id)
	attrs := map[string]any{"id": id, "status": string(sum.Status)}
	setStr(attrs, "arn", aws.ToString(sum.Arn))
	setStr(attrs, "portalUrl", aws.ToString(sum.PortalUrl))
	setStr(attrs, "managedAccountId", aws.ToString(sum.ManagedAccountId))
	setStr(attrs, "domainVersion", string(sum.DomainVersion))
	attrs["coverage"] = CoverageListings
	if r.search {
		attrs["coverage"] = CoverageInventory
	}
	desc := aws.ToString(sum.Description)
	if d, err := s.Client.GetDomain(ctx, &dz.GetDomainInput{Identifier: sum.Id}); err != nil {
		if err := warn(ctx, sink, err, fmtErr("reading DataZone domain %q", aws.ToString(sum.Name))); err != nil {
			return err
		}
	} else {
		desc = aws.ToString(d.Description)
		setStr(attrs, "domainExecutionRole", aws.ToString(d.DomainExecutionRole))
		setStr(attrs, "rootDomainUnitId", aws.ToString(d.RootDomainUnitId))
	}
	e := entity(catalog.KindDomain, s.ServiceName, serviceFQN, part, aws.ToString(sum.Name), desc, attrs)
	e.SourceCreated, e.SourceUpdated = utc(sum.CreatedAt), utc(sum.LastUpdatedAt)
	if err := sink.Emit(ctx, e); err != nil {
		return err
	}

	projects, listed, err := r.listProjects(ctx)
	if err != nil {
		return err
	}
	if err := r.scanProfiles(ctx); err != nil {
		return err
	}
	if err := forEach(ctx, s.Config.ItemThreads, projects, r.scanProject); err != nil {
		return err
	}
	if err := s.complete(ctx, sink, listed, r.fqn, catalog.KindProject); err != nil {
		return err
	}
	sink.Progress(catalog.KindProject, len(projects))
	if !listed {
		// Assets and glossaries hang off projects: without the full list
		// of projects, they cannot all be placed.
		return nil
	}
	if err := r.scanAssets(ctx); err != nil {
		return err
	}
	return r.scanGlossaries(ctx)
}

// listProjects lists every project, emits it (with GetProject's details)
// and records its FQN; listed is false when the listing failed.
func (r *domainRun) listProjects(ctx context.Context) ([]types.ProjectSummary, bool, error) {
	var all []types.ProjectSummary
	pages := dz.NewListProjectsPaginator(r.s.Client, &dz.ListProjectsInput{DomainIdentifier: aws.String(r.id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, false, warn(ctx, r.sink, err, fmtErr("listing DataZone projects of domain %s", r.id))
		}
		all = append(all, page.Items...)
	}
	items := make([]named, len(all))
	for i, p := range all {
		items[i] = named{aws.ToString(p.Id), aws.ToString(p.Name)}
	}
	parts := uniqueParts("", items)
	for _, p := range all {
		r.projects[aws.ToString(p.Id)] = catalog.Child(r.fqn, parts[aws.ToString(p.Id)])
	}
	return all, true, nil
}

func (r *domainRun) scanProject(ctx context.Context, p types.ProjectSummary) error {
	s := r.s
	id := aws.ToString(p.Id)
	fqn := r.projects[id]
	attrs := map[string]any{"id": id, "status": string(p.ProjectStatus)}
	setStr(attrs, "createdBy", aws.ToString(p.CreatedBy))
	setStr(attrs, "domainUnitId", aws.ToString(p.DomainUnitId))
	desc := aws.ToString(p.Description)
	updated := p.UpdatedAt
	if out, err := s.Client.GetProject(ctx, &dz.GetProjectInput{DomainIdentifier: aws.String(r.id), Identifier: p.Id}); err != nil {
		if err := warn(ctx, r.sink, err, fmtErr("reading DataZone project %q", aws.ToString(p.Name))); err != nil {
			return err
		}
	} else {
		desc = aws.ToString(out.Description)
		updated = out.LastUpdatedAt
		setStrs(attrs, "glossaryTerms", out.GlossaryTerms)
		setStr(attrs, "projectProfileId", aws.ToString(out.ProjectProfileId))
		r.addTerms(out.GlossaryTerms)
	}
	e := catalog.Entity{FQN: fqn, Kind: catalog.KindProject, Service: s.ServiceName, ParentFQN: r.fqn, Name: aws.ToString(p.Name),
		Description: desc, Attrs: attrs, SourceCreated: utc(p.CreatedAt), SourceUpdated: utc(updated)}
	if err := r.sink.Emit(ctx, e); err != nil {
		return err
	}
	if err := r.scanEnvironments(ctx, id, fqn); err != nil {
		return err
	}
	return r.scanDataSources(ctx, id, fqn)
}

func (r *domainRun) addTerms(ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		r.termIDs[id] = true
	}
}

func (r *domainRun) scanEnvironments(ctx context.Context, projectID, projectFQN string) error {
	var all []types.EnvironmentSummary
	pages := dz.NewListEnvironmentsPaginator(r.s.Client, &dz.ListEnvironmentsInput{DomainIdentifier: aws.String(r.id), ProjectIdentifier: aws.String(projectID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return warn(ctx, r.sink, err, fmtErr("listing DataZone environments of project %s", projectID))
		}
		all = append(all, page.Items...)
	}
	items := make([]named, len(all))
	for i, e := range all {
		items[i] = named{aws.ToString(e.Id), aws.ToString(e.Name)}
	}
	parts := uniqueParts(prefixEnvironment, items)
	for _, env := range all {
		attrs := map[string]any{"id": aws.ToString(env.Id), "status": string(env.Status)}
		setStr(attrs, "provider", aws.ToString(env.Provider))
		setStr(attrs, "awsAccountId", aws.ToString(env.AwsAccountId))
		setStr(attrs, "awsAccountRegion", aws.ToString(env.AwsAccountRegion))
		setStr(attrs, "environmentProfileId", aws.ToString(env.EnvironmentProfileId))
		desc := aws.ToString(env.Description)
		if out, err := r.s.Client.GetEnvironment(ctx, &dz.GetEnvironmentInput{DomainIdentifier: aws.String(r.id), Identifier: env.Id}); err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone environment %q", aws.ToString(env.Name))); err != nil {
				return err
			}
		} else {
			setStr(attrs, "environmentBlueprintId", aws.ToString(out.EnvironmentBlueprintId))
			if p := customParams(out.UserParameters); len(p) > 0 {
				attrs["parameters"] = p
			}
			setStrs(attrs, "glossaryTerms", out.GlossaryTerms)
		}
		e := entity(catalog.KindEnvironment, r.s.ServiceName, projectFQN, parts[aws.ToString(env.Id)], aws.ToString(env.Name), desc, attrs)
		e.SourceCreated, e.SourceUpdated = utc(env.CreatedAt), utc(env.UpdatedAt)
		if err := r.sink.Emit(ctx, e); err != nil {
			return err
		}
	}
	return r.s.complete(ctx, r.sink, true, projectFQN, catalog.KindEnvironment)
}

func customParams(ps []types.CustomParameter) map[string]any {
	out := map[string]any{}
	for _, p := range ps {
		out[aws.ToString(p.KeyName)] = aws.ToString(p.DefaultValue)
	}
	return out
}

func (r *domainRun) scanProfiles(ctx context.Context) error {
	var all []types.EnvironmentProfileSummary
	pages := dz.NewListEnvironmentProfilesPaginator(r.s.Client, &dz.ListEnvironmentProfilesInput{DomainIdentifier: aws.String(r.id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return warn(ctx, r.sink, err, fmtErr("listing DataZone environment profiles of domain %s", r.id))
		}
		all = append(all, page.Items...)
	}
	items := make([]named, len(all))
	for i, p := range all {
		items[i] = named{aws.ToString(p.Id), aws.ToString(p.Name)}
	}
	parts := uniqueParts(prefixProfile, items)
	for _, p := range all {
		attrs := map[string]any{"id": aws.ToString(p.Id)}
		setStr(attrs, "environmentBlueprintId", aws.ToString(p.EnvironmentBlueprintId))
		setStr(attrs, "awsAccountId", aws.ToString(p.AwsAccountId))
		setStr(attrs, "awsAccountRegion", aws.ToString(p.AwsAccountRegion))
		setStr(attrs, "projectId", aws.ToString(p.ProjectId))
		if out, err := r.s.Client.GetEnvironmentProfile(ctx, &dz.GetEnvironmentProfileInput{DomainIdentifier: aws.String(r.id), Identifier: p.Id}); err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone environment profile %q", aws.ToString(p.Name))); err != nil {
				return err
			}
		} else if ps := customParams(out.UserParameters); len(ps) > 0 {
			attrs["parameters"] = ps
		}
		e := entity(catalog.KindEnvProfile, r.s.ServiceName, r.fqn, parts[aws.ToString(p.Id)], aws.ToString(p.Name), aws.ToString(p.Description), attrs)
		e.SourceCreated, e.SourceUpdated = utc(p.CreatedAt), utc(p.UpdatedAt)
		if err := r.sink.Emit(ctx, e); err != nil {
			return err
		}
	}
	return r.s.complete(ctx, r.sink, true, r.fqn, catalog.KindEnvProfile)
}

func (r *domainRun) scanDataSources(ctx context.Context, projectID, projectFQN string) error {
	var all []types.DataSourceSummary
	pages := dz.NewListDataSourcesPaginator(r.s.Client, &dz.ListDataSourcesInput{DomainIdentifier: aws.String(r.id), ProjectIdentifier: aws.String(projectID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return warn(ctx, r.sink, err, fmtErr("listing DataZone data sources of project %s", projectID))
		}
		all = append(all, page.Items...)
	}
	items := make([]named, len(all))
	for i, d := range all {
		items[i] = named{aws.ToString(d.DataSourceId), aws.ToString(d.Name)}
	}
	parts := uniqueParts(prefixDataSource, items)
	for _, d := range all {
		attrs := map[string]any{"id": aws.ToString(d.DataSourceId), "status": string(d.Status)}
		setStr(attrs, "type", aws.ToString(d.Type))
		setStr(attrs, "environmentId", aws.ToString(d.EnvironmentId))
		setStr(attrs, "lastRunStatus", string(d.LastRunStatus))
		setStr(attrs, "lastRunAt", rfc3339(d.LastRunAt))
		setStr(attrs, "enableSetting", string(d.EnableSetting))
		if d.Schedule != nil {
			setStr(attrs, "schedule", aws.ToString(d.Schedule.Schedule))
			setStr(attrs, "timezone", string(d.Schedule.Timezone))
		}
		if out, err := r.s.Client.GetDataSource(ctx, &dz.GetDataSourceInput{DomainIdentifier: aws.String(r.id), Identifier: d.DataSourceId}); err != nil {
			if err := warn(ctx, r.sink, err, fmtErr("reading DataZone data source %q", aws.ToString(d.Name))); err != nil {
				return err
			}
		} else if cfg := dataSourceConfig(out.Configuration); cfg != nil {
			attrs["configuration"] = cfg
		}
		e := entity(catalog.KindDataSource, r.s.ServiceName, projectFQN, parts[aws.ToString(d.DataSourceId)], aws.ToString(d.Name), aws.ToString(d.Description), attrs)
		e.SourceCreated, e.SourceUpdated = utc(d.CreatedAt), utc(d.UpdatedAt)
		if err := r.sink.Emit(ctx, e); err != nil {
			return err
		}
	}
	return r.s.complete(ctx, r.sink, true, projectFQN, catalog.KindDataSource)
}

// dataSourceConfig keeps what a reader needs: the engine and which
// databases (and filters) it imports.
func dataSourceConfig(c types.DataSourceConfigurationOutput) map[string]any {
	var filters []types.RelationalFilterConfiguration
	out := map[string]any{}
	switch v := c.(type) {
	case *types.DataSourceConfigurationOutputMemberGlueRunConfiguration:
		out["engine"] = "GLUE"
		setStr(out, "region", aws.ToString(v.Value.Region))
		setStr(out, "dataAccessRole", aws.ToString(v.Value.DataAccessRole))
		filters = v.Value.RelationalFilterConfigurations
	case *types.DataSourceConfigurationOutputMemberRedshiftRunConfiguration:
		out["engine"] = "REDSHIFT"
		setStr(out, "region", aws.ToString(v.Value.Region))
		setStr(out, "dataAccessRole", aws.ToString(v.Value.DataAccessRole))
		filters = v.Value.RelationalFilterConfigurations
	default:
		return nil
	}
	var dbs []any
	for _, f := range filters {
		var exprs []any
		for _, x := range f.FilterExpressions {
			exprs = append(exprs, map[string]any{"type": string(x.Type), "expression": aws.ToString(x.Expression)})
		}
		db := map[string]any{"database": aws.ToString(f.DatabaseName)}
		setStr(db, "schema", aws.ToString(f.SchemaName))
		if exprs != nil {
			db["filters"] = exprs
		}
		dbs = append(dbs, db)
	}
	if dbs != nil {
		out["databases"] = dbs
	}
	return out
}
