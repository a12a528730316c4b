package lineage

import (
	"context"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// storage records the service's S3 locations and recomputes the storage
// edges of every table they concern: the service's own tables, and, when
// the service is an S3 one, the tables of other services whose data lives
// in its buckets. It returns the number of edges recorded.
func (b *Builder) storage(ctx context.Context, w *walked, scanID int64, rep *Report) (int, error) {
	var locs []catalog.Location
	for _, t := range w.tables {
		if bucket, prefix, ok := ParseS3(t.location); ok {
			locs = append(locs, catalog.Location{FQN: t.entity.FQN, Kind: catalog.KindTable, Service: w.service, Bucket: bucket, Prefix: prefix})
		}
	}
	locs = append(locs, w.s3...)
	if err := b.Lineage.ReplaceLocations(ctx, w.service, locs); err != nil {
		return 0, fmt.Errorf("record S3 locations of %q: %w", w.service, err)
	}
	rep.Locations = len(locs)

	buckets := map[string][]catalog.Location{}
	inBucket := func(bucket string) ([]catalog.Location, error) {
		if l, ok := buckets[bucket]; ok {
			return l, nil
		}
		l, err := b.Lineage.LocationsInBucket(ctx, bucket)
		if err != nil {
			return nil, err
		}
		buckets[bucket] = l
		return l, nil
	}
	var edges []catalog.Edge
	var origins []string
	seen := map[string]bool{}
	link := func(table catalog.Location, in []catalog.Location, location string) {
		for _, c := range bestContainers(in, table.Prefix) {
			edges = append(edges, catalog.Edge{
				From: c.FQN, To: table.FQN, Kind: catalog.EdgeStorage, Origin: table.FQN,
				Evidence: location, Service: table.Service, ScanID: scanID,
			})
		}
	}
	for _, t := range w.tables {
		origins = append(origins, t.entity.FQN)
		seen[t.entity.FQN] = true
		bucket, prefix, ok := ParseS3(t.location)
		if !ok {
			continue
		}
		in, err := inBucket(bucket)
		if err != nil {
			return 0, fmt.Errorf("storage lineage of %s: %w", t.entity.FQN, err)
		}
		link(catalog.Location{FQN: t.entity.FQN, Kind: catalog.KindTable, Service: w.service, Bucket: bucket, Prefix: prefix}, in, t.location)
	}
	for _, l := range w.s3 {
		if l.Kind != catalog.KindBucket {
			continue
		}
		in, err := inBucket(l.Bucket)
		if err != nil {
			return 0, fmt.Errorf("storage lineage of bucket %s: %w", l.Bucket, err)
		}
		for _, t := range in {
			if t.Kind != catalog.KindTable || seen[t.FQN] {
				continue
			}
			seen[t.FQN] = true
			origins = append(origins, t.FQN)
			link(t, in, "s3://"+t.Bucket+"/"+t.Prefix)
		}
	}
	if err := b.replace(ctx, scanID, catalog.EdgeStorage, origins, edges); err != nil {
		return 0, err
	}
	return len(edges), nil
}

// bestContainers picks the S3 entities holding prefix most closely: the
// containers (or bucket) whose prefix is the longest one prefix starts
// with. Several when several S3 services catalogue the same place.
func bestContainers(in []catalog.Location, prefix string) []catalog.Location {
	best := -1
	var out []catalog.Location
	for _, l := range in {
		if l.Kind == catalog.KindTable || !strings.HasPrefix(prefix, l.Prefix) {
			continue
		}
		switch n := len(l.Prefix); {
		case n > best:
			best, out = n, []catalog.Location{l}
		case n == best:
			out = append(out, l)
		}
	}
	return out
}
