// Package throttle is the throttle of lakemap's AWS fakes: a token bucket
// as AWS keeps one per account and API (rate calls a second, burst calls
// at once), answering past it as AWS does.
package throttle

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Bucket is a token bucket. A call that finds it empty is throttled and
// takes no token, as with AWS.
type Bucket struct {
	rate, burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time

	allowed, throttled atomic.Int64
}

// New returns a full bucket.
func New(rate, burst float64) *Bucket {
	return &Bucket{rate: rate, burst: burst, tokens: burst}
}

// Take reports whether a call arriving now may pass.
func (b *Bucket) Take() bool {
	b.mu.Lock()
	now := time.Now()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	b.mu.Unlock()
	if ok {
		b.allowed.Add(1)
	} else {
		b.throttled.Add(1)
	}
	return ok
}

// Reset refills the bucket and zeroes the counts.
func (b *Bucket) Reset() {
	b.mu.Lock()
	b.tokens, b.last = b.burst, time.Time{}
	b.mu.Unlock()
	b.allowed.Store(0)
	b.throttled.Store(0)
}

// Allowed and Throttled count the calls let through and refused.
func (b *Bucket) Allowed() int64   { return b.allowed.Load() }
func (b *Bucket) Throttled() int64 { return b.throttled.Load() }

// Floor is the least time calls need through a bucket of this rate: the
// issue's floor, calls ÷ rate (the initial burst is not counted).
func (b *Bucket) Floor(calls int64) time.Duration { return b.Counts().Floor(calls) }

// Counts is a bucket's rate and what it let through and refused: what a
// fake serving from another process reports (encoding/json).
type Counts struct {
	Rate      float64 `json:"rate"`
	Allowed   int64   `json:"allowed"`
	Throttled int64   `json:"throttled"`
}

// Counts is the bucket's Counts now.
func (b *Bucket) Counts() Counts {
	return Counts{Rate: b.rate, Allowed: b.Allowed(), Throttled: b.Throttled()}
}

// Floor is Bucket.Floor for the bucket c was read from.
func (c Counts) Floor(calls int64) time.Duration {
	return time.Duration(float64(calls) / c.Rate * float64(time.Second))
}

// Row writes one line of a throttled benchmark's table: a measure, its
// target and whether it is met.
func Row(out io.Writer, name string, v, target float64, ok bool) {
	verdict := "ok"
	if !ok {
		verdict = "OVER"
	}
	fmt.Fprintf(out, "  %-34s %10.3f %10.3f %8s\n", name, v, target, verdict)
}

// Info writes a figure that has no target, beside the rows that do.
func Info(out io.Writer, name string, v float64) {
	fmt.Fprintf(out, "  %-34s %10.3f %10s %8s\n", name, v, "–", "")
}

// WriteTargets writes the rows of the throttled-scan targets every source
// shares — wall within 1.25x the floor, at most 5% of calls throttled,
// answered calls within 1.02x the minimum — for a scan that made calls
// attempts where want were needed, in wall.
func (b *Bucket) WriteTargets(out io.Writer, calls, want int64, wall time.Duration) {
	b.Counts().WriteTargets(out, calls, want, wall)
}

// WriteTargets is Bucket.WriteTargets for the bucket c was read from.
func (c Counts) WriteTargets(out io.Writer, calls, want int64, wall time.Duration) {
	floor, answered, throttled := c.Floor(want), c.Allowed, c.Throttled
	Row(out, "wall / floor", wall.Seconds()/floor.Seconds(), 1.25, wall.Seconds() <= 1.25*floor.Seconds())
	Row(out, "throttled / all calls", float64(throttled)/float64(calls), 0.05, float64(throttled) <= 0.05*float64(calls))
	Row(out, "calls answered / minimum", float64(answered)/float64(want), 1.02, float64(answered) <= 1.02*float64(want))
}

// WriteCalls writes the figures behind the targets.
func (b *Bucket) WriteCalls(out io.Writer, calls, want int64, wall time.Duration) {
	b.Counts().WriteCalls(out, calls, want, wall)
}

// WriteCalls is Bucket.WriteCalls for the bucket c was read from.
func (c Counts) WriteCalls(out io.Writer, calls, want int64, wall time.Duration) {
	fmt.Fprintf(out, "  wall %v, floor %v (%d minimum calls at %g/s), calls %d, answered %d, throttled %d\n",
		wall.Round(time.Millisecond), c.Floor(want).Round(time.Millisecond), want, c.Rate, calls, c.Allowed, c.Throttled)
}
