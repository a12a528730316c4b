package lineage_test

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

const dzAccount = "111122223333"

func glueAccountLake() []catalog.Entity {
	return []catalog.Entity{
		ent(catalog.KindService, "lake", map[string]any{"sourceType": "glue", "region": "us-east-1", "accountId": dzAccount}),
		ent(catalog.KindDatabase, "lake.sales", nil),
		table("lake.sales.orders", ""),
		table("lake.sales.returns", ""),
	}
}

func dzEstate(ordersARN string) []catalog.Entity {
	return []catalog.Entity{
		ent(catalog.KindService, "dz", map[string]any{"sourceType": "datazone", "region": "us-east-1", "accountId": dzAccount}),
		ent(catalog.KindDomain, "dz.Sales", map[string]any{"id": "dzd_1"}),
		ent(catalog.KindProject, "dz.Sales.Team", map[string]any{"id": "p1"}),
		ent(catalog.KindAsset, "dz.Sales.Team.orders", map[string]any{"id": "a1", "glueTableArn": ordersARN}),
		ent(catalog.KindAsset, "dz.Sales.Team.elsewhere", map[string]any{"id": "a2", "glueTableArn": "arn:aws:glue:us-east-1:999999999999:table/sales/orders"}),
		ent(catalog.KindAsset, "dz.Sales.Team.missing", map[string]any{"id": "a3", "glueTableArn": "arn:aws:glue:us-east-1:" + dzAccount + ":table/sales/nope"}),
		ent(catalog.KindAsset, "dz.Sales.Team.orders_copy", map[string]any{"id": "a4", "glueTableArn": "arn:aws:glue:us-east-1:" + dzAccount + ":table/SALES/Orders"}),
	}
}

// scanLink scans entities and derives lineage with the link writer and
// the links kept, as ingest does.
func scanLink(t *testing.T, store catalog.Store, service, sourceType string, entities []catalog.Entity) (lineage.Report, int64) {
	t.Helper()
	b := &lineage.Builder{Entities: store, Lineage: store, Writer: store, Sources: all.NewRegistry()}
	w, err := b.KeepLinks(context.Background(), service, store)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := (&scan.Runner{Store: w}).Run(context.Background(), service, sourceType, staticSource(entities))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := b.AfterScan(context.Background(), service, sum.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	return rep, sum.ScanID
}

func TestDataZoneGlueLink(t *testing.T) {
	store := sqlitetest.Open(t)
	ctx := context.Background()
	get := func(fqn string) catalog.Entity {
		t.Helper()
		e, err := store.Get(ctx, fqn)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	governed := func(fqn string) []string {
		raw, _ := get(fqn).Attrs[lineage.AttrDataZoneAssets].([]any)
		var out []string
		for _, v := range raw {
			out = append(out, v.(string))
		}
		return out
	}
	ordersARN := "arn:aws:glue:us-east-1:" + dzAccount + ":table/sales/orders"

	t.Run("DataZone scanned after Glue", func(t *testing.T) {
		_, glueScan := scanLink(t, store, "lake", "glue", glueAccountLake())
		rep, _ := scanLink(t, store, "dz", "datazone", dzEstate(ordersARN))
		if rep.DataZoneLinks != 2 {
			t.Errorf("links = %d, want 2 (orders and its upper-case twin)", rep.DataZoneLinks)
		}
		if g := get("dz.Sales.Team.orders").Attrs[lineage.AttrGlueTable]; g != "lake.sales.orders" {
			t.Errorf("asset glueTable = %v", g)
		}
		for _, fqn := range []string{"dz.Sales.Team.elsewhere", "dz.Sales.Team.missing"} {
			if g, ok := get(fqn).Attrs[lineage.AttrGlueTable]; ok {
				t.Errorf("%s linked to %v", fqn, g)
			}
		}
		if got := governed("lake.sales.orders"); !slices.Equal(got, []string{"dz.Sales.Team.orders", "dz.Sales.Team.orders_copy"}) {
			t.Errorf("orders governed as %v", got)
		}
		// The table keeps the Glue scan's id: the next Glue scan's
		// MarkMissing must not take it for unseen.
		if id := get("lake.sales.orders").LastScanID; id != glueScan {
			t.Errorf("table's last scan = %d, want the Glue scan %d", id, glueScan)
		}
	})
	t.Run("Glue rescanned: the link survives", func(t *testing.T) {
		scanLink(t, store, "lake", "glue", glueAccountLake())
		if got := governed("lake.sales.orders"); len(got) != 2 {
			t.Errorf("after a Glue rescan orders governed as %v", got)
		}
	})
	t.Run("asset retargeted: links move", func(t *testing.T) {
		scanLink(t, store, "dz", "datazone", dzEstate("arn:aws:glue:us-east-1:"+dzAccount+":table/sales/returns"))
		if got := governed("lake.sales.orders"); !slices.Equal(got, []string{"dz.Sales.Team.orders_copy"}) {
			t.Errorf("orders governed as %v", got)
		}
		if got := governed("lake.sales.returns"); !slices.Equal(got, []string{"dz.Sales.Team.orders"}) {
			t.Errorf("returns governed as %v", got)
		}
	})
}

func TestParseGlueTableARN(t *testing.T) {
	for _, tc := range []struct {
		arn                     string
		region, acct, db, table string
		ok                      bool
	}{
		{"arn:aws:glue:eu-west-1:123456789012:table/sales/orders", "eu-west-1", "123456789012", "sales", "orders", true},
		{"arn:aws-cn:glue:cn-north-1:123456789012:table/d/t", "cn-north-1", "123456789012", "d", "t", true},
		{"arn:aws:glue:eu-west-1:123456789012:database/sales", "", "", "", "", false},
		{"arn:aws:s3:::bucket/key", "", "", "", "", false},
		{"arn:aws:glue:eu-west-1:123456789012:table/sales", "", "", "", "", false},
		{"", "", "", "", "", false},
	} {
		r, a, d, tb, ok := lineage.ParseGlueTableARN(tc.arn)
		if ok != tc.ok || r != tc.region || a != tc.acct || d != tc.db || tb != tc.table {
			t.Errorf("ParseGlueTableARN(%q) = %q %q %q %q %v", tc.arn, r, a, d, tb, ok)
		}
	}
}

// TestDataZoneLinksQuietRescan: rescanning unchanged DataZone assets and
// Glue tables writes no history, though neither source emits the links.
func TestDataZoneLinksQuietRescan(t *testing.T) {
	store := sqlitetest.Open(t)
	ctx := context.Background()
	ordersARN := "arn:aws:glue:us-east-1:" + dzAccount + ":table/sales/orders"
	scanLink(t, store, "lake", "glue", glueAccountLake())
	scanLink(t, store, "dz", "datazone", dzEstate(ordersARN))
	watched := []string{"dz.Sales.Team.orders", "dz.Sales.Team.orders_copy", "dz.Sales.Team.missing", "lake.sales.orders", "lake.sales.returns"}
	history := func() map[string]int {
		out := map[string]int{}
		for _, fqn := range watched {
			h, err := store.History(ctx, fqn, 100)
			if err != nil {
				t.Fatal(err)
			}
			out[fqn] = len(h)
		}
		return out
	}
	before := history()
	for range 2 {
		scanLink(t, store, "dz", "datazone", dzEstate(ordersARN))
		scanLink(t, store, "lake", "glue", glueAccountLake())
	}
	if after := history(); !maps.Equal(before, after) {
		t.Errorf("history entries grew on unchanged rescans: before %v, after %v", before, after)
	}
	if e, _ := store.Get(ctx, "dz.Sales.Team.orders"); e.Attrs[lineage.AttrGlueTable] != "lake.sales.orders" {
		t.Errorf("link lost on rescan: %v", e.Attrs[lineage.AttrGlueTable])
	}

	// A real change is recorded: twice on the asset whose ARN moved (the
	// scan writes it without the old link, the lineage pass adds the new
	// one), once on each table.
	scanLink(t, store, "dz", "datazone", dzEstate("arn:aws:glue:us-east-1:"+dzAccount+":table/sales/returns"))
	after := history()
	for fqn, n := range map[string]int{"dz.Sales.Team.orders": 2, "lake.sales.orders": 1, "lake.sales.returns": 1, "dz.Sales.Team.orders_copy": 0} {
		if got := after[fqn] - before[fqn]; got != n {
			t.Errorf("%s: %d new history entries, want %d", fqn, got, n)
		}
	}
}

// TestRebuildRecomputesDataZoneLinks: `lineage rebuild` rewrites links made
// stale by scans whose lineage pass did not run (an older lakemap, a crash)
// rather than keeping them.
func TestRebuildRecomputesDataZoneLinks(t *testing.T) {
	store := sqlitetest.Open(t)
	ctx := context.Background()
	ordersARN := "arn:aws:glue:us-east-1:" + dzAccount + ":table/sales/orders"
	scanLink(t, store, "lake", "glue", glueAccountLake())
	scanLink(t, store, "dz", "datazone", dzEstate(ordersARN))

	rebuild := func(service string) {
		t.Helper()
		open := func(ctx context.Context) (lineage.Stores, error) { return sqlite.Open(ctx, store.Path()) }
		cmd := lineage.NewCommand(open, all.NewRegistry())
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{"rebuild", service, "--json"})
		if err := cmd.ExecuteContext(ctx); err != nil {
			t.Fatalf("rebuild %s: %v\n%s", service, err, out.String())
		}
	}
	get := func(fqn string) catalog.Entity {
		t.Helper()
		e, err := store.Get(ctx, fqn)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	plain := func(service, sourceType string, entities []catalog.Entity) {
		t.Helper()
		if _, err := (&scan.Runner{Store: store}).Run(ctx, service, sourceType, staticSource(entities)); err != nil {
			t.Fatal(err)
		}
	}

	// The asset's ARN moves to returns without a lineage pass: the asset
	// lost its link, orders still names it, returns does not.
	plain("dz", "datazone", dzEstate("arn:aws:glue:us-east-1:"+dzAccount+":table/sales/returns"))
	rebuild("dz")
	if g := get("dz.Sales.Team.orders").Attrs[lineage.AttrGlueTable]; g != "lake.sales.returns" {
		t.Errorf("after rebuild asset glueTable = %v, want lake.sales.returns", g)
	}
	if g := strs(get("lake.sales.orders").Attrs[lineage.AttrDataZoneAssets]); !slices.Equal(g, []string{"dz.Sales.Team.orders_copy"}) {
		t.Errorf("after rebuild orders governed as %v", g)
	}

	// The Glue connection now catalogues another account: no Glue service
	// of the DataZone account is left, and every link of it must go.
	moved := glueAccountLake()
	moved[0].Attrs = map[string]any{"sourceType": "glue", "region": "us-east-1", "accountId": "999999999999"}
	plain("lake", "glue", moved)
	rebuild("dz")
	for _, fqn := range []string{"dz.Sales.Team.orders", "dz.Sales.Team.orders_copy"} {
		if g, ok := get(fqn).Attrs[lineage.AttrGlueTable]; ok {
			t.Errorf("%s still linked to %v", fqn, g)
		}
	}
	// The tables' own account has no DataZone: rebuilding the Glue
	// service clears what they still say.
	rebuild("lake")
	for _, fqn := range []string{"lake.sales.orders", "lake.sales.returns"} {
		if g, ok := get(fqn).Attrs[lineage.AttrDataZoneAssets]; ok {
			t.Errorf("%s still governed as %v", fqn, g)
		}
	}
}

func strs(v any) []string {
	raw, _ := v.([]any)
	var out []string
	for _, x := range raw {
		out = append(out, x.(string))
	}
	return out
}
