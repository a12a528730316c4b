package lineage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Attributes the DataZone ↔ Glue link writes.
const (
	// AttrGlueTable on a DataZone asset: the FQN of the Glue table its
	// glueTableArn names.
	AttrGlueTable = "glueTable"
	// AttrDataZoneAssets on a Glue table: the FQNs of the DataZone assets
	// describing it ("governed in DataZone as ...").
	AttrDataZoneAssets = "dataZoneAssets"
)

// dataZoneLinks links the DataZone assets of an account to the Glue tables
// their glueTableArn (arn:aws:glue:<region>:<account>:table/<db>/<table>)
// names, when a glue service of the same account (its catalogId, else its
// accountId) catalogues that table, in both directions: glueTable on the
// asset, dataZoneAssets on the table. Like the storage links it runs after
// the scan of either side, so whichever runs second makes the link. Scans
// keep the links they find in the catalog (KeepLinks), so this pass writes
// only links that really changed.
//
// Every link of the account is recomputed from what is live, never kept:
// a link to a table gone, or to a table of a Glue service no longer there,
// is removed. After a scan, an account without a DataZone service is not
// read at all (its Glue tables can only hold links when a DataZone service
// was removed); a rebuild (full) reads it and clears them.
//
// Each changed entity is rewritten under the scan that last saw it
// (LastScanID), not under this one: stamping another service's entities
// with this scan would let that service's next MarkMissing mistake them
// for unseen. Link changes are recorded in history like any update.
func (b *Builder) dataZoneLinks(ctx context.Context, service string, full bool) (int, error) {
	acct, err := b.accountOf(ctx, service)
	if err != nil || acct.id == "" {
		return 0, err
	}
	if len(acct.dzs) == 0 && (!full || len(acct.glues) == 0) {
		return 0, nil
	}
	// The account's Glue tables, by region/database/table (Glue names are
	// lower case; ARNs built by hand may not be).
	tables := map[string]catalog.Entity{}
	var tableList []catalog.Entity
	for _, g := range acct.glues {
		region, _ := g.Attrs["region"].(string)
		dbs, err := b.children(ctx, g.FQN, g.Service, catalog.KindDatabase)
		if err != nil {
			return 0, err
		}
		for _, db := range dbs {
			ts, err := b.children(ctx, db.FQN, g.Service, catalog.KindTable)
			if err != nil {
				return 0, err
			}
			for _, t := range ts {
				key := strings.ToLower(region + "/" + db.Name + "/" + t.Name)
				if _, dup := tables[key]; !dup {
					tables[key] = t
				}
				tableList = append(tableList, t)
			}
		}
	}
	assets, err := b.accountAssets(ctx, acct.dzs)
	if err != nil {
		return 0, err
	}

	governed := map[string][]string{} // table FQN -> asset FQNs
	var changed []catalog.Entity
	links := 0
	for _, a := range assets {
		want := ""
		if region, owner, db, table, ok := ParseGlueTableARN(str(a.Attrs["glueTableArn"])); ok && owner == acct.id {
			if t, ok := tables[strings.ToLower(region+"/"+db+"/"+table)]; ok {
				want = t.FQN
				governed[t.FQN] = append(governed[t.FQN], a.FQN)
				links++
			}
		}
		if str(a.Attrs[AttrGlueTable]) != want {
			changed = append(changed, withAttr(a, AttrGlueTable, want))
		}
	}
	for _, t := range tableList {
		want := governed[t.FQN]
		slices.Sort(want)
		if !slices.Equal(strs(t.Attrs[AttrDataZoneAssets]), want) {
			var v any
			if len(want) > 0 {
				v = anys(want)
			}
			changed = append(changed, withAttr(t, AttrDataZoneAssets, v))
		}
	}
	byScan := map[int64][]catalog.Entity{}
	for _, e := range changed {
		byScan[e.LastScanID] = append(byScan[e.LastScanID], e)
	}
	for scanID, batch := range byScan {
		for start := 0; start < len(batch); start += originBatch {
			if _, err := b.Writer.Upsert(ctx, scanID, batch[start:min(start+originBatch, len(batch))]); err != nil {
				return 0, fmt.Errorf("record DataZone ↔ Glue links of account %s: %w", acct.id, err)
			}
		}
	}
	return links, nil
}

// account is the DataZone and Glue services cataloguing one AWS account.
type account struct {
	id          string
	dzs, glues  []catalog.Entity
	serviceType string // the source type of the service asked about
}

// accountOf finds the account service catalogues and the DataZone and
// Glue services of that account; id is "" for a service the catalog does
// not hold or whose account is unknown.
func (b *Builder) accountOf(ctx context.Context, service string) (account, error) {
	services, err := b.children(ctx, "", "", catalog.KindService)
	if err != nil {
		return account{}, err
	}
	i := slices.IndexFunc(services, func(e catalog.Entity) bool { return e.Service == service })
	if i < 0 {
		return account{}, nil
	}
	out := account{id: serviceAccount(services[i]), serviceType: str(services[i].Attrs["sourceType"])}
	if out.id == "" {
		return account{}, nil
	}
	for _, s := range services {
		if serviceAccount(s) != out.id {
			continue
		}
		switch s.Attrs["sourceType"] {
		case "datazone":
			out.dzs = append(out.dzs, s)
		case "glue":
			out.glues = append(out.glues, s)
		}
	}
	return out, nil
}

// accountAssets lists the live assets of the DataZone services dzs.
func (b *Builder) accountAssets(ctx context.Context, dzs []catalog.Entity) ([]catalog.Entity, error) {
	var assets []catalog.Entity
	for _, d := range dzs {
		doms, err := b.children(ctx, d.FQN, d.Service, catalog.KindDomain)
		if err != nil {
			return nil, err
		}
		for _, dom := range doms {
			projects, err := b.children(ctx, dom.FQN, d.Service, catalog.KindProject)
			if err != nil {
				return nil, err
			}
			for _, p := range projects {
				as, err := b.children(ctx, p.FQN, d.Service, catalog.KindAsset)
				if err != nil {
					return nil, err
				}
				assets = append(assets, as...)
			}
		}
	}
	return assets, nil
}

// ParseGlueTableARN splits arn:aws:glue:<region>:<account>:table/<db>/<table>.
func ParseGlueTableARN(arn string) (region, account, db, table string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[0], "arn") || parts[2] != "glue" {
		return "", "", "", "", false
	}
	rest, found := strings.CutPrefix(parts[5], "table/")
	if !found {
		return "", "", "", "", false
	}
	db, table, found = strings.Cut(rest, "/")
	if !found || db == "" || table == "" {
		return "", "", "", "", false
	}
	return parts[3], parts[4], db, table, true
}

// serviceAccount is the account whose data a service catalogues: a glue
// service's catalogId when it scans another account's catalog.
func serviceAccount(s catalog.Entity) string {
	if c := str(s.Attrs["catalogId"]); c != "" {
		return c
	}
	return str(s.Attrs["accountId"])
}

// children lists every live entity of kind directly under parent (the
// services themselves for parent "").
func (b *Builder) children(ctx context.Context, parent, service string, kind catalog.Kind) ([]catalog.Entity, error) {
	var out []catalog.Entity
	after := ""
	for {
		page, err := b.Entities.List(ctx, catalog.ListQuery{ParentFQN: parent, Service: service, Kinds: []catalog.Kind{kind}, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("DataZone ↔ Glue links: listing %s under %q: %w", kind, parent, err)
		}
		out = append(out, page.Entities...)
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}

func withAttr(e catalog.Entity, key string, v any) catalog.Entity {
	attrs := make(map[string]any, len(e.Attrs)+1)
	for k, x := range e.Attrs {
		attrs[k] = x
	}
	if v == nil || v == "" {
		delete(attrs, key)
	} else {
		attrs[key] = v
	}
	e.Attrs = attrs
	return e
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func anys(v []string) []any {
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}
