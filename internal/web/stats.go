package web

import (
	"context"
	"sync"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// statsTTL is how old the home page's counts may be before a request
// refreshes them in the background.
const statsTTL = time.Minute

// statsCache keeps the home page's entity counts per service. Counting is
// a pass over the whole catalog (seconds at a million entities), so a
// request waits for it only the first time a service is counted; after
// that, requests get the last counts at once and one refresh runs behind
// them when the counts are older than statsTTL.
type statsCache struct {
	store catalog.Store
	now   func() time.Time
	mu    sync.Mutex
	m     map[string]*statsEntry
}

type statsEntry struct {
	ready      chan struct{} // closed when the first count ends
	counts     map[catalog.Kind]int64
	err        error
	at         time.Time
	refreshing bool
}

func newStatsCache(store catalog.Store, now func() time.Time) *statsCache {
	return &statsCache{store: store, now: now, m: map[string]*statsEntry{}}
}

// get returns the counts of service ("" for the whole catalog).
func (c *statsCache) get(ctx context.Context, service string) (map[catalog.Kind]int64, error) {
	c.mu.Lock()
	e := c.m[service]
	if e == nil {
		e = &statsEntry{ready: make(chan struct{}), refreshing: true}
		c.m[service] = e
		c.mu.Unlock()
		c.refresh(service, e)
	} else {
		if !e.refreshing && c.now().Sub(e.at) > statsTTL {
			e.refreshing = true
			go c.refresh(service, e)
		}
		c.mu.Unlock()
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.err != nil {
		// A failed count is tried again by the next request.
		if c.m[service] == e && e.counts == nil {
			delete(c.m, service)
		}
		return nil, e.err
	}
	return e.counts, nil
}

// refresh counts a service on a context of its own: the request that
// started it may end first, and the next requests want the result.
func (c *statsCache) refresh(service string, e *statsEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	counts, err := c.store.Stats(ctx, service)
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refreshing = false
	if err == nil || e.counts == nil {
		e.counts, e.err, e.at = counts, err, c.now()
	}
	select {
	case <-e.ready:
	default:
		close(e.ready)
	}
}
