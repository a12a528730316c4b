package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestExactNamesUseTheNameIndex: the exact-name index leaves partitions
// and objects out (migration 0009), so the planner can use it only for a
// query that excludes them the same way. Sequential scans are switched off
// for the test: on an empty table the planner would rightly prefer one.
func TestExactNamesUseTheNameIndex(t *testing.T) {
	s := open(t)
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
	rows, err := conn.Query(ctx, `EXPLAIN `+exactSQL(" AND NOT e.deleted AND e.service = ANY($2)", "$3"), []string{"orders"}, []string{"svc"}, 20)
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
	if got := strings.Join(plan, "; "); !strings.Contains(got, "entities_name_lower") {
		t.Errorf("exact-name search plan: %s", got)
	}
}
