package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestExactNamesUseTheNameIndex: the exact-name index leaves partitions
// and objects out (migration 0013), so SQLite uses it only for a query
// that excludes them the same way; without it, every search would read
// the whole entities table.
func TestExactNamesUseTheNameIndex(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	filter := " AND e.deleted = 0 AND e.kind <> 'query_execution' AND e.service IN (?)"
	rows, err := s.read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+exactSQL(2, filter), "orders", "Orders", "svc")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "USING INDEX entities_name_service") {
		t.Errorf("exact-name search plan: %s", got)
	}
}
