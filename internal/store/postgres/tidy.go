package postgres

import (
	"context"
	"sync/atomic"

	"github.com/lakemap/lakemap/internal/catalog"
)

// tidyAfterWrites is how many entities a scan must add or change before its
// end tidies the search indexes.
const tidyAfterWrites = 10_000

// countWritten adds a batch's added and updated entities to its scan's
// count.
func (s *Store) countWritten(scanID int64, stats catalog.WriteStats) {
	var n int64
	for _, c := range stats {
		n += c.Added + c.Updated
	}
	if n == 0 {
		return
	}
	v, _ := s.written.LoadOrStore(scanID, new(atomic.Int64))
	v.(*atomic.Int64).Add(n)
}

// tidyAfter readies the catalog for searching after a big scan: new
// entries wait in the GIN indexes' pending lists, which every search reads
// through until autovacuum merges them, and the planner's statistics
// predate the scan (with stale ones it reads the whole table for an
// in-word search). Failing here loses nothing: autovacuum does the same
// later, so errors are not reported.
func (s *Store) tidyAfter(ctx context.Context, scanID int64) {
	v, ok := s.written.LoadAndDelete(scanID)
	if !ok || v.(*atomic.Int64).Load() < tidyAfterWrites {
		return
	}
	_, _ = s.pool.Exec(ctx, `SELECT gin_clean_pending_list(c.oid) FROM pg_class c
		WHERE c.relname IN ('entities_search', 'entities_search_names', 'entities_search_columns', 'entities_search_columns_sample', 'entities_search_queries', 'entities_inword_name', 'entities_inword_description')`)
	_, _ = s.pool.Exec(ctx, `ANALYZE entities`)
}
