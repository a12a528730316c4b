package s3

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

func TestListedBudgetReservesAPageAndSettlesOnWhatCame(t *testing.T) {
	ctx := context.Background()
	b := newListedBudget(1, func() bool { return true }) // a floor of one page: 1,000 objects, the writer behind
	first, err := b.reserve(ctx, 0)
	if err != nil || first.held != s3PageMax {
		t.Fatalf("first reserve: held %d, %v; want a whole page", first.held, err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.reserve(short, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reserve past the budget: %v; want it to wait until its context ends", err)
	}

	// A page of 100 gives 900 back at once, and the next page is
	// expected smaller: it fits beside the one held.
	first.received(100)
	if first.held != 100 {
		t.Fatalf("after a page of 100 the hold keeps %d", first.held)
	}
	second, err := b.reserve(ctx, 0)
	if err != nil || second.held != 875 {
		t.Fatalf("second reserve: held %d, %v; want 875 (1,000 decayed by an eighth)", second.held, err)
	}
	first.giveBack(true)
	first.giveBack(true) // a hold is given back once
	second.drop()

	// A listing that asks for few keys reserves few; a page bigger than
	// reserved is let through and raises what is expected.
	probe, err := b.reserve(ctx, 1)
	if err != nil || probe.held != 1 {
		t.Fatalf("reserve for MaxKeys 1: held %d, %v", probe.held, err)
	}
	probe.received(1000)
	if probe.held != 1 || b.expect != s3PageMax {
		t.Fatalf("after a bigger page: hold %d, expect %d", probe.held, b.expect)
	}
	probe.drop()
	if b.held != 0 {
		t.Fatalf("%d objects still held after every hold was given back", b.held)
	}
}

// The bound grows while the writer keeps up and shrinks when the sink
// says the writer is behind, and while it is behind no more than the
// floor is reserved; a failed request says nothing either way.
func TestListedBudgetFollowsTheWriter(t *testing.T) {
	ctx := context.Background()
	behind := false
	b := newListedBudget(16, func() bool { return behind })
	if b.floor != 8000 || b.ceiling != 20000 || b.limit != b.floor {
		t.Fatalf("listThreads 16: floor %d, ceiling %d, limit %d; want 8,000, 20,000 (a page per worker), 8,000", b.floor, b.ceiling, b.limit)
	}
	pageHandedOff := func(backlogged bool) {
		h, err := b.reserve(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		behind = backlogged
		h.handOff(s3PageMax, func() {})
		behind = false
	}
	for range 5 {
		pageHandedOff(false)
	}
	if b.limit != 13000 {
		t.Errorf("after 5 pages taken at once the bound is %d, want 13,000", b.limit)
	}
	for range 20 {
		pageHandedOff(false)
	}
	if b.limit != b.ceiling {
		t.Errorf("the bound grew to %d, past or short of its ceiling %d", b.limit, b.ceiling)
	}
	h, _ := b.reserve(ctx, 0)
	h.drop()
	if b.limit != b.ceiling {
		t.Errorf("a failed request moved the bound to %d", b.limit)
	}
	pageHandedOff(true)
	if b.limit != b.ceiling-s3PageMax {
		t.Errorf("a page handed to a writer that is behind left the bound at %d, want %d", b.limit, b.ceiling-s3PageMax)
	}
	for range 30 {
		pageHandedOff(true)
	}
	if b.limit != b.floor {
		t.Errorf("a writer behind for 30 pages left the bound at %d, want the floor %d", b.limit, b.floor)
	}

	// A writer behind now: reservations stop at the floor, whatever the
	// bound grew to, and go on once something is given back.
	for range 20 {
		pageHandedOff(false)
	}
	behind = true
	var holds []pageHold
	for range 8 {
		h, err := b.reserve(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		holds = append(holds, h)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.reserve(short, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a ninth page reserved while the writer is behind: %v", err)
	}
	behind = false
	if h, err := b.reserve(ctx, 0); err != nil {
		t.Fatalf("once the writer keeps up the bound is %d again: %v", b.limit, err)
	} else {
		h.drop()
	}
	for _, h := range holds {
		h.drop()
	}

	for threads, want := range map[int]int64{0: 1000, 1: 1000, 2: 1000, 16: 8000, 64: 32000} {
		if got := newListedBudget(threads, nil).floor; got != want {
			t.Errorf("listThreads %d: floor %d objects, want %d", threads, got, want)
		}
	}
}

// stallingSink holds every EmitPart until released, as a catalog writer
// busy with something else does, and says so (source.Backlog).
type stallingSink struct {
	*memSink
	gate chan struct{}
}

func (s *stallingSink) Backlogged() bool {
	select {
	case <-s.gate:
		return false
	default:
		return true
	}
}

func (s *stallingSink) EmitPart(ctx context.Context, owner string, ents ...catalog.Entity) error {
	select {
	case <-s.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.memSink.EmitPart(ctx, owner, ents...)
}

// While the writer takes nothing, the scan stops listing once the budget
// is held, instead of every worker holding a decoded page of 1,000
// objects; nothing is lost once the writer moves again.
func TestListingWaitsForTheWriterWithinTheBudget(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "big", space: genSpace{prefixes: 40, perPrefix: 1000}})
	srv := f.start()
	cfg := DefaultSourceConfig()
	cfg.ListThreads, cfg.IncludeObjects, cfg.SampleFiles = 4, true, 0 // a budget of 2,000 objects; 5 workers
	sink := &stallingSink{memSink: newMemSink(), gate: make(chan struct{})}
	s := testScanner(t, srv.URL, f, cfg)
	done := make(chan error, 1)
	go func() { done <- s.Scan(context.Background(), sink) }()

	// Wait until the listings stop: nothing more is asked while the
	// writer is stalled.
	listed := f.count("ListObjectsV2")
	for still := 0; still < 10; {
		time.Sleep(30 * time.Millisecond)
		if n := f.count("ListObjectsV2"); n != listed {
			listed, still = n, 0
		} else {
			still++
		}
	}
	// The root's listing (prefixes only), then two pages of objects:
	// 875 + 875 fit in 2,000, a third does not. Without the budget each
	// of the 5 workers holds a page.
	if listed < 2 || listed > 3 {
		t.Errorf("%d listing pages answered while the writer was stalled; want the root and at most 2 pages of objects", listed)
	}
	close(sink.gate)
	if err := <-done; err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if objects := sink.count(catalog.KindObject); objects != 40*1000 {
		t.Errorf("%d objects catalogued after the writer moved again, want %d", objects, 40*1000)
	}
}

// A page whose handling panics (runTask recovers it) still gives its
// hold back: otherwise every later listing would wait for it forever.
func TestListedBudgetHoldSurvivesAPanickingPage(t *testing.T) {
	b := newListedBudget(1, func() bool { return false })
	h, err := b.reserve(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { _ = recover() }()
		h.handOff(s3PageMax, func() { panic("a lakemap bug") })
	}()
	if b.held != 0 {
		t.Fatalf("%d objects still held after the page's handling panicked", b.held)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := b.reserve(ctx, 0); err != nil {
		t.Fatalf("the next page could not be reserved: %v", err)
	}
}
