package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// stagedOwner is the table whose partitions the staging tests stage.
const stagedOwner = "svc.sales.orders"

func partition(name, location string) catalog.Entity {
	return ent(catalog.KindPartition, stagedOwner+"."+name, "", map[string]any{"location": location, "values": []any{name}})
}

// staging is a scan of the staging tests: its writes, checked to succeed.
type staging struct {
	t  *testing.T
	s  catalog.Store
	id int64
}

func beginStaging(t *testing.T, s catalog.Store) staging {
	t.Helper()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return staging{t, s, sc.ID}
}

func (g staging) write(w catalog.ScanWrite) catalog.WriteStats {
	g.t.Helper()
	st, err := g.s.Write(ctx, g.id, w)
	if err != nil {
		g.t.Fatalf("scan %d: Write: %v", g.id, err)
	}
	return st
}

func (g staging) stage(parts ...catalog.Entity) {
	g.t.Helper()
	g.write(catalog.ScanWrite{Parts: []catalog.Parts{{Owner: stagedOwner, Entities: parts}}})
}

// publish writes the owner with its staged parts, completing its partition
// listing when complete is set.
func (g staging) publish(complete bool) catalog.WriteStats {
	g.t.Helper()
	w := catalog.ScanWrite{Publish: []string{stagedOwner}, Batch: []catalog.Entity{ent(catalog.KindTable, stagedOwner, "One row per order", nil)}}
	if complete {
		w.Completed = []catalog.Listing{{ParentFQN: stagedOwner, Kinds: []catalog.Kind{catalog.KindPartition}}}
	}
	return g.write(w)
}

func (g staging) finish(status catalog.ScanStatus) {
	g.t.Helper()
	if err := g.s.FinishScan(ctx, g.id, catalog.ScanResult{Status: status, Finished: time.Now()}); err != nil {
		g.t.Fatal(err)
	}
}

// testStaging: parts staged under an owner are invisible to every read
// until the owner's write publishes them, and are then written as an
// Upsert of them would be, history and search included; a later sighting
// replaces an earlier one; completing the owner's listing deletes the
// parts it did not stage.
func testStaging(t *testing.T, s catalog.Store) {
	partitions := []catalog.Kind{catalog.KindPartition}
	get := func(fqn string) catalog.Entity { return mustGet(t, s, fqn) }
	live := func() map[string]string {
		t.Helper()
		page, err := s.List(ctx, catalog.ListQuery{ParentFQN: stagedOwner, Kinds: partitions, Limit: catalog.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, e := range page.Entities {
			out[e.Name] = e.Attrs["location"].(string)
		}
		return out
	}
	// A column with a word of its own: search must not find it staged.
	column := ent(catalog.KindColumn, stagedOwner+".zebra_id", "staged zebrafish", map[string]any{"dataType": "bigint", "ordinal": int64(0)})

	g := beginStaging(t, s)
	g.write(catalog.ScanWrite{Batch: []catalog.Entity{ent(catalog.KindService, "svc", "", nil), ent(catalog.KindDatabase, "svc.sales", "Sales data", nil)}})
	g.stage(partition("p1", "s3://lake/p1"), partition("p2", "s3://lake/p2-first"), column)
	g.stage(partition("p3", "s3://lake/p3"))
	if _, err := s.Get(ctx, stagedOwner+".p1"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Get of a staged part: %v, want not found", err)
	}
	page, err := s.List(ctx, catalog.ListQuery{ParentFQN: stagedOwner, IncludeDeleted: true})
	if err != nil || len(page.Entities) != 0 {
		t.Errorf("List under the owner before it is written: %+v, %v", page.Entities, err)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "zebrafish", IncludeDeleted: true}); len(got) != 0 {
		t.Errorf("search finds staged parts: %v", got)
	}
	if stats, _ := s.Stats(ctx, "svc"); stats[catalog.KindPartition] != 0 || stats[catalog.KindColumn] != 0 {
		t.Errorf("Stats count staged parts: %v", stats)
	}
	if h, err := s.Changes(ctx, catalog.ChangesQuery{Service: "svc", ParentFQN: stagedOwner}); err != nil || len(h) != 0 {
		t.Errorf("history of staged parts: %+v, %v", h, err)
	}
	// The last page comes with its owner: staged, then published, in one
	// write; p2 is seen again and its second sighting wins.
	st := g.write(catalog.ScanWrite{
		Parts:     []catalog.Parts{{Owner: stagedOwner, Entities: []catalog.Entity{partition("p2", "s3://lake/p2")}}},
		Publish:   []string{stagedOwner},
		Batch:     []catalog.Entity{ent(catalog.KindTable, stagedOwner, "One row per order", nil)},
		Completed: []catalog.Listing{{ParentFQN: stagedOwner, Kinds: partitions}},
	})
	if c := st.Of(catalog.KindPartition); c.Added != 3 || c.Updated+c.Unchanged+c.Deleted != 0 {
		t.Errorf("publishing stats: partitions %+v", *c)
	}
	if c := st.Of(catalog.KindColumn); c.Added != 1 {
		t.Errorf("publishing stats: columns %+v", *c)
	}
	if got := live(); len(got) != 3 || got["p2"] != "s3://lake/p2" {
		t.Errorf("partitions after publishing: %v", got)
	}
	if p := get(stagedOwner + ".p1"); p.LastScanID != g.id || p.Kind != catalog.KindPartition || p.Name != "p1" || p.Service != "svc" || p.ParentFQN != stagedOwner {
		t.Errorf("published p1 = %+v", p)
	}
	if got := hits(t, s, catalog.SearchQuery{Text: "zebrafish"}); len(got) != 1 || got[0] != column.FQN {
		t.Errorf("search zebrafish after publishing = %v", got)
	}
	if h, _ := s.History(ctx, stagedOwner+".p2", 10); len(h) != 1 || h[0].Type != catalog.ChangeAdded || h[0].ScanID != g.id {
		t.Errorf("p2 history = %+v, want one addition", h)
	}
	// Published parts are unstaged: publishing again finds nothing.
	if st := g.write(catalog.ScanWrite{Publish: []string{stagedOwner}}); len(st) != 0 {
		t.Errorf("a second publication wrote %v", st)
	}
	g.finish(catalog.ScanSucceeded)

	// The next scan: p1 unchanged, p2 moved, p3 dropped, p4 new.
	g = beginStaging(t, s)
	g.stage(partition("p1", "s3://lake/p1"), partition("p2", "s3://lake/p2-moved"))
	g.stage(partition("p4", "s3://lake/p4"), column)
	if got := live(); len(got) != 3 || got["p2"] != "s3://lake/p2" {
		t.Errorf("partitions while the next scan stages: %v, want those of the last one", got)
	}
	st = g.publish(true)
	if c := st.Of(catalog.KindPartition); c.Added != 1 || c.Updated != 1 || c.Unchanged != 1 || c.Deleted != 1 {
		t.Errorf("second publication: partitions %+v, want 1 added, updated, unchanged and deleted", *c)
	}
	if got := live(); len(got) != 3 || got["p2"] != "s3://lake/p2-moved" || got["p4"] == "" || got["p3"] != "" {
		t.Errorf("partitions after the second scan: %v", got)
	}
	if p := get(stagedOwner + ".p1"); p.LastScanID != g.id {
		t.Errorf("unchanged p1 last seen by scan %d, want %d", p.LastScanID, g.id)
	}
	h, _ := s.History(ctx, stagedOwner+".p2", 10)
	if len(h) != 2 || h[0].Type != catalog.ChangeUpdated || len(h[0].Fields) != 1 || h[0].Fields[0].Field != "attributes.location" ||
		h[0].Fields[0].Old != "s3://lake/p2" || h[0].Fields[0].New != "s3://lake/p2-moved" {
		t.Errorf("p2 history = %+v, want its move", h)
	}
	if h, _ := s.History(ctx, stagedOwner+".p1", 10); len(h) != 1 {
		t.Errorf("unchanged p1 has history %+v", h)
	}
	g.finish(catalog.ScanSucceeded)

	// A scan that fails after staging: nothing it staged is seen, and what
	// it staged goes with its end — it may publish nothing more.
	g = beginStaging(t, s)
	g.stage(partition("p1", "s3://lake/p1-failed"), partition("p3", "s3://lake/p3-failed"))
	g.finish(catalog.ScanFailed)
	if got := live(); len(got) != 3 || got["p1"] != "s3://lake/p1" || got["p3"] != "" {
		t.Errorf("partitions after a failed scan: %v", got)
	}
	if _, err := s.Write(ctx, g.id, catalog.ScanWrite{Publish: []string{stagedOwner}}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("publishing for a finished scan: %v, want refused", err)
	}

	// A dropped part seen again is restored, its history saying so.
	g = beginStaging(t, s)
	g.stage(partition("p3", "s3://lake/p3"))
	if c := g.publish(false).Of(catalog.KindPartition); c.Updated != 1 || c.Deleted != 0 {
		t.Errorf("restoring p3: %+v", *c)
	}
	if h, _ := s.History(ctx, stagedOwner+".p3", 1); len(h) != 1 || h[0].Type != catalog.ChangeRestored {
		t.Errorf("p3 history = %+v, want restored", h)
	}
	if got := live(); len(got) != 4 {
		t.Errorf("partitions after a publication without completion: %v, want all four live", got)
	}
	g.finish(catalog.ScanSucceeded)

	// New parts that sort after every stored one, beside a stored one
	// seen again: the new are added, the old one unchanged.
	g = beginStaging(t, s)
	g.stage(partition("p5", "s3://lake/p5"), partition("p6", "s3://lake/p6"))
	if c := g.publish(false).Of(catalog.KindPartition); c.Added != 2 || c.Updated+c.Unchanged != 0 {
		t.Errorf("publishing two new parts: %+v", *c)
	}
	g.stage(partition("p4", "s3://lake/p4"), partition("p7", "s3://lake/p7"))
	if c := g.publish(false).Of(catalog.KindPartition); c.Added != 1 || c.Unchanged != 1 || c.Updated != 0 {
		t.Errorf("publishing a new part beside a stored one: %+v", *c)
	}
	if h, _ := s.History(ctx, stagedOwner+".p6", 5); len(h) != 1 || h[0].Type != catalog.ChangeAdded || h[0].ScanID != g.id {
		t.Errorf("p6 history = %+v, want its addition by scan %d", h, g.id)
	}
	if got := live(); len(got) != 7 {
		t.Errorf("partitions after adding three: %v, want seven live", got)
	}
	g.finish(catalog.ScanSucceeded)
}

// testStagingBadPart: a part the store refuses fails its whole write,
// and the owner's publication alone then writes only what was staged.
func testStagingBadPart(t *testing.T, s catalog.Store) {
	g := beginStaging(t, s)
	g.stage(partition("p1", "s3://lake/p1"))
	_, err := s.Write(ctx, g.id, catalog.ScanWrite{Parts: []catalog.Parts{{Owner: stagedOwner, Entities: []catalog.Entity{
		partition("p2", "s3://lake/p2"), {FQN: stagedOwner + ".bogus", Kind: "no-such-kind"}}}}})
	if err == nil {
		t.Fatal("staging an unknown kind succeeded")
	}
	if c := g.publish(true).Of(catalog.KindPartition); c.Added != 1 {
		t.Errorf("published %+v, want p1 alone", *c)
	}
	if _, err := s.Get(ctx, stagedOwner+".p2"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("p2, staged by a write that failed: %v", err)
	}
}

// interrupter is how the server records, at start, the scans a dead
// process left running (jobs.ScanRecords); both stores have it.
type interrupter interface {
	MarkRunningInterrupted(ctx context.Context, at time.Time) (int, error)
}

// testStagingInterrupted: a scan whose process died leaves its parts
// staged; recording it interrupted discards them, and a late write of the
// dead scan may not publish.
func testStagingInterrupted(t *testing.T, s catalog.Store) {
	in, ok := s.(interrupter)
	if !ok {
		t.Skip("the store does not record interrupted scans")
	}
	g := beginStaging(t, s)
	g.stage(partition("p1", "s3://lake/p1"))
	g.publish(true)
	g.finish(catalog.ScanSucceeded)

	dead := beginStaging(t, s)
	dead.stage(partition("p1", "s3://lake/p1-dead"), partition("p2", "s3://lake/p2-dead"))
	if n, err := in.MarkRunningInterrupted(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("MarkRunningInterrupted = %d, %v", n, err)
	}
	if sc, err := s.GetScan(ctx, dead.id); err != nil || sc.Status != "interrupted" {
		t.Errorf("the dead scan's record: %+v, %v", sc, err)
	}
	if _, err := s.Write(ctx, dead.id, catalog.ScanWrite{Publish: []string{stagedOwner}}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("publishing for an interrupted scan: %v, want refused", err)
	}
	next := beginStaging(t, s)
	next.stage(partition("p1", "s3://lake/p1"))
	if c := next.publish(true).Of(catalog.KindPartition); c.Unchanged != 1 || c.Added+c.Updated+c.Deleted != 0 {
		t.Errorf("the next scan's publication: %+v, want p1 unchanged and nothing of the dead scan's", *c)
	}
	if _, err := s.Get(ctx, stagedOwner+".p2"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("p2, staged by the dead scan: %v", err)
	}
}

// mustGet reads the entity at fqn, failing the test when it cannot.
func mustGet(t *testing.T, s catalog.Store, fqn string) catalog.Entity {
	t.Helper()
	e, err := s.Get(ctx, fqn)
	if err != nil {
		t.Fatalf("%s: %v", fqn, err)
	}
	return e
}

// testStagingManyParts: an owner's staged parts are published a page at a
// time by some stores; counts, history and deletions must come out as one
// publication of them all would, whatever falls on a page's edge.
func testStagingManyParts(t *testing.T, s catalog.Store) {
	const n, writes = 12001, 3
	name := func(i int) string { return fmt.Sprintf("p%05d", i) }
	stageAll := func(g staging, parts []catalog.Entity) {
		for start, size := 0, (len(parts)+writes-1)/writes; start < len(parts); start += size {
			g.stage(parts[start:min(start+size, len(parts))]...)
		}
	}
	g := beginStaging(t, s)
	first := make([]catalog.Entity, n)
	for i := range first {
		first[i] = partition(name(i), "s3://lake/"+name(i))
	}
	stageAll(g, first)
	if c := g.publish(true).Of(catalog.KindPartition); c.Added != n || c.Updated+c.Unchanged+c.Deleted != 0 {
		t.Fatalf("first publication: %+v, want %d added", *c, n)
	}
	g.finish(catalog.ScanSucceeded)

	// The next scan drops every tenth, moves every seventh of the rest and
	// adds parts that sort between the old ones.
	var want catalog.Counts
	var next []catalog.Entity
	for i := range n {
		switch {
		case i%10 == 0:
			want.Deleted++
		case i%7 == 0:
			next = append(next, partition(name(i), "s3://lake/moved/"+name(i)))
			want.Updated++
		default:
			next = append(next, first[i])
			want.Unchanged++
		}
		if i%24 == 1 {
			next = append(next, partition(name(i)+"-new", "s3://lake/new"))
			want.Added++
		}
	}
	g = beginStaging(t, s)
	stageAll(g, next)
	if c := g.publish(true).Of(catalog.KindPartition); *c != want {
		t.Errorf("second publication: %+v, want %+v", *c, want)
	}
	if stats, err := s.Stats(ctx, "svc"); err != nil || stats[catalog.KindPartition] != want.Added+want.Updated+want.Unchanged {
		t.Errorf("live partitions after the second scan: %v, %v", stats, err)
	}
	for _, i := range []int{4998, 5005, 5012, 9996, 11998} { // moved, around the pages' edges
		h, _ := s.History(ctx, stagedOwner+"."+name(i), 5)
		if len(h) != 2 || h[0].Type != catalog.ChangeUpdated || h[0].ScanID != g.id {
			t.Errorf("%s history = %+v, want its move by scan %d", name(i), h, g.id)
		}
	}
	for _, i := range []int{1, 5001, 12000 - 1} {
		if p := mustGet(t, s, stagedOwner+"."+name(i)); p.LastScanID != g.id || p.Deleted {
			t.Errorf("unchanged %s = last scan %d, deleted %v; want seen by %d", name(i), p.LastScanID, p.Deleted, g.id)
		}
	}
	if p := mustGet(t, s, stagedOwner+"."+name(5000)); !p.Deleted {
		t.Errorf("dropped %s is live", name(5000))
	}
	if st := g.write(catalog.ScanWrite{Publish: []string{stagedOwner}}); len(st) != 0 {
		t.Errorf("a second publication wrote %v", st)
	}
}
