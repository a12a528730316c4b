package datazonefake

import (
	"encoding/json"
	"net/http"
	"time"
)

// Pace makes the fake answer like AWS under load: every DataZone call is
// answered latency after it arrives, and calls beyond a token bucket of
// rate per second (holding at most burst) are answered
// ThrottlingException, as DataZone's request quotas do. A zero rate
// turns throttling off.
func (f *Fake) Pace(latency time.Duration, rate float64, burst int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency, f.rate, f.burst = latency, rate, float64(max(burst, 1))
	f.tokens, f.refilled = f.burst, time.Now()
}

// throttledLocked takes a token for a call arriving now; true means
// there was none.
func (f *Fake) throttledLocked(now time.Time) bool {
	if f.rate <= 0 {
		return false
	}
	f.tokens = min(f.burst, f.tokens+now.Sub(f.refilled).Seconds()*f.rate)
	f.refilled = now
	if f.tokens < 1 {
		f.throttled++
		return true
	}
	f.tokens--
	return false
}

// Stats counts the DataZone calls the fake received: all of them
// (throttled ones included), the throttled ones, and the answered ones per
// operation.
type Stats struct {
	Requests  int            `json:"requests"`
	Throttled int            `json:"throttled"`
	Ops       map[string]int `json:"ops"`
}

// Stats returns the counts so far.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := Stats{Requests: len(f.requests), Throttled: f.throttled, Ops: map[string]int{}}
	for op, n := range f.answered {
		st.Ops[op] = n
	}
	return st
}

// StatsPath serves Stats as JSON to an unsigned GET, for a test whose fake
// runs in another process.
const StatsPath = "/_datazonefake/stats"

func (f *Fake) serveStats(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(f.Stats())
}
