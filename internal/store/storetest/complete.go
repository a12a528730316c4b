package storetest

import (
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testUpsertComplete (Write without parts): a table's new state and the
// deletion of what left it are one write — both, or neither when any part
// fails.
func testUpsertComplete(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	columns := []catalog.Kind{catalog.KindColumn}
	begin := func() int64 {
		t.Helper()
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return sc.ID
	}
	get := func(fqn string) catalog.Entity { return mustGet(t, s, fqn) }

	// orders loses customer_email and gains total.
	id := begin()
	st, err := s.Write(ctx, id, catalog.ScanWrite{Batch: []catalog.Entity{
		ent(catalog.KindTable, "svc.sales.orders", "One row per order, v2", nil),
		ent(catalog.KindColumn, "svc.sales.orders.order_id", "primary key", map[string]any{"dataType": "bigint", "ordinal": int64(0)}),
		ent(catalog.KindColumn, "svc.sales.orders.total", "", map[string]any{"dataType": "double", "ordinal": int64(1)}),
	}, Completed: []catalog.Listing{{ParentFQN: "svc.sales.orders", Kinds: columns}}})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	c := st.Of(catalog.KindColumn)
	if st.Of(catalog.KindTable).Updated != 1 || c.Added != 1 || c.Unchanged != 1 || c.Deleted != 1 {
		t.Errorf("stats: table %+v, columns %+v", *st.Of(catalog.KindTable), *c)
	}
	if !get("svc.sales.orders.customer_email").Deleted || get("svc.sales.orders.total").Deleted || get("svc.sales.orders.order_id").Deleted {
		t.Error("after the write: want customer_email deleted, order_id and total live")
	}
	if h, _ := s.History(ctx, "svc.sales.orders.customer_email", 1); len(h) != 1 || h[0].Type != catalog.ChangeDeleted {
		t.Errorf("customer_email history = %+v, want deleted", h)
	}
	// A write that fails leaves the table and its columns as they were:
	// the dropped salary stays live.
	id = begin()
	_, err = s.Write(ctx, id, catalog.ScanWrite{Batch: []catalog.Entity{
		ent(catalog.KindTable, "svc.hr.employees", "Staff, v2", nil),
		{FQN: "svc.hr.employees.bogus", Kind: "no-such-kind"},
	}, Completed: []catalog.Listing{{ParentFQN: "svc.hr.employees", Kinds: columns}}})
	if err == nil {
		t.Fatal("Write with an unknown kind succeeded")
	}
	if e := get("svc.hr.employees"); e.Description != "Staff — personnel 日本語" || e.Deleted {
		t.Errorf("employees after a failed write: %q deleted=%v, want as before", e.Description, e.Deleted)
	}
	if get("svc.hr.employees.salary").Deleted {
		t.Error("salary marked deleted by a write that failed")
	}

	// Completions alone: hr's tables were not seen by this scan.
	st, err = s.Write(ctx, id, catalog.ScanWrite{Completed: []catalog.Listing{{ParentFQN: "svc.hr", Kinds: []catalog.Kind{catalog.KindTable}}}})
	if err != nil {
		t.Fatalf("Write without entities: %v", err)
	}
	if st.Of(catalog.KindTable).Deleted != 1 || st.Of(catalog.KindColumn).Deleted != 1 || !get("svc.hr.employees.salary").Deleted {
		t.Errorf("completing hr: %+v %+v, want employees and salary deleted", *st.Of(catalog.KindTable), *st.Of(catalog.KindColumn))
	}
}
