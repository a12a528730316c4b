package awsconn

import (
	"context"
	"math"
	"testing"
	"time"
)

// The pacer, on a clock the test moves: unpaced until AWS throttles, then
// a little under what AWS let through, stale throttles ignored, and back up
// while calls succeed.
func TestPacerFollowsWhatAWSAllows(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	ctx := context.Background()
	step := func(d time.Duration) { now = now.Add(d) }

	// 200 calls answered over the first second (a burst, say): unpaced.
	for range 200 {
		if at, err := p.wait(ctx); err != nil || !at.Equal(now) {
			t.Fatalf("unpaced call held until %v (err %v)", at, err)
		}
		p.succeeded()
		step(5 * time.Millisecond)
	}
	sent := now
	p.throttled(sent)
	// The window is ten tenths of a second, the current one partial.
	if lo, hi := paceFirstCut*179, paceFirstCut*200; p.rate < lo || p.rate > hi {
		t.Fatalf("after the first throttle: %.1f calls/s, want %.0f to %.0f (%.1f of the calls answered in the last second)", p.rate, lo, hi, paceFirstCut)
	}
	first := p.rate

	// Throttles of calls sent before the cut change nothing.
	step(10 * time.Millisecond)
	p.throttled(sent)
	if p.rate != first {
		t.Errorf("a call sent before the cut moved the pace to %.1f", p.rate)
	}

	// AWS lets about 100 calls/s through: 50 answered in the 510 ms since
	// the episode's first throttle, then a throttle. The pace goes to 90%
	// of that.
	for range 50 {
		step(10 * time.Millisecond)
		p.episodeOK++ // answered calls, without the growth of succeeded
	}
	p.throttled(now)
	if want := paceMargin * 50 / 0.51; math.Abs(p.rate-want) > 0.1 {
		t.Errorf("within the episode: %.1f calls/s, want %.1f", p.rate, want)
	}

	// Paced calls are spaced by 1/rate.
	step(time.Second)
	a, _ := p.wait(ctx)
	b := p.next
	if gap := b.Sub(a); math.Abs(gap.Seconds()-1/p.rate) > 1e-6 {
		t.Errorf("paced calls %v apart, want %v", gap, time.Duration(float64(time.Second)/p.rate))
	}

	// Calls that succeed let the rate grow by paceGrowth a second.
	before := p.rate
	for range int(before) {
		p.succeeded()
	}
	if got := p.rate / before; math.Abs(got-(1+paceGrowth)) > 0.01 {
		t.Errorf("a second of answered calls grew the pace by %.3f, want %.3f", got, 1+paceGrowth)
	}

	// A waiting call gives up with its context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p.next = now.Add(time.Hour)
	if _, err := p.wait(cctx); err == nil {
		t.Error("a cancelled call was let out")
	}
}

// Each service and region of a session has its own pacer; workers share it.
func TestSessionPacers(t *testing.T) {
	s := &Session{pacers: map[paceKey]*pacer{}}
	glue, s3 := s.pacerFor("Glue", "us-east-1"), s.pacerFor("S3", "us-east-1")
	if glue == s3 || s.pacerFor("Glue", "us-east-1") != glue || s.pacerFor("Glue", "eu-west-1") == glue {
		t.Error("pacers are not one per service and region")
	}
}
