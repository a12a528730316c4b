package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestExactNamesUseTheNameIndex: the exact-name index leaves partitions
// and objects out (migration 0009), so the planner can use it only for a
// query that excludes them the same way.
func TestExactNamesUseTheNameIndex(t *testing.T) {
	s := open(t)
	got := queryPlan(t, s, exactSQL(" AND NOT e.deleted AND e.service = ANY($2)", "$3"), []string{"orders"}, []string{"svc"}, 20)
	if !strings.Contains(got, "entities_name_lower") {
		t.Errorf("exact-name search plan: %s", got)
	}
}

// TestSearchesUseTheSearchIndexes: the datasets' search indexes and their
// names-only twin leave out rows without a search vector (migration 0010);
// the planner still uses them for the searches' matches, which imply one.
func TestSearchesUseTheSearchIndexes(t *testing.T) {
	s := open(t)
	for match, index := range map[string]string{
		"e.search @@ $1::tsquery":       "entities_search ",
		namesVector + " @@ $1::tsquery": "entities_search_names",
	} {
		got := queryPlan(t, s, `SELECT e.id FROM entities e WHERE `+match+` AND `+searchIndexes[0]+` AND NOT e.deleted LIMIT 20`, "orders")
		if !strings.Contains(got+" ", index) {
			t.Errorf("search plan for %s: %s", match, got)
		}
	}
}

// queryPlan is the plan of query, its lines joined by "; ". Sequential
// scans are switched off: on an empty table the planner would rightly
// prefer one.
func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `RESET enable_seqscan`)
	rows, err := conn.Query(ctx, `EXPLAIN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, strings.TrimSpace(line))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}
