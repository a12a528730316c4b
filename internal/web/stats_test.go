package web

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// countingStore counts Stats calls; the rest of catalog.Store is unused.
type countingStore struct {
	catalog.Store
	mu    sync.Mutex
	calls int
	fail  bool
	n     int64
}

func (s *countingStore) Stats(context.Context, string) (map[catalog.Kind]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail {
		return nil, errors.New("disk on fire")
	}
	return map[catalog.Kind]int64{catalog.KindTable: s.n}, nil
}

func (s *countingStore) state() (int, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.n
}

// TestStatsCache: the first request counts, the next ones reuse the
// counts, stale counts are served while one refresh runs, and a failed
// first count is an error the next request retries.
func TestStatsCache(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{fail: true, n: 1}
	now := time.Unix(1_700_000_000, 0)
	var clock sync.Mutex
	c := newStatsCache(st, func() time.Time { clock.Lock(); defer clock.Unlock(); return now })

	if _, err := c.get(ctx, ""); err == nil {
		t.Fatal("a failed count gave no error")
	}
	st.mu.Lock()
	st.fail = false
	st.mu.Unlock()
	got, err := c.get(ctx, "")
	if err != nil || got[catalog.KindTable] != 1 {
		t.Fatalf("after the failure: %v, %v", got, err)
	}
	for range 5 {
		must(t, func() error { _, err := c.get(ctx, ""); return err }())
	}
	if calls, _ := st.state(); calls != 2 {
		t.Errorf("Stats called %d times, want 2 (one failure, one count)", calls)
	}

	st.mu.Lock()
	st.n = 2
	st.mu.Unlock()
	clock.Lock()
	now = now.Add(statsTTL + time.Second)
	clock.Unlock()
	if got, _ := c.get(ctx, ""); got[catalog.KindTable] != 1 {
		t.Errorf("stale request got %v, want the old counts at once", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := c.get(ctx, "")
		if got[catalog.KindTable] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never landed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if calls, _ := st.state(); calls != 3 {
		t.Errorf("Stats called %d times, want 3", calls)
	}
}
