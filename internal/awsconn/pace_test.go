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
		p.succeeded(now)
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
		p.epochOK++
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
		p.succeeded(now)
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
// An episode's first throttle answers a call sent a round trip ago; every
// call sent since went out unpaced into the same empty bucket. The next
// call waits for them to land instead of racing them for the tokens AWS
// refills meanwhile; later cuts of the episode space calls by the pace
// alone.
func TestPacerWaitsARoundTripAfterTheFirstThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	for range 200 {
		p.succeeded(now)
		now = now.Add(5 * time.Millisecond)
	}
	rtt := 60 * time.Millisecond
	p.throttled(now.Add(-rtt))
	if p.rate == 0 {
		t.Fatal("not paced after the first throttle")
	}
	if got := p.next.Sub(now); got != rtt {
		t.Errorf("next call %v after the first cut, want the throttled call's round trip %v", got, rtt)
	}

	now = now.Add(time.Second)
	for range paceJudged {
		p.succeeded(now)
	}
	p.throttled(now.Add(-time.Second)) // a slow call: no hold either
	if got, want := p.next.Sub(now), time.Duration(float64(time.Second)/p.rate); got != want {
		t.Errorf("next call %v after a later cut, want 1/pace %v", got, want)
	}
}

func TestSessionPacers(t *testing.T) {
	s := &Session{pacers: map[paceKey]*pacer{}}
	glue, s3 := s.pacerFor("Glue", "us-east-1"), s.pacerFor("S3", "us-east-1")
	if glue == s3 || s.pacerFor("Glue", "us-east-1") != glue || s.pacerFor("Glue", "eu-west-1") == glue {
		t.Error("pacers are not one per service and region")
	}
}

// Throttles that do not follow the rate (a third of all calls, however
// slow): after two cuts that did not lower the throttled share, pacing
// stops for paceDeaf instead of slowing the scan to a crawl.
func TestPacerGivesUpWhenSlowingDoesNotHelp(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	ctx := context.Background()
	calls := 0
	call := func() {
		now = maxTime(now, p.next) // the test's clock moves, not the wall's
		sent, err := p.wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now = sent.Add(2 * time.Millisecond)
		if calls++; calls%3 == 0 {
			p.throttled(sent)
		} else {
			p.succeeded(sent)
		}
	}
	for range 300 {
		call()
		if calls > 30 && p.rate == 0 {
			break
		}
	}
	if p.rate != 0 {
		t.Fatalf("after %d calls a third throttled: still paced at %.1f calls/s", calls, p.rate)
	}
	if calls > 40 {
		t.Errorf("pacing took %d calls to give up", calls)
	}
	deafFrom := now
	for now.Sub(deafFrom) < paceDeaf-time.Second {
		call()
		if p.rate != 0 {
			t.Fatalf("paced again %v after giving up", now.Sub(deafFrom))
		}
	}
}

// A token bucket (AWS's throttle) is followed, never given up on: each
// cut lowers the throttled share.
func TestPacerKeepsPacingATokenBucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newPacer(func() time.Time { return now })
	ctx := context.Background()
	tokens, last := 100.0, now
	throttled, calls := 0, 0
	for range 3000 {
		now = maxTime(now, p.next)
		sent, _ := p.wait(ctx)
		now = maxTime(sent, now.Add(2*time.Millisecond)) // a caller sending 500 calls/s at most
		tokens = min(100, tokens+100*now.Sub(last).Seconds())
		last = now
		calls++
		if tokens >= 1 {
			tokens--
			p.succeeded(sent)
		} else {
			throttled++
			p.throttled(sent)
		}
	}
	t.Logf("%d of %d throttled, paced at %.1f", throttled, calls, p.rate)
	if !p.deafUntil.IsZero() {
		t.Error("pacing gave up on a token bucket")
	}
	if share := float64(throttled) / float64(calls); share > 0.05 {
		t.Errorf("%d of %d calls throttled (%.1f%%)", throttled, calls, 100*share)
	}
	if p.rate < 80 || p.rate > 110 {
		t.Errorf("paced at %.1f calls/s, AWS lets 100 through", p.rate)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
