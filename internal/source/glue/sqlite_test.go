package glue

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// TestScanIntoSQLite runs the scanner into the real embedded store: a
// table's partitions are staged and published with the table (see
// scanTable), and a rescan of an unchanged catalog changes nothing.
func TestScanIntoSQLite(t *testing.T) {
	g := smallCatalog()
	srv := g.start(t)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	run := func() scan.Summary {
		t.Helper()
		sum, err := (&scan.Runner{Store: store}).Run(ctx, "svc", "glue", newSyntheticScanner(t, g, srv.URL, scanOpts{athena: true, segmentAfter: 2}))
		if err != nil || sum.Status != catalog.ScanSucceeded {
			t.Fatalf("scan %s: %v %v", sum.Status, err, sum.Errors)
		}
		return sum
	}
	first := run()
	if c := first.Stats[catalog.KindPartition]; c == nil || c.Added != 87 {
		t.Fatalf("first scan partitions: %+v", c)
	}
	second := run()
	for kind, c := range second.Stats {
		if c.Added+c.Updated+c.Deleted != 0 {
			t.Errorf("rescan changed %s: %+v", kind, *c)
		}
	}
	rep, err := (&lineage.Builder{Entities: store, Lineage: store}).AfterScan(ctx, "svc", second.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queries != 240 || rep.QueriesWriting != 48 {
		t.Errorf("lineage report %+v", rep)
	}
	edges, err := store.Edges(ctx, "svc.db_001.orders_00000", catalog.Upstream, 1)
	if err != nil || len(edges) == 0 || edges[0].From != "svc.db_000.orders_00000" || edges[0].Kind != catalog.EdgeQuery {
		t.Errorf("lineage into db_001.orders_00000: %+v, %v", edges, err)
	}
}
