package lineage_test

import (
	"context"
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source/all"
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

// scanLink scans entities and derives lineage with the link writer, as ingest does.
func scanLink(t *testing.T, store catalog.Store, service, sourceType string, entities []catalog.Entity) (lineage.Report, int64) {
	t.Helper()
	sum, err := (&scan.Runner{Store: store}).Run(context.Background(), service, sourceType, staticSource(entities))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&lineage.Builder{Entities: store, Lineage: store, Writer: store, Sources: all.NewRegistry()}).AfterScan(context.Background(), service, sum.ScanID)
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
