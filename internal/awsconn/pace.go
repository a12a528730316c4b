package awsconn

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// A connection paces its calls once AWS throttles them: each service and
// region of the connection (AWS's throttling unit within an account) gets
// a pacer, shared by every worker of the scan, that starts unpaced, drops
// to what AWS let through when it throttles, and creeps back up while AWS
// keeps answering. A throttled scan then spends its time on calls that
// succeed instead of on retries and backoff. The SDK's adaptive retry mode
// does the same in spirit but measures the rate it sent, not the rate AWS
// allowed, and so overshoots more (issue 14 measured it at 1.6x to 2.5x
// the floor).
const (
	// paceWindow is how far back the rate AWS allowed is measured: long
	// enough to average over a token bucket's refills, short enough to
	// follow a change.
	paceWindow  = time.Second
	paceBuckets = 10
	// paceMargin is how far under the measured rate pacing resumes after a
	// throttle, so that the bucket AWS keeps can refill a little.
	paceMargin = 0.9
	// paceFirstCut is the share of the last window's answered calls an
	// episode starts at: that window holds AWS's initial burst besides its
	// rate, so the first cut goes deeper than the later ones.
	paceFirstCut = 0.7
	// paceGrowth is how fast the rate recovers without throttles: 5% a
	// second (applied per successful call).
	paceGrowth = 0.05
	// paceEpisode is how long after a cut a throttle still belongs to the
	// same episode: AWS's bucket, refilling while calls go slower than it,
	// holds a few seconds' worth at most.
	paceEpisode = 5 * time.Second
	// minPace is the slowest pace: one call a second.
	minPace = 1.0
	// paceJudged is how many calls sent at a pace (answered or throttled)
	// tell whether it throttles less than the one before: a second cut
	// waits for them, so the one before has been seen working or not.
	paceJudged = 8
	// paceUseless: a pace whose share of throttled calls stays at three
	// quarters or more of the share at the faster pace before it did not
	// help, and the share before must have been real (a tenth of calls).
	paceUseless, paceMeaningful = 0.75, 0.1
	// paceDeaf is how long throttles are left to the SDK's retries after
	// pacing was seen not to help: AWS then throttles for a reason other
	// than this connection's rate (another workload on the account's
	// quota, a fault), and slowing down would only lengthen the scan.
	paceDeaf = 10 * time.Second
)

// pacer is the call rate of one service and region of a connection.
type pacer struct {
	now func() time.Time

	mu   sync.Mutex
	rate float64   // calls per second; 0 means unpaced
	next time.Time // when the next call may go out
	cut  time.Time // the last cut: throttles of calls sent before it are stale
	// episode is the first cut of a run of throttles, episodeOK the calls
	// answered since.
	episode   time.Time
	episodeOK int
	// epochOK and epochThrottled count the calls sent since the last cut;
	// lastShare is the throttled share of the epoch before it, -1 when
	// that epoch was unpaced or too short to judge.
	epochOK, epochThrottled int
	lastShare               float64
	deafUntil               time.Time
	// ok counts successful calls per tenth of paceWindow, ring-indexed by
	// the bucket number okAt.
	ok   [paceBuckets]int
	okAt [paceBuckets]int64
}

func newPacer(now func() time.Time) *pacer { return &pacer{now: now, lastShare: -1} }

// wait holds a call until its turn and returns when it was let out. A
// turn is taken only when it comes, not reserved ahead: a cut then slows
// the calls already waiting too, not only those that come after it.
func (p *pacer) wait(ctx context.Context) (time.Time, error) {
	var t *time.Timer
	for {
		p.mu.Lock()
		now := p.now()
		if p.rate == 0 || !now.Before(p.next) {
			if p.rate > 0 {
				p.next = now.Add(time.Duration(float64(time.Second) / p.rate))
			}
			p.mu.Unlock()
			return now, nil
		}
		d := p.next.Sub(now)
		p.mu.Unlock()
		if t == nil {
			t = time.NewTimer(d)
			defer t.Stop()
		} else {
			t.Reset(d)
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return now, ctx.Err()
		}
	}
}

// succeeded counts a call sent at sent that AWS answered, and lets the
// rate recover.
func (p *pacer) succeeded(sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if !sent.Before(p.cut) {
		p.epochOK++
	}
	b := now.UnixNano() / int64(paceWindow/paceBuckets)
	i := int(b % paceBuckets)
	if p.okAt[i] != b {
		p.okAt[i], p.ok[i] = b, 0
	}
	p.ok[i]++
	p.episodeOK++
	if p.rate > 0 {
		p.rate *= 1 + paceGrowth/p.rate
	}
}

// allowed is the rate of successful calls over the last paceWindow.
func (p *pacer) allowed(now time.Time) float64 {
	b := now.UnixNano() / int64(paceWindow/paceBuckets)
	n := 0
	for i := range paceBuckets {
		if b-p.okAt[i] < paceBuckets {
			n += p.ok[i]
		}
	}
	return float64(n) / paceWindow.Seconds()
}

// throttled slows the pace after AWS throttled a call sent at sent.
// Throttles of calls sent before the last cut say nothing about the new
// pace. AWS's token bucket is empty whenever it throttles, so between the
// first throttle of an episode and now, what AWS let through is exactly its
// refill rate: the pace goes a little under that. An episode's first
// throttle has nothing to measure from yet: the pace goes a little under
// the calls answered over the last window, which the bucket's initial
// burst inflates; the next throttle corrects it.
func (p *pacer) throttled(sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if sent.Before(p.cut) || now.Before(p.deafUntil) {
		return
	}
	p.epochThrottled++
	share := -1.0
	if n := p.epochOK + p.epochThrottled; p.rate > 0 {
		if n < paceJudged && now.Sub(p.cut) <= paceEpisode {
			return
		}
		share = float64(p.epochThrottled) / float64(n)
		if p.lastShare >= paceMeaningful && share >= paceUseless*p.lastShare {
			p.unpace(now)
			return
		}
	}
	rate := paceFirstCut * p.allowed(now)
	if p.rate == 0 && rate*paceWindow.Seconds() < paceFirstCut*paceJudged {
		// Too few calls answered to measure a rate from: the SDK's
		// retries handle a throttle at so slow a pace.
		return
	}
	var hold time.Duration
	if since := now.Sub(p.episode); p.episode.IsZero() || now.Sub(p.cut) > paceEpisode {
		p.episode, p.episodeOK = now, 0
		// The calls sent since this one went out unpaced into an empty
		// bucket, and are still out: the next goes once they have
		// landed, a round trip from now, rather than racing them for the
		// few tokens AWS refills meanwhile.
		hold = now.Sub(sent)
	} else if since >= paceWindow/paceBuckets {
		rate = paceMargin * float64(p.episodeOK) / since.Seconds()
	}
	if p.rate > 0 {
		rate = min(rate, p.rate)
	}
	p.rate = max(rate, minPace)
	p.cut, p.lastShare = now, share
	p.epochOK, p.epochThrottled = 0, 0
	p.next = now.Add(max(hold, time.Duration(float64(time.Second)/p.rate)))
}

// unpace gives up pacing for paceDeaf: the last cut throttled about as
// often as the faster pace before it.
func (p *pacer) unpace(now time.Time) {
	p.rate, p.lastShare = 0, -1
	p.cut, p.episode, p.deafUntil = now, time.Time{}, now.Add(paceDeaf)
	p.epochOK, p.epochThrottled = 0, 0
}

// paceKey names a pacer: AWS throttles per account, service and region,
// and a session is one account.
type paceKey struct{ service, region string }

// pacerFor returns the session's pacer of a service and region.
func (s *Session) pacerFor(service, region string) *pacer {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := paceKey{service, region}
	p := s.pacers[k]
	if p == nil {
		p = newPacer(time.Now)
		s.pacers[k] = p
	}
	return p
}

var throttles = retry.IsErrorThrottles(retry.DefaultThrottles)

// paceMiddleware paces every attempt of every call, retries included. It
// sits after the retry loop and before credentials and signing, so a call
// waiting its turn is signed when it goes out, with fresh credentials.
func (s *Session) paceMiddleware(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("lakemapPace",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			p := s.pacerFor(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetRegion(ctx))
			sent, err := p.wait(ctx)
			if err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			out, md, err := next.HandleFinalize(ctx, in)
			switch {
			case err == nil:
				p.succeeded(sent)
			case throttles.IsErrorThrottle(err) == aws.TrueTernary:
				p.throttled(sent)
			}
			return out, md, err
		}), "Retry", middleware.After)
}

// throttleBackoff waits briefly before retrying a throttled call: the
// pacer, which the retry goes through, spaces calls out; other errors get
// the standard backoff.
type throttleBackoff struct{ std retry.BackoffDelayer }

func (b throttleBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	if throttles.IsErrorThrottle(err) == aws.TrueTernary {
		return time.Duration(rand.Int64N(int64(50*time.Millisecond) * int64(attempt))), nil
	}
	return b.std.BackoffDelay(attempt, err)
}
