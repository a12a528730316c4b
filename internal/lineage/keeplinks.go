package lineage

import (
	"context"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// KeepLinks returns w with the DataZone ↔ Glue links the catalog holds put
// back on the entities a scan of service writes: a source knows nothing of
// links (they are derived after the scan), so without this every rescan of
// a linked asset or table would write it once without its link and the
// lineage pass once with it, two history entries for nothing. With it an
// unchanged entity stays unchanged; a link that really changes is written
// by the lineage pass after the scan.
//
// Only the account's links are read (the assets holding one), never its
// tables: scanning a Glue service of an account without DataZone costs
// one listing of services.
func (b *Builder) KeepLinks(ctx context.Context, service string, w catalog.ScanWriter) (catalog.ScanWriter, error) {
	acct, err := b.accountOf(ctx, service)
	if err != nil {
		return nil, err
	}
	if acct.id == "" || len(acct.dzs) == 0 || (acct.serviceType != "datazone" && acct.serviceType != "glue") {
		return w, nil
	}
	assets, err := b.accountAssets(ctx, acct.dzs)
	if err != nil {
		return nil, err
	}
	k := &linkKeeper{ScanWriter: w, glueTable: map[string]assetLink{}, governed: map[string][]any{}}
	for _, a := range assets {
		t := str(a.Attrs[AttrGlueTable])
		if t == "" {
			continue
		}
		k.glueTable[a.FQN] = assetLink{table: t, arn: str(a.Attrs["glueTableArn"])}
		k.governed[t] = append(k.governed[t], a.FQN)
	}
	if len(k.glueTable) == 0 {
		return w, nil
	}
	for t, as := range k.governed {
		slices.SortFunc(as, func(x, y any) int { return strings.Compare(x.(string), y.(string)) })
		k.governed[t] = as
	}
	return k, nil
}

// linkKeeper is KeepLinks' writer.
type linkKeeper struct {
	catalog.ScanWriter
	glueTable map[string]assetLink // by asset FQN
	governed  map[string][]any     // table FQN -> sorted asset FQNs
}

// assetLink is an asset's link and the ARN it was made from: an asset
// whose ARN changed is written without its old link.
type assetLink struct{ table, arn string }

func (k *linkKeeper) Upsert(ctx context.Context, scanID int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	k.keep(batch)
	return k.ScanWriter.Upsert(ctx, scanID, batch)
}

func (k *linkKeeper) Write(ctx context.Context, scanID int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	k.keep(w.Batch)
	for _, p := range w.Parts {
		k.keep(p.Entities)
	}
	return k.ScanWriter.Write(ctx, scanID, w)
}

// keep puts the links back on the batch's assets and tables.
func (k *linkKeeper) keep(batch []catalog.Entity) {
	for i := range batch {
		e := &batch[i]
		switch e.Kind {
		case catalog.KindAsset:
			if l, ok := k.glueTable[e.FQN]; ok && e.Attrs[AttrGlueTable] == nil && str(e.Attrs["glueTableArn"]) == l.arn {
				*e = withAttr(*e, AttrGlueTable, l.table)
			}
		case catalog.KindTable:
			if as, ok := k.governed[e.FQN]; ok && e.Attrs[AttrDataZoneAssets] == nil {
				*e = withAttr(*e, AttrDataZoneAssets, slices.Clone(as))
			}
		}
	}
}
