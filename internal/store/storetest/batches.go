package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testBigBatchRepeatingFQNs writes one batch of many new entities in which
// some FQNs come twice: right after their first sighting, and far after
// it. The second sighting updates what the first added; nothing is lost
// or doubled, and every entity is searchable once.
func testBigBatchRepeatingFQNs(t *testing.T, s catalog.Store) {
	const n = 1300
	batch := manyTables("big", n, func(i int) string { return fmt.Sprintf("t%04d", i) }, "first")
	repeatNear := ent(catalog.KindTable, "svc.big.t0003", "second, right after", nil)
	repeatFar := ent(catalog.KindTable, "svc.big.t0010", "second, a thousand entities later", nil)
	batch = append(batch[:6], append([]catalog.Entity{repeatNear}, batch[6:]...)...)
	batch = append(batch, repeatFar)

	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Upsert(ctx, sc.ID, batch)
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Of(catalog.KindTable); c.Added != n || c.Updated != 2 {
		t.Errorf("table stats = %+v, want %d added, 2 updated", *c, n)
	}
	for fqn, want := range map[string]string{"svc.big.t0003": repeatNear.Description, "svc.big.t0010": repeatFar.Description, "svc.big.t1299": "first"} {
		e, err := s.Get(ctx, fqn)
		if err != nil || e.Description != want {
			t.Errorf("%s = %q, %v; want description %q", fqn, e.Description, err, want)
		}
	}
	h, err := s.History(ctx, "svc.big.t0010", 10)
	if err != nil || len(h) != 2 || h[0].Type != catalog.ChangeUpdated || h[1].Type != catalog.ChangeAdded {
		t.Errorf("history of the far repeat = %+v, %v", h, err)
	}
	res, err := s.Search(ctx, catalog.SearchQuery{Text: "t0003"})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].FQN != "svc.big.t0003" {
		t.Errorf("search t0003 = %+v, %v", res, err)
	}
	// The index holds the updated descriptions only: a search for the
	// words of the second sightings finds both repeats, once each, and a
	// search for the first description never finds them.
	if got := hits(t, s, catalog.SearchQuery{Text: "second", Limit: 10}); len(got) != 2 || !contains(got, "svc.big.t0003") || !contains(got, "svc.big.t0010") {
		t.Errorf("search second = %v, want the two repeats once each", got)
	}
	for offset := 0; ; {
		res, err := s.Search(ctx, catalog.SearchQuery{Text: "first", Kinds: []catalog.Kind{catalog.KindTable}, Limit: 500, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.FQN == "svc.big.t0003" || h.FQN == "svc.big.t0010" {
				t.Errorf("search first finds %s, whose description changed", h.FQN)
			}
		}
		if res.NextOffset == 0 {
			break
		}
		offset = res.NextOffset
	}
	page, err := s.List(ctx, catalog.ListQuery{ParentFQN: "svc.big", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	total := len(page.Entities)
	for page.Next != "" {
		if page, err = s.List(ctx, catalog.ListQuery{ParentFQN: "svc.big", Limit: 1000, After: page.Next}); err != nil {
			t.Fatal(err)
		}
		total += len(page.Entities)
	}
	if total != n {
		t.Errorf("%d tables listed under svc.big, want %d", total, n)
	}
}
