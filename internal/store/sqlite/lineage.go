package sqlite

import (
	"context"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/lineagesql"
)

// The lineage tables come from migration 0004_lineage.sql; the SQL that
// reads and writes them lives in internal/lineage/lineagesql, which this
// store attaches to its writer and reader pools.

var _ catalog.LineageStore = (*Store)(nil)

func (s *Store) lineage() *lineagesql.Store { return lineagesql.Attach(s.write, s.read) }

// ReplaceEdges implements catalog.LineageStore.
func (s *Store) ReplaceEdges(ctx context.Context, scanID int64, kind catalog.EdgeKind, origins []string, edges []catalog.Edge) error {
	return s.lineage().ReplaceEdges(ctx, scanID, kind, origins, edges)
}

// Edges implements catalog.LineageStore.
func (s *Store) Edges(ctx context.Context, fqn string, dir catalog.Direction, depth int) ([]catalog.Edge, error) {
	return s.lineage().Edges(ctx, fqn, dir, depth)
}

// ReplaceLocations implements catalog.LineageStore.
func (s *Store) ReplaceLocations(ctx context.Context, service string, locs []catalog.Location) error {
	return s.lineage().ReplaceLocations(ctx, service, locs)
}

// LocationsInBucket implements catalog.LineageStore.
func (s *Store) LocationsInBucket(ctx context.Context, bucket string) ([]catalog.Location, error) {
	return s.lineage().LocationsInBucket(ctx, bucket)
}
