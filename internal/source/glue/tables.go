package glue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/catalog"
)

// scanTable reads what hangs off one table (partitions, column statistics)
// and emits the table and its columns.
//
// The table entity is emitted last, after its partitions were staged, so
// that its partitionCount and newest partition are exact and it is written
// once per scan, and so that its partitions appear in its write: a crash
// leaves the table with its old partitions or with all of its new ones. A
// partition listing that failed part way is written as far as it got,
// with the table that counts it, and deletes nothing.
func (r *run) scanTable(ctx context.Context, dbFQN string, t *types.Table) error {
	s := r.s
	entities := tableEntities(dbFQN, s.ServiceName, t)
	tableFQN := entities[0].FQN
	view := isView(t)

	var parts partitionSummary
	partsListed := false
	if s.Config.IncludePartitions && len(t.PartitionKeys) > 0 && !view {
		var err error
		if parts, partsListed, err = r.scanPartitions(ctx, tableFQN, t); err != nil {
			return err
		}
		if partsListed || parts.count > 0 {
			parts.apply(entities[0].Attrs)
		}
	}
	if stats, _ := s.optionals(); s.Config.IncludeColumnStatistics && !view && stats.On() {
		stats, err := r.columnStats(ctx, t)
		if err != nil {
			return err
		}
		for i := range entities[1:] {
			e := &entities[1+i]
			if st, ok := stats[e.Name]; ok && e.ParentFQN == tableFQN {
				e.Attrs["statistics"] = st
			}
		}
	}
	// The table, its columns and the deletion of what is gone from its
	// listings are one write.
	done := columnListings(dbFQN, t)
	if partsListed {
		done = append(done, catalog.Listing{ParentFQN: tableFQN, Kinds: []catalog.Kind{catalog.KindPartition}})
	}
	if err := r.sink.EmitComplete(ctx, entities, done...); err != nil {
		return err
	}
	r.sink.Progress(catalog.KindTable, 1)
	return nil
}

// tableCatalogID is the catalog to name in calls about t.
func (r *run) tableCatalogID(t *types.Table) *string {
	if r.catalogID != "" {
		return aws.String(r.catalogID)
	}
	return t.CatalogId
}
