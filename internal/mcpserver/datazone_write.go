package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// DataZone writes. Each resolves what it names in the catalog (ids come
// from the last scan), calls DataZone, then records the result in the
// catalog (datazone_catalog.go) so a search right after the call sees it.
// Deletes and unpublishes take confirm, the item's name, so that a wrong
// id copied from elsewhere cannot delete something else. Calls whose
// DataZone action takes a clientToken pass the caller's: the same token
// on a retried tool call makes DataZone answer the first call's result
// instead of acting twice (without one, the SDK draws a fresh token per
// call, which covers only its own retries).

// DZForm is one metadata form to write.
type DZForm struct {
	FormName       string `json:"formName" jsonschema:"form name on the asset, e.g. ProductForm"`
	TypeIdentifier string `json:"typeIdentifier" jsonschema:"form type, e.g. amazon.datazone.GlueTableFormType or a custom one"`
	TypeRevision   string `json:"typeRevision,omitempty"`
	Content        any    `json:"content,omitempty" jsonschema:"the form's fields as a JSON object (or a JSON string)"`
}

// DZCreateAssetInput is datazone_write_asset's arguments for action create.
type DZCreateAssetInput struct {
	Conn
	Domain             string   `json:"domain" jsonschema:"domain name, id or FQN"`
	Project            string   `json:"project" jsonschema:"owning project: name, id or FQN"`
	Name               string   `json:"name"`
	TypeIdentifier     string   `json:"typeIdentifier" jsonschema:"asset type, e.g. amazon.datazone.GlueTableAssetType"`
	Description        string   `json:"description,omitempty"`
	ExternalIdentifier string   `json:"externalIdentifier,omitempty" jsonschema:"technical identifier, e.g. the Glue table ARN"`
	GlossaryTerms      []string `json:"glossaryTerms,omitempty" jsonschema:"glossary term ids"`
	Forms              []DZForm `json:"forms,omitempty"`
	ClientToken        string   `json:"clientToken,omitempty" jsonschema:"any string up to 128 characters; repeat it when retrying this call so DataZone creates the asset once"`
}

// DZWriteOutput says what a DataZone write did.
type DZWriteOutput struct {
	Action    string `json:"action" jsonschema:"created, revised, deleted, published, unpublished, updated"`
	ID        string `json:"id"`
	FQN       string `json:"fqn,omitempty" jsonschema:"the catalog entity it left or marked deleted"`
	Revision  string `json:"revision,omitempty"`
	ListingID string `json:"listingId,omitempty"`
	Status    string `json:"status,omitempty"`
}

func dzCreateAsset(ctx context.Context, c *liveConn, in DZCreateAssetInput) (DZWriteOutput, string, error) {
	if strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.TypeIdentifier) == "" {
		return DZWriteOutput{}, "", apperr.New(apperr.Invalid, "name and typeIdentifier are required")
	}
	forms, err := formsInput(in.Forms)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	if err := checkToken(in.ClientToken); err != nil {
		return DZWriteOutput{}, "", err
	}
	dom, proj, err := dzProject(ctx, c, in.Domain, in.Project)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	req := &dz.CreateAssetInput{DomainIdentifier: aws.String(attrStr(dom, "id")), OwningProjectIdentifier: aws.String(attrStr(proj, "id")),
		Name: aws.String(in.Name), TypeIdentifier: aws.String(in.TypeIdentifier), FormsInput: forms, GlossaryTerms: in.GlossaryTerms,
		Description: optStr(in.Description), ExternalIdentifier: optStr(in.ExternalIdentifier), ClientToken: optStr(in.ClientToken)}
	out, err := c.datazone().CreateAsset(ctx, req)
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("creating DataZone asset %q in project %q", in.Name, proj.Name))
	}
	a := assetFields{id: aws.ToString(out.Id), name: aws.ToString(out.Name), description: aws.ToString(out.Description), projectID: aws.ToString(out.OwningProjectId),
		typeID: aws.ToString(out.TypeIdentifier), typeRevision: aws.ToString(out.TypeRevision), revision: aws.ToString(out.Revision), createdBy: aws.ToString(out.CreatedBy),
		externalID: aws.ToString(out.ExternalIdentifier), terms: out.GlossaryTerms, forms: out.FormsOutput, listing: out.Listing, created: out.CreatedAt, first: out.FirstRevisionCreatedAt}
	fqn, err := recordAsset(ctx, c, "datazone_write_asset create", proj, nil, a)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	res := DZWriteOutput{Action: "created", ID: a.id, FQN: fqn, Revision: a.revision}
	return res, fmt.Sprintf("created DataZone asset %s (%s), revision %s; in the catalog as %s", a.name, a.id, a.revision, fqn), nil
}

// DZUpdateAssetInput is datazone_write_asset's arguments for action update.
type DZUpdateAssetInput struct {
	Conn
	Asset         string    `json:"asset" jsonschema:"the asset's catalog FQN, or its id with domain"`
	Domain        string    `json:"domain,omitempty" jsonschema:"the domain when asset is an id"`
	Name          string    `json:"name,omitempty" jsonschema:"new name; default the current one"`
	Description   *string   `json:"description,omitempty" jsonschema:"new description (\"\" clears it); default the current one"`
	GlossaryTerms *[]string `json:"glossaryTerms,omitempty" jsonschema:"glossary term ids replacing the current ones ([] clears them)"`
	Forms         []DZForm  `json:"forms,omitempty" jsonschema:"forms of the new revision; default the current ones"`
	ClientToken   string    `json:"clientToken,omitempty" jsonschema:"repeat it when retrying this call so DataZone makes one revision"`
}

func dzUpdateAsset(ctx context.Context, c *liveConn, in DZUpdateAssetInput) (DZWriteOutput, string, error) {
	if in.Name == "" && in.Description == nil && in.GlossaryTerms == nil && in.Forms == nil {
		return DZWriteOutput{}, "", apperr.New(apperr.Invalid, "nothing to change: give name, description, glossaryTerms and/or forms")
	}
	forms, err := formsInput(in.Forms)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	if err := checkToken(in.ClientToken); err != nil {
		return DZWriteOutput{}, "", err
	}
	e, dom, err := dzFind(ctx, c, catalog.KindAsset, "asset", in.Asset, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	// A revision replaces the asset whole: what the call leaves out is
	// carried over from DataZone's current revision, not from the catalog,
	// which may be a scan old.
	cur, err := c.datazone().GetAsset(ctx, &dz.GetAssetInput{DomainIdentifier: aws.String(attrStr(dom, "id")), Identifier: aws.String(attrStr(e, "id"))})
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("reading DataZone asset %q before revising it", e.Name))
	}
	req := &dz.CreateAssetRevisionInput{DomainIdentifier: aws.String(attrStr(dom, "id")), Identifier: aws.String(attrStr(e, "id")),
		Name: aws.String(orDefault(in.Name, aws.ToString(cur.Name))), Description: cur.Description, GlossaryTerms: cur.GlossaryTerms,
		FormsInput: forms, ClientToken: optStr(in.ClientToken)}
	if in.Description != nil {
		req.Description = aws.String(*in.Description)
	}
	if in.GlossaryTerms != nil {
		req.GlossaryTerms = *in.GlossaryTerms
	}
	if in.Forms == nil {
		for _, f := range cur.FormsOutput {
			req.FormsInput = append(req.FormsInput, types.FormInput{FormName: f.FormName, TypeIdentifier: f.TypeName, TypeRevision: f.TypeRevision, Content: f.Content})
		}
	}
	out, err := c.datazone().CreateAssetRevision(ctx, req)
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("revising DataZone asset %q", e.Name))
	}
	a := assetFields{id: aws.ToString(out.Id), name: aws.ToString(out.Name), description: aws.ToString(out.Description), projectID: aws.ToString(out.OwningProjectId),
		typeID: aws.ToString(out.TypeIdentifier), typeRevision: aws.ToString(out.TypeRevision), revision: aws.ToString(out.Revision), createdBy: aws.ToString(out.CreatedBy),
		externalID: aws.ToString(out.ExternalIdentifier), terms: out.GlossaryTerms, forms: out.FormsOutput, listing: out.Listing, created: out.CreatedAt, first: out.FirstRevisionCreatedAt}
	proj, err := c.s.get(ctx, e.ParentFQN)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	fqn, err := recordAsset(ctx, c, "datazone_write_asset update", proj, &e, a)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	return DZWriteOutput{Action: "revised", ID: a.id, FQN: fqn, Revision: a.revision},
		fmt.Sprintf("revised DataZone asset %s (%s): revision %s", a.name, a.id, a.revision), nil
}

// DZConfirmInput names an asset to delete or unpublish.
type DZConfirmInput struct {
	Conn
	Asset   string `json:"asset" jsonschema:"the asset's catalog FQN, or its id with domain"`
	Domain  string `json:"domain,omitempty" jsonschema:"the domain when asset is an id"`
	Confirm string `json:"confirm" jsonschema:"the asset's name, repeated to confirm"`
}

func confirmed(e catalog.Entity, confirm, what string) error {
	if strings.TrimSpace(confirm) != e.Name {
		return apperr.New(apperr.Invalid, "confirm must repeat the %s's name, %q, to go ahead; nothing was sent to AWS", what, e.Name)
	}
	return nil
}

func dzDeleteAsset(ctx context.Context, c *liveConn, in DZConfirmInput) (DZWriteOutput, string, error) {
	e, dom, err := dzFind(ctx, c, catalog.KindAsset, "asset", in.Asset, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	if err := confirmed(e, in.Confirm, "asset"); err != nil {
		return DZWriteOutput{}, "", err
	}
	id := attrStr(e, "id")
	if _, err := c.datazone().DeleteAsset(ctx, &dz.DeleteAssetInput{DomainIdentifier: aws.String(attrStr(dom, "id")), Identifier: aws.String(id)}); err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("deleting DataZone asset %q", e.Name))
	}
	if err := markGone(ctx, c, "datazone_write_asset delete", e); err != nil {
		return DZWriteOutput{}, "", err
	}
	return DZWriteOutput{Action: "deleted", ID: id, FQN: e.FQN}, fmt.Sprintf("deleted DataZone asset %s (%s); %s is marked deleted in the catalog", e.Name, id, e.FQN), nil
}

// DZPublishInput is datazone_write_asset's arguments for action publish.
type DZPublishInput struct {
	Conn
	Asset       string `json:"asset" jsonschema:"the asset's catalog FQN, or its id with domain"`
	Domain      string `json:"domain,omitempty" jsonschema:"the domain when asset is an id"`
	Revision    string `json:"revision,omitempty" jsonschema:"asset revision to publish; default the latest"`
	ClientToken string `json:"clientToken,omitempty" jsonschema:"repeat it when retrying this call so DataZone publishes once"`
}

func dzPublishAsset(ctx context.Context, c *liveConn, in DZPublishInput) (DZWriteOutput, string, error) {
	if err := checkToken(in.ClientToken); err != nil {
		return DZWriteOutput{}, "", err
	}
	e, dom, err := dzFind(ctx, c, catalog.KindAsset, "asset", in.Asset, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	return changeListing(ctx, c, "datazone_write_asset publish", e, dom, types.ChangeActionPublish, in.Revision, in.ClientToken)
}

func dzUnpublishAsset(ctx context.Context, c *liveConn, in DZConfirmInput) (DZWriteOutput, string, error) {
	e, dom, err := dzFind(ctx, c, catalog.KindAsset, "asset", in.Asset, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	if err := confirmed(e, in.Confirm, "asset"); err != nil {
		return DZWriteOutput{}, "", err
	}
	return changeListing(ctx, c, "datazone_write_asset unpublish", e, dom, types.ChangeActionUnpublish, "", "")
}

func changeListing(ctx context.Context, c *liveConn, tool string, e, dom catalog.Entity, action types.ChangeAction, revision, token string) (DZWriteOutput, string, error) {
	out, err := c.datazone().CreateListingChangeSet(ctx, &dz.CreateListingChangeSetInput{DomainIdentifier: aws.String(attrStr(dom, "id")),
		EntityIdentifier: aws.String(attrStr(e, "id")), EntityType: types.EntityTypeAsset, Action: action,
		EntityRevision: optStr(revision), ClientToken: optStr(token)})
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("%s DataZone asset %q", strings.ToLower(string(action))+"ing", e.Name))
	}
	l := listingFields{id: aws.ToString(out.ListingId), revision: aws.ToString(out.ListingRevision), status: string(out.Status)}
	if err := recordListing(ctx, c, tool, e, dom, l, action == types.ChangeActionPublish); err != nil {
		return DZWriteOutput{}, "", err
	}
	verb := map[types.ChangeAction]string{types.ChangeActionPublish: "published", types.ChangeActionUnpublish: "unpublished"}[action]
	return DZWriteOutput{Action: verb, ID: attrStr(e, "id"), FQN: e.FQN, ListingID: l.id, Revision: l.revision, Status: l.status},
		fmt.Sprintf("%s DataZone asset %s: listing %s revision %s, %s", verb, e.Name, l.id, l.revision, orDash(l.status)), nil
}

// DZCreateSourceInput is datazone_write_data_source's arguments for action create.
type DZCreateSourceInput struct {
	Conn
	Domain          string   `json:"domain" jsonschema:"domain name, id or FQN"`
	Project         string   `json:"project" jsonschema:"project name, id or FQN"`
	Name            string   `json:"name"`
	Environment     string   `json:"environment" jsonschema:"id of the project's environment the data source runs in"`
	Databases       []string `json:"databases" jsonschema:"Glue databases to import (every table of each)"`
	Description     string   `json:"description,omitempty"`
	Schedule        string   `json:"schedule,omitempty" jsonschema:"cron expression, e.g. cron(0 3 * * ? *); default run on demand"`
	PublishOnImport bool     `json:"publishOnImport,omitempty" jsonschema:"publish imported assets to the catalog at once"`
	ClientToken     string   `json:"clientToken,omitempty" jsonschema:"repeat it when retrying this call so DataZone creates one data source"`
}

func dzCreateDataSource(ctx context.Context, c *liveConn, in DZCreateSourceInput) (DZWriteOutput, string, error) {
	if strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.Environment) == "" || len(nonEmpty(in.Databases)) == 0 {
		return DZWriteOutput{}, "", apperr.New(apperr.Invalid, "name, environment (id) and databases are required")
	}
	if err := checkToken(in.ClientToken); err != nil {
		return DZWriteOutput{}, "", err
	}
	dom, proj, err := dzProject(ctx, c, in.Domain, in.Project)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	req := &dz.CreateDataSourceInput{DomainIdentifier: aws.String(attrStr(dom, "id")), ProjectIdentifier: aws.String(attrStr(proj, "id")),
		Name: aws.String(in.Name), Type: aws.String("GLUE"), EnvironmentIdentifier: aws.String(in.Environment),
		Configuration: glueConfig(in.Databases), Description: optStr(in.Description), PublishOnImport: aws.Bool(in.PublishOnImport),
		ClientToken: optStr(in.ClientToken)}
	if in.Schedule != "" {
		req.Schedule = &types.ScheduleConfiguration{Schedule: aws.String(in.Schedule)}
	}
	out, err := c.datazone().CreateDataSource(ctx, req)
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("creating DataZone data source %q in project %q", in.Name, proj.Name))
	}
	f := sourceFields{id: aws.ToString(out.Id), name: aws.ToString(out.Name), description: aws.ToString(out.Description), typ: aws.ToString(out.Type),
		env: aws.ToString(out.EnvironmentId), status: string(out.Status), lastRun: string(out.LastRunStatus), enable: string(out.EnableSetting),
		schedule: out.Schedule, config: out.Configuration, created: out.CreatedAt, updated: out.UpdatedAt}
	fqn, err := recordSource(ctx, c, "datazone_write_data_source create", proj, nil, f)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	return DZWriteOutput{Action: "created", ID: f.id, FQN: fqn, Status: f.status},
		fmt.Sprintf("created DataZone data source %s (%s), %s; in the catalog as %s", f.name, f.id, orDash(f.status), fqn), nil
}

// DZUpdateSourceInput is datazone_write_data_source's arguments for action update.
type DZUpdateSourceInput struct {
	Conn
	DataSource  string   `json:"dataSource" jsonschema:"the data source's catalog FQN, or its id with domain"`
	Domain      string   `json:"domain,omitempty" jsonschema:"the domain when dataSource is an id"`
	Name        string   `json:"name,omitempty"`
	Description *string  `json:"description,omitempty"`
	Schedule    string   `json:"schedule,omitempty" jsonschema:"new cron expression"`
	Databases   []string `json:"databases,omitempty" jsonschema:"Glue databases replacing the imported ones"`
}

func dzUpdateDataSource(ctx context.Context, c *liveConn, in DZUpdateSourceInput) (DZWriteOutput, string, error) {
	if in.Name == "" && in.Description == nil && in.Schedule == "" && in.Databases == nil {
		return DZWriteOutput{}, "", apperr.New(apperr.Invalid, "nothing to change: give name, description, schedule and/or databases")
	}
	if in.Databases != nil && len(nonEmpty(in.Databases)) == 0 {
		return DZWriteOutput{}, "", apperr.New(apperr.Invalid, "databases must name at least one Glue database")
	}
	e, dom, err := dzFind(ctx, c, catalog.KindDataSource, "dataSource", in.DataSource, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	req := &dz.UpdateDataSourceInput{DomainIdentifier: aws.String(attrStr(dom, "id")), Identifier: aws.String(attrStr(e, "id")), Name: optStr(in.Name)}
	if in.Description != nil {
		req.Description = aws.String(*in.Description)
	}
	if in.Schedule != "" {
		req.Schedule = &types.ScheduleConfiguration{Schedule: aws.String(in.Schedule)}
	}
	if in.Databases != nil {
		req.Configuration = glueConfig(in.Databases)
	}
	out, err := c.datazone().UpdateDataSource(ctx, req)
	if err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("updating DataZone data source %q", e.Name))
	}
	f := sourceFields{id: aws.ToString(out.Id), name: aws.ToString(out.Name), description: aws.ToString(out.Description), typ: aws.ToString(out.Type),
		env: aws.ToString(out.EnvironmentId), status: string(out.Status), lastRun: string(out.LastRunStatus), enable: string(out.EnableSetting),
		schedule: out.Schedule, config: out.Configuration, created: out.CreatedAt, updated: out.UpdatedAt}
	proj, err := c.s.get(ctx, e.ParentFQN)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	fqn, err := recordSource(ctx, c, "datazone_write_data_source update", proj, &e, f)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	return DZWriteOutput{Action: "updated", ID: f.id, FQN: fqn, Status: f.status}, fmt.Sprintf("updated DataZone data source %s (%s)", f.name, f.id), nil
}

// DZDeleteSourceInput is datazone_write_data_source's arguments for action delete.
type DZDeleteSourceInput struct {
	Conn
	DataSource string `json:"dataSource" jsonschema:"the data source's catalog FQN, or its id with domain"`
	Domain     string `json:"domain,omitempty" jsonschema:"the domain when dataSource is an id"`
	Confirm    string `json:"confirm" jsonschema:"the data source's name, repeated to confirm"`
}

func dzDeleteDataSource(ctx context.Context, c *liveConn, in DZDeleteSourceInput) (DZWriteOutput, string, error) {
	e, dom, err := dzFind(ctx, c, catalog.KindDataSource, "dataSource", in.DataSource, in.Domain)
	if err != nil {
		return DZWriteOutput{}, "", err
	}
	if err := confirmed(e, in.Confirm, "data source"); err != nil {
		return DZWriteOutput{}, "", err
	}
	id := attrStr(e, "id")
	if _, err := c.datazone().DeleteDataSource(ctx, &dz.DeleteDataSourceInput{DomainIdentifier: aws.String(attrStr(dom, "id")), Identifier: aws.String(id)}); err != nil {
		return DZWriteOutput{}, "", awsErr(err, fmt.Sprintf("deleting DataZone data source %q", e.Name))
	}
	if err := markGone(ctx, c, "datazone_write_data_source delete", e); err != nil {
		return DZWriteOutput{}, "", err
	}
	return DZWriteOutput{Action: "deleted", ID: id, FQN: e.FQN}, fmt.Sprintf("deleted DataZone data source %s (%s); %s is marked deleted in the catalog", e.Name, id, e.FQN), nil
}

func glueConfig(dbs []string) types.DataSourceConfigurationInput {
	var filters []types.RelationalFilterConfiguration
	for _, d := range nonEmpty(dbs) {
		filters = append(filters, types.RelationalFilterConfiguration{DatabaseName: aws.String(d)})
	}
	return &types.DataSourceConfigurationInputMemberGlueRunConfiguration{Value: types.GlueRunConfigurationInput{RelationalFilterConfigurations: filters}}
}

func formsInput(forms []DZForm) ([]types.FormInput, error) {
	var out []types.FormInput
	for i, f := range forms {
		if strings.TrimSpace(f.FormName) == "" || strings.TrimSpace(f.TypeIdentifier) == "" {
			return nil, apperr.New(apperr.Invalid, "forms[%d]: formName and typeIdentifier are required", i)
		}
		in := types.FormInput{FormName: aws.String(f.FormName), TypeIdentifier: aws.String(f.TypeIdentifier), TypeRevision: optStr(f.TypeRevision)}
		switch v := f.Content.(type) {
		case nil:
		case string:
			if !json.Valid([]byte(v)) {
				return nil, apperr.New(apperr.Invalid, "forms[%d] (%s): content is not JSON", i, f.FormName)
			}
			in.Content = aws.String(v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, apperr.Wrap(apperr.Invalid, err, "forms[%d] (%s): content", i, f.FormName)
			}
			in.Content = aws.String(string(b))
		}
		out = append(out, in)
	}
	return out, nil
}

// checkToken applies DataZone's clientToken rule (1-128 printable ASCII
// characters, no spaces) before anything is sent.
func checkToken(tok string) error {
	if tok == "" {
		return nil
	}
	if len(tok) > 128 {
		return apperr.New(apperr.Invalid, "clientToken is %d characters; DataZone takes at most 128", len(tok))
	}
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return apperr.New(apperr.Invalid, "clientToken must be printable ASCII without spaces")
		}
	}
	return nil
}

func optStr(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
