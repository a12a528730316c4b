package datazone

import (
	"context"
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
)

// build derives lineage after a scan, as ingest does.
func build(t *testing.T, store *sqlite.Store, scanID int64) lineage.Report {
	t.Helper()
	rep, err := (&lineage.Builder{Entities: store, Lineage: store, Writer: store}).AfterScan(context.Background(), "dz", scanID)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func edges(t *testing.T, store *sqlite.Store, fqn string, dir catalog.Direction) []string {
	t.Helper()
	es, err := store.Edges(context.Background(), fqn, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Kind == catalog.EdgeDataZone {
			out = append(out, e.From+" -> "+e.To)
		}
	}
	slices.Sort(out)
	return out
}

// DataZone's lineage (GetLineageNode, through the real SDK client against
// the fake) becomes edges between the catalogued assets, both ends of a
// link reporting it once, and the edges follow DataZone when it changes.
func TestDataZoneLineageEdges(t *testing.T) {
	l := newLake(t, "410000000011", 10)
	store := sqlitetest.Open(t)
	sum := l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	rep := build(t, store, sum.ScanID)
	// Every project: customers (asset 1) reads orders (asset 0).
	if n := rep.Edges[string(catalog.EdgeDataZone)]; n != projects {
		t.Errorf("%d DataZone edges, want %d: %+v", n, projects, rep)
	}
	orders, customers := "dz.Sales Analytics.Team 01.orders", "dz.Sales Analytics.Team 01.customers"
	want := []string{orders + " -> " + customers}
	if got := edges(t, store, customers, catalog.Upstream); !slices.Equal(got, want) {
		t.Errorf("upstream of customers = %v, want %v", got, want)
	}
	if got := edges(t, store, orders, catalog.Downstream); !slices.Equal(got, want) {
		t.Errorf("downstream of orders = %v, want %v", got, want)
	}
	node, _ := get(t, store, customers).Attrs[AttrLineageNode].(map[string]any)
	if up, _ := node["upstream"].([]any); node["id"] != "a0011" || len(up) != 1 || up[0] != "a0010" {
		t.Errorf("lineage node = %#v", node)
	}

	// DataZone now says customers reads invoices and an unknown node.
	l.fake.Edit(l.cust.AccountID, func(e *datazonefake.Estate) {
		e.Domains[0].Lineage["a0011"] = []string{"a0012", "node-from-openlineage"}
	})
	sum = l.scan(t, store, nil)
	rep = build(t, store, sum.ScanID)
	want = []string{"dz.Sales Analytics.Team 01.invoices -> " + customers}
	if got := edges(t, store, customers, catalog.Upstream); !slices.Equal(got, want) {
		t.Errorf("after the change, upstream of customers = %v, want %v", got, want)
	}
	if got := edges(t, store, orders, catalog.Downstream); len(got) != 0 {
		t.Errorf("a lineage DataZone dropped is still there: %v", got)
	}
	if rep.Unresolved != 1 {
		t.Errorf("unresolved = %d, want 1 (the node no asset holds)", rep.Unresolved)
	}
}

// The guide's ReadOnly role lacks datazone:GetLineageNode: one probe, no
// warning, no lineage; the scan is otherwise complete.
func TestDataZoneLineageDenied(t *testing.T) {
	l := newLake(t, "410000000012", 50)
	l.fake.Allow(l.cust.AccountID, datazonefake.GuideReadOnly)
	store := sqlitetest.Open(t)
	sum := l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded || len(sum.Warnings) != 0 {
		t.Fatalf("status %s: %v %v", sum.Status, sum.Errors, sum.Warnings)
	}
	if n := l.fake.Count("GetLineageNode"); n != 1 {
		t.Errorf("%d GetLineageNode calls, want the one probe", n)
	}
	if _, ok := get(t, store, "dz.Sales Analytics.Team 01.customers").Attrs[AttrLineageNode]; ok {
		t.Error("lineage read though denied")
	}
	if n := build(t, store, sum.ScanID).Edges[string(catalog.EdgeDataZone)]; n != 0 {
		t.Errorf("%d DataZone edges without lineage", n)
	}

	// useLineage: false sends none.
	l.fake.ClearRequests()
	cfg := DefaultSourceConfig()
	cfg.UseLineage = false
	l.scan(t, store, cfg)
	if n := l.fake.Count("GetLineageNode"); n != 0 {
		t.Errorf("%d GetLineageNode calls with useLineage false", n)
	}
}
