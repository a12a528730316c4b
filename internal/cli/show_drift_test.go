package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

// TestShowSchemaDrift: `lakemap show` on a Glue table says how its columns
// disagree with the files at its location, as text and as JSON.
func TestShowSchemaDrift(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	column := func(svc, parent, name, typ string, pk bool) catalog.Entity {
		attrs := map[string]any{"dataType": typ}
		if pk {
			attrs["isPartitionKey"] = true
		}
		return catalog.Entity{FQN: catalog.Child(parent, name), Kind: catalog.KindColumn, Service: svc, ParentFQN: parent, Name: name, Attrs: attrs}
	}
	write := func(svc string, ents ...catalog.Entity) {
		sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: svc, SourceType: "test", Started: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Upsert(ctx, sc.ID, ents); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	write("gl",
		catalog.Entity{FQN: "gl", Kind: catalog.KindService, Service: "gl", Name: "gl"},
		catalog.Entity{FQN: "gl.shop", Kind: catalog.KindDatabase, Service: "gl", ParentFQN: "gl", Name: "shop"},
		catalog.Entity{FQN: "gl.shop.orders", Kind: catalog.KindTable, Service: "gl", ParentFQN: "gl.shop", Name: "orders",
			Attrs: map[string]any{"location": "s3://shop-data/orders/"}},
		column("gl", "gl.shop.orders", "id", "bigint", false), column("gl", "gl.shop.orders", "note", "string", false),
		catalog.Entity{FQN: "gl.shop.same", Kind: catalog.KindTable, Service: "gl", ParentFQN: "gl.shop", Name: "same",
			Attrs: map[string]any{"location": "s3://shop-data/same/"}},
		column("gl", "gl.shop.same", "id", "bigint", false))
	write("files",
		catalog.Entity{FQN: "files", Kind: catalog.KindService, Service: "files", Name: "files"},
		catalog.Entity{FQN: "files.shop-data", Kind: catalog.KindBucket, Service: "files", ParentFQN: "files", Name: "shop-data"},
		catalog.Entity{FQN: "files.shop-data.orders", Kind: catalog.KindContainer, Service: "files", ParentFQN: "files.shop-data", Name: "orders",
			Attrs: map[string]any{"path": "orders/", "format": "parquet"}},
		column("files", "files.shop-data.orders", "id", "int", false), column("files", "files.shop-data.orders", "coupon", "string", false),
		column("files", "files.shop-data.orders", "dt", "string", true),
		catalog.Entity{FQN: "files.shop-data.same", Kind: catalog.KindContainer, Service: "files", ParentFQN: "files.shop-data", Name: "same",
			Attrs: map[string]any{"path": "same/", "format": "parquet"}},
		column("files", "files.shop-data.same", "id", "bigint", false))
	var edges []catalog.Edge
	for _, name := range []string{"orders", "same"} {
		edges = append(edges, catalog.Edge{From: "files.shop-data." + name, To: "gl.shop." + name, Kind: catalog.EdgeStorage, Origin: "gl.shop." + name, Service: "gl"})
	}
	if err := st.ReplaceEdges(ctx, 1, catalog.EdgeStorage, []string{"gl.shop.orders", "gl.shop.same"}, edges); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut := run(t, "--db", db, "show", "gl.shop.orders")
	want := "schema drift against its files in files.shop-data.orders: missing from files: note; only in files: coupon; id is bigint in Glue, int in files; partition keys [] in Glue, [dt] in files"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("show exit %d, stdout:\n%s\nstderr: %s\nwant %q", code, out, errOut, want)
	}
	code, out, _ = run(t, "--db", db, "show", "gl.shop.orders", "--json")
	var view struct {
		SchemaDrift struct {
			Missing []string `json:"missing"`
			Extra   []string `json:"extra"`
		} `json:"schemaDrift"`
	}
	if err := json.Unmarshal([]byte(out), &view); code != 0 || err != nil || strings.Join(view.SchemaDrift.Extra, ",") != "coupon" {
		t.Errorf("show --json exit %d: %s (%v)", code, out, err)
	}
	if code, out, _ = run(t, "--db", db, "show", "gl.shop.same"); code != 0 || !strings.Contains(out, "schema: matches its files in files.shop-data.same") {
		t.Errorf("show same exit %d:\n%s", code, out)
	}
}
