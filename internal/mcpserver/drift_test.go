package mcpserver

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/schemadrift"
)

// seedDrift catalogues a Glue service "gl" and an S3 service "files" over
// the same bucket, linked by storage lineage as a scan of both leaves them:
//   - gl.shop.orders: a column dropped from the files, one added, one retyped;
//   - gl.shop.clicks: a partition key the files' paths do not have;
//   - gl.shop.same: agrees with its files;
//   - gl.shop.wider: its files sit in a container above its location, whose
//     schema is not the table's: nothing is compared;
//   - gl.shop.orders_v: a view, never compared.
func seedDrift(t testing.TB, e *env) {
	t.Helper()
	const glue, s3 = "gl", "files"
	db := catalog.Child(glue, "shop")
	ents := []catalog.Entity{
		{FQN: glue, Kind: catalog.KindService, Service: glue, Name: glue, Attrs: map[string]any{"sourceType": "glue"}},
		{FQN: db, Kind: catalog.KindDatabase, Service: glue, ParentFQN: glue, Name: "shop"},
	}
	located := func(name string, cols []col, key string) []catalog.Entity {
		ents := table(glue, db, name, "", cols, key)
		ents[0].Attrs["location"] = "s3://shop-data/" + name + "/"
		return ents
	}
	ents = append(ents, located("orders", []col{{"id", "bigint", ""}, {"amount", "decimal(10,2)", ""}, {"note", "string", ""}, {"dt", "string", ""}}, "dt")...)
	ents = append(ents, located("clicks", []col{{"url", "string", ""}, {"dt", "string", ""}, {"region", "string", ""}}, "dt")...)
	// table() flags one key; clicks has two.
	ents[len(ents)-1].Attrs["isPartitionKey"] = true
	ents = append(ents, located("same", []col{{"id", "bigint", ""}, {"name", "string", ""}}, "")...)
	wider := located("wider", []col{{"x", "int", ""}}, "")
	wider[0].Attrs["location"] = "s3://shop-data/archive/wider/"
	ents = append(ents, wider...)
	view := located("orders_v", []col{{"id", "int", ""}}, "")
	view[0].Attrs["isView"] = true
	ents = append(ents, view...)
	upsert(t, e.store, glue, ents)

	bucket := catalog.Child(s3, "shop-data")
	files := []catalog.Entity{
		{FQN: s3, Kind: catalog.KindService, Service: s3, Name: s3, Attrs: map[string]any{"sourceType": "s3"}},
		{FQN: bucket, Kind: catalog.KindBucket, Service: s3, ParentFQN: s3, Name: "shop-data"},
	}
	container := func(path, format string, cols []col, keys ...string) []catalog.Entity {
		fqn := catalog.Child(bucket, strings.TrimSuffix(path, "/"))
		out := []catalog.Entity{{FQN: fqn, Kind: catalog.KindContainer, Service: s3, ParentFQN: bucket, Name: strings.TrimSuffix(path, "/"),
			Attrs: map[string]any{"path": path, "format": format}}}
		for i, c := range cols {
			out = append(out, catalog.Entity{FQN: catalog.Child(fqn, c.name), Kind: catalog.KindColumn, Service: s3, ParentFQN: fqn, Name: c.name,
				Attrs: map[string]any{"dataType": c.typ, "ordinal": int64(i)}})
		}
		for i, k := range keys {
			out = append(out, catalog.Entity{FQN: catalog.Child(fqn, k), Kind: catalog.KindColumn, Service: s3, ParentFQN: fqn, Name: k,
				Attrs: map[string]any{"dataType": "string", "ordinal": int64(len(cols) + i), "isPartitionKey": true}})
		}
		return out
	}
	files = append(files, container("orders/", "parquet", []col{{"id", "int", ""}, {"amount", "decimal(10,2)", ""}, {"coupon", "string", ""}}, "dt")...)
	files = append(files, container("clicks/", "parquet", []col{{"url", "string", ""}}, "dt")...)
	files = append(files, container("same/", "csv", []col{{"ID", "bigint", ""}, {"name", "string", ""}})...)
	files = append(files, container("archive/", "parquet", []col{{"y", "string", ""}})...)
	files = append(files, container("orders_v/", "parquet", []col{{"z", "string", ""}})...)
	upsert(t, e.store, s3, files)

	var edges []catalog.Edge
	var origins []string
	for _, link := range [][2]string{{"orders", "orders"}, {"clicks", "clicks"}, {"same", "same"}, {"wider", "archive"}, {"orders_v", "orders_v"}} {
		tbl := catalog.Child(db, link[0])
		origins = append(origins, tbl)
		edges = append(edges, catalog.Edge{From: catalog.Child(bucket, link[1]), To: tbl, Kind: catalog.EdgeStorage, Origin: tbl, Service: glue})
	}
	if err := e.store.ReplaceEdges(e.ctx, 1, catalog.EdgeStorage, origins, edges); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaDrift(t *testing.T) {
	e := newCatalogEnv(t)
	seedDrift(t, e)
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cs := tr.connect(t, e, Scope{Name: "drift"})

			var all DriftOutput
			res := mustCall(t, cs, "find_schema_drift", nil, &all)
			got := map[string]schemadrift.Drift{}
			for _, d := range all.Tables {
				got[d.Table] = d
			}
			if len(got) != 2 || all.Truncated {
				t.Fatalf("find_schema_drift = %+v", all)
			}
			orders := got["gl.shop.orders"]
			if orders.Container != "files.shop-data.orders" || strings.Join(orders.Missing, ",") != "note" || strings.Join(orders.Extra, ",") != "coupon" ||
				len(orders.TypeChanged) != 1 || orders.TypeChanged[0] != (schemadrift.TypeChange{Column: "id", Glue: "bigint", Files: "int"}) || orders.Partitions != nil {
				t.Errorf("orders drift = %+v", orders)
			}
			clicks := got["gl.shop.clicks"]
			if clicks.Partitions == nil || strings.Join(clicks.Partitions.Glue, ",") != "dt,region" || strings.Join(clicks.Partitions.Files, ",") != "dt" ||
				len(clicks.Missing)+len(clicks.Extra)+len(clicks.TypeChanged) != 0 {
				t.Errorf("clicks drift = %+v", clicks)
			}
			// same, wider and orders_v are compared (same) or skipped, never listed.
			if all.Compared != 3 || all.Checked < 5 {
				t.Errorf("checked %d, compared %d; want 3 compared (orders, clicks, same)", all.Checked, all.Compared)
			}
			if !strings.Contains(text(res), "gl.shop.orders (files: files.shop-data.orders, parquet): missing from files: note; only in files: coupon; id is bigint in Glue, int in files") {
				t.Errorf("text: %s", text(res))
			}

			// One at a time: the cursor pages on to the other.
			var first, second DriftOutput
			mustCall(t, cs, "find_schema_drift", map[string]any{"limit": 1}, &first)
			if len(first.Tables) != 1 || !first.Truncated || first.NextCursor == "" {
				t.Fatalf("first page = %+v", first)
			}
			mustCall(t, cs, "find_schema_drift", map[string]any{"limit": 1, "cursor": first.NextCursor}, &second)
			if len(second.Tables) != 1 || second.Tables[0].Table == first.Tables[0].Table {
				t.Errorf("second page = %+v after %+v", second, first)
			}
			// Another connection's tables are not looked at.
			var prod DriftOutput
			mustCall(t, cs, "find_schema_drift", map[string]any{"connection": "prod"}, &prod)
			if len(prod.Tables) != 0 {
				t.Errorf("prod drift = %+v", prod)
			}

			// The schema shows it; an agreeing table shows none.
			var schema, same SchemaOutput
			res = mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "gl.shop.orders"}, &schema)
			if schema.Drift == nil || schema.Drift.Summary() != orders.Summary() {
				t.Errorf("get_table_schema drift = %+v", schema.Drift)
			}
			if !strings.Contains(text(res), "schema drift against files in files.shop-data.orders: missing from files: note") {
				t.Errorf("schema text: %s", text(res))
			}
			mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "gl.shop.same"}, &same)
			if same.Drift != nil {
				t.Errorf("same has drift %+v", same.Drift)
			}
			wantToolError(t, call(t, cs, "find_schema_drift", map[string]any{"connection": "nosuch"}, nil), "nosuch")
			wantToolError(t, call(t, cs, "find_schema_drift", map[string]any{"cursor": "garbage!"}, nil), "cursor")
		})
	}
}
