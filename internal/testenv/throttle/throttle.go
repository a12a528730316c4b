// Package throttle is the throttle of lakemap's AWS fakes: a token bucket
// as AWS keeps one per account and API (rate calls a second, burst calls
// at once), answering past it as AWS does.
package throttle

import (
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
func (b *Bucket) Floor(calls int64) time.Duration {
	return time.Duration(float64(calls) / b.rate * float64(time.Second))
}
