package s3

import (
	"context"
	"sync"
)

// s3PageMax is the most keys S3 returns in one listing page.
const s3PageMax = 1000

// listedBudget bounds the listed objects a scan holds between S3 and the
// catalog writer. A worker reserves a page's worth before it asks for the
// page and gives it back once the page is handed to the writer.
//
// Listing workers outrun a busy writer (a scan's first second, a slow
// disk), and each then waits in Emit holding its decoded page: with 20
// workers and 1,000-key pages, 20,000 objects: a throttled 200k-object
// bucket peaked at 27 MB of heap in use, a 20k one (100-key pages) at 14,
// and with this budget the 200k one at 21–23.
// Counting objects, not requests, keeps many small listings in flight
// together while it bounds big ones; a listing waiting here holds nothing.
//
// The bound moves with the writer. It starts at half a page per listing
// thread, so that a scan's first burst of pages cannot outrun a writer
// that has not shown its pace. It grows a page with every page handed off
// while the writer keeps up, up to a page per listing worker (where it
// bounds nothing), and shrinks a page with every page handed to a writer
// that is behind; and while the sink says its writer is behind, no more
// than the starting bound is reserved. A scan whose writer keeps up keeps
// every listing thread busy (a fixed bound of half cost a CPU-bound
// inventory a fifth of its speed); one whose writer lags holds half.
type listedBudget struct {
	floor, ceiling int64
	// backlogged says the catalog writer is behind now (source.Backlog).
	backlogged func() bool

	mu    sync.Mutex
	limit int64
	held  int64
	// expect is what the next page is reserved for: the largest recent
	// page, decaying by an eighth a page. It starts at a full page, so a
	// scan's first requests cannot overshoot before pages are seen.
	expect int64
	// wake is closed, and replaced, when room may have been made.
	wake chan struct{}
}

func newListedBudget(listThreads int, backlogged func() bool) *listedBudget {
	floor := int64(max(listThreads*s3PageMax/2, s3PageMax))
	b := &listedBudget{floor: floor, ceiling: max(int64(listWorkers(listThreads))*s3PageMax, floor), backlogged: backlogged, wake: make(chan struct{})}
	b.limit, b.expect = floor, s3PageMax
	return b
}

// pageHold is one page's share of the budget.
type pageHold struct {
	b    *listedBudget
	held int64
}

// reserve waits for room for the next page of a listing asking for up to
// maxKeys keys (0: S3's default of 1,000). An empty budget always admits
// one page, whatever its size.
func (b *listedBudget) reserve(ctx context.Context, maxKeys int32) (pageHold, error) {
	for {
		b.mu.Lock()
		n := b.expect
		if maxKeys > 0 {
			n = min(n, int64(maxKeys))
		}
		n = max(n, 1)
		limit := b.limit
		if b.backlogged() {
			limit = min(limit, b.floor)
		}
		if b.held == 0 || b.held+n <= limit {
			b.held += n
			b.mu.Unlock()
			return pageHold{b: b, held: n}, nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return pageHold{}, ctx.Err()
		}
	}
}

// wakeLocked lets waiting reservations look again.
func (b *listedBudget) wakeLocked() {
	close(b.wake)
	b.wake = make(chan struct{})
}

// handOff settles the hold on the page that came back, entries long, runs
// use on it, and gives the hold back once use has handed the page to the
// writer, even if use panics (runTask recovers): a leaked hold would stall
// every later listing.
func (h *pageHold) handOff(entries int, use func()) {
	defer h.giveBack(true)
	h.received(entries)
	use()
}

// received settles the hold: a smaller page gives back the difference at
// once. A bigger one is let through (it is at most a page) and teaches the
// budget to expect more.
func (h *pageHold) received(entries int) {
	b, n := h.b, int64(entries)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expect = max(n, b.expect-b.expect/8)
	if n < h.held {
		b.held -= h.held - n
		h.held = n
		b.wakeLocked()
	}
}

// drop gives the hold back when no page came (the request failed): it
// says nothing about the writer.
func (h *pageHold) drop() { h.giveBack(false) }

// giveBack returns the hold. A page handed to a writer that is behind
// shrinks the bound a page; one handed to a writer that keeps up grows it.
func (h *pageHold) giveBack(handedOff bool) {
	b := h.b
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= h.held
	h.held, h.b = 0, nil
	switch {
	case !handedOff:
	case b.backlogged():
		b.limit = max(b.limit-s3PageMax, b.floor)
	default:
		b.limit = min(b.limit+s3PageMax, b.ceiling)
	}
	b.wakeLocked()
}
