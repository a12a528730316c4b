// Package storetest is the conformance suite every catalog.Store backend
// must pass. internal/store/sqlite and internal/store/postgres run it; it
// is written against the interface alone.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Run runs the suite; newStore returns an empty store closed by the test.
func Run(t *testing.T, newStore func(t *testing.T) catalog.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s catalog.Store)
	}{
		{"UpsertOutcomes", testUpsertOutcomes},
		{"MarkMissingSubtreeOnly", testMarkMissing},
		{"UpsertComplete", testUpsertComplete},
		{"Staging", testStaging},
		{"StagingBadPart", testStagingBadPart},
		{"StagingInterrupted", testStagingInterrupted},
		{"StagingManyParts", testStagingManyParts},
		{"NoMarkNoDelete", testNoMarkNoDelete},
		{"Restore", testRestore},
		{"Search", testSearch},
		{"SearchHostileText", testSearchHostileText},
		{"ListPaging", testListPaging},
		{"GetUnknown", testGetUnknown},
		{"QuotedFQNs", testQuotedFQNs},
		{"Connections", testConnections},
		{"Scans", testScans},
		{"BadEntities", testBadEntities},
		{"Projects", testProjects},
		{"SearchPagingManyMatches", testSearchPagingManyMatches},
		{"BigBatchRepeatingFQNs", testBigBatchRepeatingFQNs},
		{"Tokens", testTokens},
		{"LineageReplace", testLineageReplace},
		{"LineageWalk", testLineageWalk},
		{"LineageBadInput", testLineageBadInput},
		{"LineageLocations", testLineageLocations},
		{"SearchBounds", testSearchBounds},
		{"ScopedReads", testScopedReads},
		{"SearchQueriesAndAccents", testSearchQueriesAndAccents},
		{"SearchInWords", testSearchInWords},
		{"SparseTenantSearch", testSparseTenantSearch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// scanOnce runs one scan writing es, then completes the given parents.
func scanOnce(t *testing.T, s catalog.Store, es []catalog.Entity, complete ...string) (int64, catalog.WriteStats) {
	t.Helper()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatalf("BeginScan: %v", err)
	}
	st, err := s.Upsert(ctx, sc.ID, es)
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	for _, p := range complete {
		kinds := []catalog.Kind{catalog.KindDatabase, catalog.KindTable, catalog.KindColumn}
		d, err := s.MarkMissing(ctx, sc.ID, p, kinds)
		if err != nil {
			t.Fatalf("MarkMissing(%s): %v", p, err)
		}
		st.Add(d)
	}
	if err := s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now(), Stats: st}); err != nil {
		t.Fatalf("FinishScan: %v", err)
	}
	return sc.ID, st
}

func ent(kind catalog.Kind, fqn, desc string, attrs map[string]any) catalog.Entity {
	parent, _ := catalog.ParentFQN(fqn)
	return catalog.Entity{FQN: fqn, Kind: kind, Service: "svc", ParentFQN: parent, Description: desc, Attrs: attrs}
}

// manyTables is a service, database db and n tables named by name(i)
// with the description desc.
func manyTables(db string, n int, name func(i int) string, desc string) []catalog.Entity {
	es := []catalog.Entity{ent(catalog.KindService, "svc", "", nil), ent(catalog.KindDatabase, "svc."+db, "the "+db, nil)}
	for i := range n {
		es = append(es, ent(catalog.KindTable, "svc."+db+"."+name(i), desc, nil))
	}
	return es
}

// estate is a small catalog: two databases, three tables, columns.
func estate() []catalog.Entity {
	return []catalog.Entity{
		ent(catalog.KindService, "svc", "", nil),
		ent(catalog.KindDatabase, "svc.sales", "Sales data", nil),
		ent(catalog.KindDatabase, "svc.hr", "People", nil),
		ent(catalog.KindTable, "svc.sales.orders", "One row per order", map[string]any{"location": "s3://lake/orders/", "columnCount": int64(2)}),
		ent(catalog.KindColumn, "svc.sales.orders.order_id", "primary key", map[string]any{"dataType": "bigint", "ordinal": int64(0)}),
		ent(catalog.KindColumn, "svc.sales.orders.customer_email", "who ordered", map[string]any{"dataType": "string", "ordinal": int64(1)}),
		ent(catalog.KindTable, "svc.sales.daily_orders_summary", "Orders per day", nil),
		ent(catalog.KindTable, "svc.hr.employees", "Staff — personnel 日本語", map[string]any{"columnCount": int64(1)}),
		ent(catalog.KindColumn, "svc.hr.employees.salary", "monthly gross", map[string]any{"dataType": "decimal(10,2)", "ordinal": int64(0)}),
	}
}

func testUpsertOutcomes(t *testing.T, s catalog.Store) {
	_, st := scanOnce(t, s, estate())
	if st.Of(catalog.KindTable).Added != 3 || st.Of(catalog.KindColumn).Added != 3 {
		t.Fatalf("first scan stats: tables %+v columns %+v", *st.Of(catalog.KindTable), *st.Of(catalog.KindColumn))
	}
	next := estate()
	next[3].Attrs = map[string]any{"location": "s3://lake/orders_v2/", "columnCount": int64(2)}
	next[3].Description = "One row per order, deduplicated"
	scanID, st := scanOnce(t, s, next)
	if c := st.Of(catalog.KindTable); c.Updated != 1 || c.Unchanged != 2 || c.Added != 0 {
		t.Fatalf("second scan table stats = %+v, want 1 updated 2 unchanged", *c)
	}
	e, err := s.Get(ctx, "svc.sales.orders")
	if err != nil {
		t.Fatal(err)
	}
	if e.Attrs["location"] != "s3://lake/orders_v2/" || e.LastScanID != scanID || e.Name != "orders" || e.Service != "svc" {
		t.Errorf("orders = %+v", e)
	}
	h, err := s.History(ctx, "svc.sales.orders", 10)
	if err != nil || len(h) != 2 {
		t.Fatalf("history = %+v, %v", h, err)
	}
	if h[0].Type != catalog.ChangeUpdated || h[1].Type != catalog.ChangeAdded {
		t.Errorf("history types = %s, %s", h[0].Type, h[1].Type)
	}
	fields := map[string]catalog.FieldChange{}
	for _, f := range h[0].Fields {
		fields[f.Field] = f
	}
	if f, ok := fields["attributes.location"]; !ok || f.Old != "s3://lake/orders/" || f.New != "s3://lake/orders_v2/" {
		t.Errorf("location change = %+v (all: %+v)", f, h[0].Fields)
	}
	if _, ok := fields["description"]; !ok {
		t.Errorf("description change missing: %+v", h[0].Fields)
	}
	if _, ok := fields["attributes.columnCount"]; ok {
		t.Errorf("unchanged attribute reported as changed: %+v", h[0].Fields)
	}
}

func testMarkMissing(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	// Second scan: orders is gone from sales; hr is not listed (its listing failed).
	next := []catalog.Entity{}
	for _, e := range estate() {
		if e.ParentFQN != "svc.sales.orders" && e.FQN != "svc.sales.orders" && e.ParentFQN != "svc.hr" && e.ParentFQN != "svc.hr.employees" {
			next = append(next, e)
		}
	}
	_, st := scanOnce(t, s, next, "svc.sales")
	if st.Of(catalog.KindTable).Deleted != 1 || st.Of(catalog.KindColumn).Deleted != 2 {
		t.Fatalf("deleted: tables %d columns %d, want 1 and 2", st.Of(catalog.KindTable).Deleted, st.Of(catalog.KindColumn).Deleted)
	}
	for fqn, wantDeleted := range map[string]bool{
		"svc.sales.orders": true, "svc.sales.orders.order_id": true, "svc.sales.daily_orders_summary": false,
		"svc.hr.employees": false, "svc.hr.employees.salary": false,
	} {
		e, err := s.Get(ctx, fqn)
		if err != nil {
			t.Fatal(err)
		}
		if e.Deleted != wantDeleted {
			t.Errorf("%s deleted = %v, want %v", fqn, e.Deleted, wantDeleted)
		}
	}
	h, _ := s.History(ctx, "svc.sales.orders.order_id", 1)
	if len(h) != 1 || h[0].Type != catalog.ChangeDeleted {
		t.Errorf("column history = %+v, want deleted", h)
	}
	stats, _ := s.Stats(ctx, "svc")
	if stats[catalog.KindTable] != 2 {
		t.Errorf("live tables = %d, want 2", stats[catalog.KindTable])
	}
}

func testNoMarkNoDelete(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	_, st := scanOnce(t, s, estate()[:2])
	for k, c := range st {
		if c.Deleted != 0 {
			t.Errorf("%s: %d deleted without MarkMissing", k, c.Deleted)
		}
	}
}

func testRestore(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	scanOnce(t, s, estate()[:3], "svc.sales") // orders and summary vanish
	_, st := scanOnce(t, s, estate())
	if st.Of(catalog.KindTable).Updated != 2 {
		t.Errorf("restored tables counted as %+v, want 2 updated", *st.Of(catalog.KindTable))
	}
	e, _ := s.Get(ctx, "svc.sales.orders")
	if e.Deleted {
		t.Error("orders still deleted after it reappeared")
	}
	h, _ := s.History(ctx, "svc.sales.orders", 1)
	if len(h) != 1 || h[0].Type != catalog.ChangeRestored {
		t.Errorf("history = %+v, want restored", h)
	}
}

func hits(t *testing.T, s catalog.Store, q catalog.SearchQuery) []string {
	t.Helper()
	res, err := s.Search(ctx, q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.FQN
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func testSearch(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	if got := hits(t, s, catalog.SearchQuery{Text: "orders"}); len(got) == 0 || got[0] != "svc.sales.orders" {
		t.Errorf("exact name not first: %v", got)
	} else if !contains(got, "svc.sales.daily_orders_summary") {
		t.Errorf("underscore-separated word not found: %v", got)
	}
	// Whole-word and prefix matches overlap; each entity is listed once, and
	// Total counts them once.
	for _, text := range []string{"orders", "ord", "sales orders"} {
		res, err := s.Search(ctx, catalog.SearchQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, h := range res.Hits {
			if seen[h.FQN] {
				t.Errorf("search %q lists %s twice: %+v", text, h.FQN, res.Hits)
			}
			seen[h.FQN] = true
		}
		if res.NextOffset == 0 && res.Total != len(res.Hits) {
			t.Errorf("search %q: total %d for %d hits on one page", text, res.Total, len(res.Hits))
		}
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "ord"}); !contains(got, "svc.sales.orders") {
		t.Errorf("prefix search: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "customer_email"}); !contains(got, "svc.sales.orders.customer_email") {
		t.Errorf("column name search: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "orders", Kinds: []catalog.Kind{catalog.KindDatabase}}); len(got) != 0 {
		t.Errorf("kind filter let through: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "orders", Services: []string{"other"}}); len(got) != 0 {
		t.Errorf("service filter let through: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "日本語"}); !contains(got, "svc.hr.employees") {
		t.Errorf("unicode search: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "PERSONNEL"}); !contains(got, "svc.hr.employees") {
		t.Errorf("case-insensitive description search: %v", got)
	}
	scanOnce(t, s, estate()[:3], "svc.sales")
	if got := hits(t, s, catalog.SearchQuery{Text: "orders"}); contains(got, "svc.sales.orders") {
		t.Errorf("deleted entity found by default: %v", got)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "orders", IncludeDeleted: true}); !contains(got, "svc.sales.orders") {
		t.Errorf("IncludeDeleted misses deleted entity: %v", got)
	}
	// Paging.
	res, err := s.Search(ctx, catalog.SearchQuery{Text: "svc", Limit: 2, IncludeDeleted: true})
	if err != nil || len(res.Hits) != 2 || res.NextOffset != 2 || res.Total < 3 {
		t.Errorf("page 1 = %+v, %v", res, err)
	}
}

func testSearchHostileText(t *testing.T, s catalog.Store) {
	scanOnce(t, s, estate())
	for _, q := range []string{`"orders`, `orders AND`, `NEAR(orders`, `*`, `orders OR "x`, `col:orders`, `-orders`, `a'b`, `(((`, `orders^2`} {
		if _, err := s.Search(ctx, catalog.SearchQuery{Text: q}); err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	if _, err := s.Search(ctx, catalog.SearchQuery{Text: "  !!! "}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("search without words: err = %v, want Invalid", err)
	}
}

func testListPaging(t *testing.T, s catalog.Store) {
	var es []catalog.Entity
	es = append(es, ent(catalog.KindService, "svc", "", nil), ent(catalog.KindDatabase, "svc.db", "", nil))
	for i := range 25 {
		es = append(es, ent(catalog.KindTable, fmt.Sprintf("svc.db.t%02d", i), "", nil))
	}
	scanOnce(t, s, es)
	var all []string
	after := ""
	for pages := 0; pages < 10; pages++ {
		p, err := s.List(ctx, catalog.ListQuery{ParentFQN: "svc.db", After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entities {
			all = append(all, e.FQN)
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if len(all) != 25 || all[0] != "svc.db.t00" || all[24] != "svc.db.t24" {
		t.Errorf("paged listing = %d entities %v", len(all), all)
	}
	p, err := s.List(ctx, catalog.ListQuery{Service: "svc", Kinds: []catalog.Kind{catalog.KindDatabase}})
	if err != nil || len(p.Entities) != 1 {
		t.Errorf("list by service+kind = %+v, %v", p, err)
	}
}

func testGetUnknown(t *testing.T, s catalog.Store) {
	if _, err := s.Get(ctx, "svc.nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Get unknown: %v, want NotFound", err)
	}
	if _, err := s.GetScan(ctx, 999); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GetScan unknown: %v, want NotFound", err)
	}
	if _, err := s.GetConnection(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("GetConnection unknown: %v, want NotFound", err)
	}
}

func testQuotedFQNs(t *testing.T, s catalog.Store) {
	table := catalog.JoinFQN("svc", "db", `orders.v2 "final"`)
	es := []catalog.Entity{
		ent(catalog.KindService, "svc", "", nil), ent(catalog.KindDatabase, "svc.db", "", nil),
		{FQN: table, Kind: catalog.KindTable, Service: "svc", ParentFQN: "svc.db", Name: `orders.v2 "final"`},
		{FQN: catalog.Child(table, "id"), Kind: catalog.KindColumn, Service: "svc", ParentFQN: table},
	}
	scanOnce(t, s, es)
	e, err := s.Get(ctx, table)
	if err != nil || e.Name != `orders.v2 "final"` {
		t.Fatalf("Get(%s) = %+v, %v", table, e, err)
	}
	c, err := s.Get(ctx, catalog.Child(table, "id"))
	if err != nil || c.Name != "id" {
		t.Fatalf("column = %+v, %v", c, err)
	}
	p, err := s.List(ctx, catalog.ListQuery{ParentFQN: table})
	if err != nil || len(p.Entities) != 1 {
		t.Errorf("children of quoted table = %+v, %v", p, err)
	}
}

func testConnections(t *testing.T, s catalog.Store) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := catalog.Connection{Name: "prod", SourceType: "glue", RoleARN: "arn:aws:iam::123456789012:role/R", ExternalID: "lakemap-x",
		Region: "us-east-1", AccessLevel: catalog.ReadOnly, Config: []byte(`{"type":"Glue"}`), Secrets: []byte{1, 2, 3}, Created: now, Updated: now}
	if err := s.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.AccessLevel = catalog.ReadWrite
	if err := s.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetConnection(ctx, "prod")
	if err != nil || got.AccessLevel != catalog.ReadWrite || string(got.Secrets) != "\x01\x02\x03" || string(got.Config) != `{"type":"Glue"}` {
		t.Fatalf("GetConnection = %+v, %v", got, err)
	}
	list, err := s.ListConnections(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListConnections = %+v, %v", list, err)
	}
	if err := s.DeleteConnection(ctx, "prod"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(ctx, "prod"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("second delete: %v, want NotFound", err)
	}
	if err := s.PutConnection(ctx, catalog.Connection{}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("nameless connection: %v, want Invalid", err)
	}
	testConnectionOptions(t, s, now)
}

// testConnectionOptions covers the scan options, secret field names and
// schedule, and the project-scoped reads: another project's connection is
// NotFound.
func testConnectionOptions(t *testing.T, s catalog.Store, now time.Time) {
	c := catalog.Connection{Name: "scheduled", ProjectID: "p-a", SourceType: "s3", Region: "eu-west-1", AccessLevel: catalog.ReadOnly,
		SourceConfig: []byte(`{"threads":2}`), SecretFields: []string{"awsAccessKeyId", "awsSecretAccessKey"},
		Schedule: catalog.Schedule{Cron: "0 3 * * *"}, Created: now, Updated: now}
	if err := s.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	other := catalog.Connection{Name: "other", ProjectID: "p-b", SourceType: "glue", AccessLevel: catalog.ReadOnly,
		Schedule: catalog.Schedule{Interval: 90 * time.Minute}, Created: now, Updated: now}
	if err := s.PutConnection(ctx, other); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProjectConnection(ctx, "p-a", "scheduled")
	if err != nil || string(got.SourceConfig) != `{"threads":2}` || len(got.SecretFields) != 2 || got.Schedule != c.Schedule {
		t.Fatalf("GetProjectConnection = %+v, %v", got, err)
	}
	if got, err := s.GetConnection(ctx, "other"); err != nil || got.Schedule.Interval != 90*time.Minute || got.SecretFields == nil {
		t.Errorf("GetConnection(other) = %+v, %v; want the interval and an empty secret field list", got, err)
	}
	if _, err := s.GetProjectConnection(ctx, "p-a", "other"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another project's connection: %v, want NotFound", err)
	}
	list, err := s.ListProjectConnections(ctx, "p-b")
	if err != nil || len(list) != 1 || list[0].Name != "other" {
		t.Errorf("ListProjectConnections(p-b) = %+v, %v", list, err)
	}
	if err := s.DeleteProjectConnection(ctx, "p-b", "scheduled"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleting another project's connection: %v, want NotFound", err)
	}
	for _, name := range []string{"scheduled", "other"} {
		if _, err := s.GetConnection(ctx, name); err != nil {
			t.Errorf("%s after refused delete: %v", name, err)
		}
	}
	if err := s.DeleteProjectConnection(ctx, "p-a", "scheduled"); err != nil {
		t.Error(err)
	}
	if err := s.DeleteConnection(ctx, "other"); err != nil {
		t.Error(err)
	}
}

func testScans(t *testing.T, s catalog.Store) {
	id, _ := scanOnce(t, s, estate())
	sc, err := s.GetScan(ctx, id)
	if err != nil || sc.Status != catalog.ScanSucceeded || sc.Finished == nil || sc.Stats.Of(catalog.KindTable).Added != 3 {
		t.Fatalf("GetScan = %+v, %v", sc, err)
	}
	list, err := s.ListScans(ctx, "svc", 10)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("ListScans = %+v, %v", list, err)
	}
	ch, err := s.Changes(ctx, catalog.ChangesQuery{Service: "svc", ParentFQN: "svc.sales.orders", Limit: 10})
	if err != nil || len(ch) != 2 {
		t.Errorf("Changes under orders = %+v, %v; want its 2 columns", ch, err)
	}
}

func testBadEntities(t *testing.T, s catalog.Store) {
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	good := ent(catalog.KindTable, "svc.db.t", "", nil)
	for _, bad := range []catalog.Entity{
		{FQN: `svc."broken`, Kind: catalog.KindTable},
		{FQN: "svc.db.x", Kind: "nonsense"},
		{FQN: "", Kind: catalog.KindTable},
	} {
		if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{good, bad}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Upsert(%+v): err = %v, want Invalid", bad, err)
		}
	}
	// The failed batches wrote nothing, not even the good entity.
	if _, err := s.Get(ctx, "svc.db.t"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a failed batch left entities behind: %v", err)
	}
}
