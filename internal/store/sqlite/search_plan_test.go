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
	filter := " AND e.deleted = 0 AND e.kind <> 'query_execution' AND e.service IN (?)"
	if got := queryPlan(t, exactSQL(2, filter), "orders", "Orders", "svc"); !strings.Contains(got, "USING INDEX entities_name_service") {
		t.Errorf("exact-name search plan: %s", got)
	}
}

// TestStagedRangeProbeSeeks: telling a page of staged parts all new
// reads two staged keys and one stretch of the fqn index, never a table.
func TestStagedRangeProbeSeeks(t *testing.T) {
	r := stagedRange{scanID: 1, owner: "svc.db.t", after: "svc.db.t.a", upTo: "svc.db.t.z"}
	got := queryPlan(t, unknownRangeSQL(r), append(r.args(), r.args()...)...)
	for _, step := range strings.Split(got, "; ") {
		if strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" {
			t.Errorf("staged range probe scans: %s", got)
		}
	}
	if !strings.Contains(got, "entities USING COVERING INDEX sqlite_autoindex_entities_1 (fqn>? AND fqn<?)") {
		t.Errorf("staged range probe plan: %s", got)
	}
}

// queryPlan is SQLite's plan for query in a new catalog, its steps joined
// by "; ".
func queryPlan(t *testing.T, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
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
	return strings.Join(plan, "; ")
}
