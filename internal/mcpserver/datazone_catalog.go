package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

// After a DataZone write the catalog is brought in line at once, the way
// the next scan would: same FQN rule and attributes as
// internal/source/datazone (names.go, assets.go, domain.go). The writes
// go through a scan record of their own (source type "datazone", one per
// tool call), so history shows them like any scan's findings. A deleted
// item is marked deleted with the store's only deletion primitive: every
// live sibling is touched by that scan, then MarkMissing marks the one it
// did not see (with its descendants).

// writeScan runs fn inside a scan of the connection's service.
func writeScan(ctx context.Context, c *liveConn, tool string, fn func(scanID int64) error) error {
	st := c.s.srv.opts.Store
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: c.name, SourceType: "datazone", Started: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("%s: recording the change in the catalog: %w", tool, err)
	}
	res := catalog.ScanResult{Status: catalog.ScanSucceeded}
	ferr := fn(sc.ID)
	if ferr != nil {
		res.Status, res.Errors = catalog.ScanFailed, []string{tool + ": " + ferr.Error()}
	}
	res.Finished = time.Now().UTC()
	if err := st.FinishScan(ctx, sc.ID, res); err != nil && ferr == nil {
		ferr = err
	}
	if ferr != nil {
		// The change is made in DataZone; only the catalog lags until the
		// next scan.
		return fmt.Errorf("%s succeeded in DataZone but recording it in the catalog failed (the next lakemap ingest will): %w", tool, ferr)
	}
	return nil
}

// markGone marks e deleted in the catalog.
func markGone(ctx context.Context, c *liveConn, tool string, e catalog.Entity) error {
	return writeScan(ctx, c, tool, func(scanID int64) error {
		sibs, err := dzChildren(ctx, c, e.ParentFQN, e.Kind)
		if err != nil {
			return err
		}
		keep := sibs[:0]
		for _, s := range sibs {
			if s.FQN != e.FQN {
				keep = append(keep, s)
			}
		}
		for start := 0; start < len(keep); start += 500 {
			if _, err := c.s.srv.opts.Store.Upsert(ctx, scanID, keep[start:min(start+500, len(keep))]); err != nil {
				return err
			}
		}
		_, err = c.s.srv.opts.Store.MarkMissing(ctx, scanID, e.ParentFQN, []catalog.Kind{e.Kind})
		return err
	})
}

// placeFQN is the FQN of a new item named name with id under parent:
// the item's own if the catalog has it already (a retried call), else
// prefix+name, suffixed "~id" when a live sibling holds the name.
func placeFQN(ctx context.Context, c *liveConn, parent string, kind catalog.Kind, prefix, name, id string) (string, error) {
	sibs, err := dzChildren(ctx, c, parent, kind)
	if err != nil {
		return "", err
	}
	part := prefix + name
	for _, s := range sibs {
		if attrStr(s, "id") == id {
			return s.FQN, nil
		}
		if strings.EqualFold(s.Name, name) {
			part = prefix + name + "~" + id
		}
	}
	return catalog.Child(parent, part), nil
}

// assetFields are what CreateAsset and CreateAssetRevision return.
type assetFields struct {
	id, name, description, projectID, typeID, typeRevision, revision, createdBy, externalID string
	terms                                                                                   []string
	forms                                                                                   []types.FormOutput
	listing                                                                                 *types.AssetListingDetails
	created, first                                                                          *time.Time
}

func recordAsset(ctx context.Context, c *liveConn, tool string, proj catalog.Entity, old *catalog.Entity, a assetFields) (string, error) {
	fqn := ""
	if old != nil {
		// A renamed asset keeps its FQN until the next scan places it.
		fqn = old.FQN
	} else {
		var err error
		if fqn, err = placeFQN(ctx, c, proj.FQN, catalog.KindAsset, "", a.name, a.id); err != nil {
			return "", err
		}
	}
	attrs := map[string]any{"id": a.id, "listed": a.listing != nil}
	setAttr(attrs, "typeIdentifier", a.typeID)
	setAttr(attrs, "typeRevision", a.typeRevision)
	setAttr(attrs, "revision", a.revision)
	setAttr(attrs, "owningProjectId", a.projectID)
	setAttr(attrs, "createdBy", a.createdBy)
	setAttr(attrs, "externalIdentifier", a.externalID)
	if len(a.terms) > 0 {
		attrs["glossaryTerms"] = anySlice(a.terms)
	}
	if a.listing != nil {
		setAttr(attrs, "listingId", aws.ToString(a.listing.ListingId))
		setAttr(attrs, "status", string(a.listing.ListingStatus))
	}
	glueARN := glueARNOf(a.externalID)
	forms := map[string]any{}
	for _, f := range a.forms {
		form := map[string]any{}
		setAttr(form, "type", aws.ToString(f.TypeName))
		setAttr(form, "typeRevision", aws.ToString(f.TypeRevision))
		var content any
		if json.Unmarshal([]byte(aws.ToString(f.Content)), &content) == nil {
			form["content"] = content
			if m, ok := content.(map[string]any); ok && glueARN == "" {
				s, _ := m["tableArn"].(string)
				glueARN = glueARNOf(s)
			}
		}
		forms[aws.ToString(f.FormName)] = form
	}
	if len(forms) > 0 {
		attrs["forms"] = forms
	}
	setAttr(attrs, "glueTableArn", glueARN)
	var revs []any
	if old != nil {
		revs, _ = old.Attrs["revisions"].([]any)
		if glueARN != "" && attrStr(*old, "glueTableArn") == glueARN {
			setAttr(attrs, "glueTable", attrStr(*old, "glueTable"))
		}
	}
	rev := map[string]any{"revision": a.revision}
	setAttr(rev, "createdBy", a.createdBy)
	if a.created != nil {
		rev["createdAt"] = a.created.UTC().Format(time.RFC3339)
	}
	revs = append(append([]any{}, revs...), rev)
	attrs["revisions"], attrs["revisionCount"] = revs, int64(len(revs))
	e := catalog.Entity{FQN: fqn, Kind: catalog.KindAsset, Service: c.name, ParentFQN: proj.FQN, Name: a.name, Description: a.description,
		Attrs: attrs, SourceCreated: utcPtr(a.first), SourceUpdated: utcPtr(a.created)}
	return fqn, writeScan(ctx, c, tool, func(scanID int64) error {
		_, err := c.s.srv.opts.Store.Upsert(ctx, scanID, []catalog.Entity{e})
		return err
	})
}

// listingFields are what CreateListingChangeSet returns.
type listingFields struct{ id, revision, status string }

// recordListing updates the asset's listing attributes and adds its
// listing (published) or marks it deleted (unpublished: the next scan's
// SearchListings would not find it either).
func recordListing(ctx context.Context, c *liveConn, tool string, asset, dom catalog.Entity, l listingFields, published bool) error {
	a := asset
	a.Attrs = make(map[string]any, len(asset.Attrs)+2)
	for k, v := range asset.Attrs {
		a.Attrs[k] = v
	}
	a.Attrs["listed"] = published
	delete(a.Attrs, "listingId")
	delete(a.Attrs, "status")
	if published {
		setAttr(a.Attrs, "listingId", l.id)
		setAttr(a.Attrs, "status", l.status)
	}
	listingFQN := catalog.Child(dom.FQN, "listing:"+l.id)
	err := writeScan(ctx, c, tool, func(scanID int64) error {
		batch := []catalog.Entity{a}
		if published {
			attrs := map[string]any{"id": l.id, "assetId": attrStr(asset, "id"), "assetFqn": asset.FQN}
			setAttr(attrs, "status", l.status)
			setAttr(attrs, "listingRevision", l.revision)
			batch = append(batch, catalog.Entity{FQN: listingFQN, Kind: catalog.KindListing, Service: c.name, ParentFQN: dom.FQN,
				Name: asset.Name, Description: asset.Description, Attrs: attrs})
		}
		_, err := c.s.srv.opts.Store.Upsert(ctx, scanID, batch)
		return err
	})
	if err != nil || published {
		return err
	}
	if l, err := c.s.srv.opts.Store.Get(ctx, listingFQN); err != nil || l.Deleted {
		return nil // never catalogued: nothing to mark
	}
	return markGone(ctx, c, tool, catalog.Entity{FQN: listingFQN, Kind: catalog.KindListing, ParentFQN: dom.FQN})
}

// sourceFields are what CreateDataSource and UpdateDataSource return.
type sourceFields struct {
	id, name, description, typ, env, status, lastRun, enable string
	schedule                                                 *types.ScheduleConfiguration
	config                                                   types.DataSourceConfigurationOutput
	created, updated                                         *time.Time
}

func recordSource(ctx context.Context, c *liveConn, tool string, proj catalog.Entity, old *catalog.Entity, f sourceFields) (string, error) {
	fqn := ""
	if old != nil {
		fqn = old.FQN
	} else {
		var err error
		if fqn, err = placeFQN(ctx, c, proj.FQN, catalog.KindDataSource, "data_source:", f.name, f.id); err != nil {
			return "", err
		}
	}
	attrs := map[string]any{"id": f.id}
	setAttr(attrs, "status", f.status)
	setAttr(attrs, "type", f.typ)
	setAttr(attrs, "environmentId", f.env)
	setAttr(attrs, "lastRunStatus", f.lastRun)
	setAttr(attrs, "enableSetting", f.enable)
	if f.schedule != nil {
		setAttr(attrs, "schedule", aws.ToString(f.schedule.Schedule))
		setAttr(attrs, "timezone", string(f.schedule.Timezone))
	}
	if g, ok := f.config.(*types.DataSourceConfigurationOutputMemberGlueRunConfiguration); ok {
		cfg := map[string]any{"engine": "GLUE"}
		setAttr(cfg, "region", aws.ToString(g.Value.Region))
		setAttr(cfg, "dataAccessRole", aws.ToString(g.Value.DataAccessRole))
		var dbs []any
		for _, r := range g.Value.RelationalFilterConfigurations {
			dbs = append(dbs, map[string]any{"database": aws.ToString(r.DatabaseName)})
		}
		if dbs != nil {
			cfg["databases"] = dbs
		}
		attrs["configuration"] = cfg
	}
	e := catalog.Entity{FQN: fqn, Kind: catalog.KindDataSource, Service: c.name, ParentFQN: proj.FQN, Name: f.name, Description: f.description,
		Attrs: attrs, SourceCreated: utcPtr(f.created), SourceUpdated: utcPtr(f.updated)}
	return fqn, writeScan(ctx, c, tool, func(scanID int64) error {
		_, err := c.s.srv.opts.Store.Upsert(ctx, scanID, []catalog.Entity{e})
		return err
	})
}

// glueARNOf returns arn when it names a Glue table, "" otherwise (the
// scanner's rule).
func glueARNOf(arn string) string {
	if strings.HasPrefix(arn, "arn:aws") && strings.Contains(arn, ":glue:") && strings.Contains(arn, ":table/") {
		return arn
	}
	return ""
}

func setAttr(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}

func anySlice(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
