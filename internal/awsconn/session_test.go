package awsconn

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/lakemap/lakemap/internal/apperr"
)

const testRole = "arn:aws:iam::111122223333:role/Reader"

func fakeSession(t *testing.T, endpoint string, cfg Config, opts Options) *Session {
	t.Helper()
	cfg.EndpointURL = endpoint
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.SecretAccessKey = "AKIDBASE", "base-secret"
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = time.Millisecond
	}
	s, err := NewSession(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func callerIdentity(s *Session) error {
	_, err := s.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	return err
}

// The cache must reuse credentials until they come within the refresh
// window of their expiry, then assume the role again.
func TestCredentialsCachedThenRefreshed(t *testing.T) {
	fake := newFakeSTS(t, time.Hour)
	s := fakeSession(t, fake.srv.URL, Config{AssumeRoleARN: testRole}, Options{ServiceName: "glue"})
	for range 5 {
		if err := callerIdentity(s); err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.calls("AssumeRole"); got != 1 {
		t.Errorf("AssumeRole calls = %d, want 1", got)
	}
}

// The refresh margin is a share of the credentials' lifetime, capped at two
// minutes: AWS's 15-minute sessions keep the two minutes, one-minute
// credentials (a role chain, a test STS) are not treated as expired on
// arrival.
func TestRefreshWindowFollowsLifetime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := newRoleProvider(nil, testRole)
	p.now = func() time.Time { return now }
	for _, tc := range []struct {
		lifetime, refreshAfter time.Duration
	}{
		{time.Hour, 58 * time.Minute},
		{15 * time.Minute, 13 * time.Minute},
		{time.Minute, 45 * time.Second},
		{10 * time.Second, 7500 * time.Millisecond},
		{0, 0},
		{-time.Second, -time.Second}, // already expired: refreshed at once
	} {
		c, err := p.AdjustExpiresBy(aws.Credentials{CanExpire: true, Expires: now.Add(tc.lifetime)}, -maxRefreshWindow)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Expires.Sub(now); got != tc.refreshAfter {
			t.Errorf("credentials lasting %v are refreshed after %v, want %v", tc.lifetime, got, tc.refreshAfter)
		}
	}
	c, _ := p.AdjustExpiresBy(aws.Credentials{AccessKeyID: "AKID"}, -maxRefreshWindow)
	if !c.Expires.IsZero() {
		t.Errorf("long-term keys got an expiry: %v", c.Expires)
	}
}

// A scan outliving its credentials five times over: a test STS hands out
// short credentials (one second, as one minute would make the test last
// five) and refuses calls signed with expired ones; four workers call
// throughout. Every call succeeds, none is signed with expired
// credentials, and the role is assumed again only when the credentials
// come within their refresh window (every 750 ms): five to eight times.
func TestScanOutlivesShortCredentials(t *testing.T) {
	const lifetime, lifetimes, workers = time.Second, 5, 4
	fake := newFakeSTS(t, lifetime)
	s := fakeSession(t, fake.srv.URL, Config{AssumeRoleARN: testRole}, Options{ServiceName: "glue"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	end := time.Now().Add(lifetimes * lifetime)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	var calls atomic.Int64
	for range workers {
		wg.Go(func() {
			for time.Now().Before(end) {
				if _, err := s.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					errs <- err
					return
				}
				calls.Add(1)
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("call failed: %v", err)
	}
	if n := fake.expiredCalls(); n > 0 {
		t.Errorf("%d of %d calls were signed with expired credentials", n, calls.Load())
	}
	refreshEvery := lifetime - refreshWindow(lifetime)
	most := int(lifetimes*lifetime/refreshEvery) + 1
	if got := fake.calls("AssumeRole"); got < lifetimes || got > most {
		t.Errorf("AssumeRole called %d times for %d calls over %v of %v credentials, want %d to %d",
			got, calls.Load(), lifetimes*lifetime, lifetime, lifetimes, most)
	}
}

func TestAssumeRoleParameters(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want map[string]string // "" means the parameter must be absent
	}{
		{"defaults", Config{AssumeRoleARN: testRole}, map[string]string{
			"RoleArn": testRole, "RoleSessionName": "lakemap-glue_prod", "DurationSeconds": "900",
			"ExternalId": "", "SourceIdentity": "",
		}},
		{"everything configured", Config{
			AssumeRoleARN: testRole, AssumeRoleSessionName: "nightly", AssumeRoleExternalID: "lakemap-7d5c1c1e",
			AssumeRoleSourceIdentity: "alice@example.com",
		}, map[string]string{
			"RoleSessionName": "nightly", "DurationSeconds": "900",
			"ExternalId": "lakemap-7d5c1c1e", "SourceIdentity": "alice@example.com",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeSTS(t, time.Hour)
			s := fakeSession(t, fake.srv.URL, tc.cfg, Options{ServiceName: "glue prod"})
			if err := callerIdentity(s); err != nil {
				t.Fatal(err)
			}
			form := fake.form(0)
			if form.Get("Action") != "AssumeRole" {
				t.Fatalf("first call = %s, want AssumeRole", form.Get("Action"))
			}
			for k, want := range tc.want {
				if got, present := form.Get(k), form.Has(k); got != want || want == "" && present {
					t.Errorf("%s = %q (present %v), want %q", k, got, present, want)
				}
			}
		})
	}
}

func TestIdentityReportsTheAssumedSession(t *testing.T) {
	fake := newFakeSTS(t, time.Hour)
	s := fakeSession(t, fake.srv.URL, Config{AssumeRoleARN: testRole}, Options{})
	id, err := s.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantExp := fake.lastExpiration()
	want := Identity{
		Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/Reader/lakemap-test",
		UserID: "AROAFAKE:lakemap-test", SessionName: "lakemap-test", Expires: wantExp,
	}
	if id != want {
		t.Errorf("Identity = %+v\nwant       %+v", id, want)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	fake := newFakeSTS(t, time.Hour)
	s := fakeSession(t, fake.srv.URL, Config{}, Options{MaxAttempts: 3})

	fake.setFaults("Throttling", "ThrottlingException")
	if err := callerIdentity(s); err != nil {
		t.Fatalf("two throttles then success: %v", err)
	}
	if got := fake.calls("GetCallerIdentity"); got != 3 {
		t.Errorf("GetCallerIdentity calls = %d, want 3", got)
	}
	// What a scan's progress reports: every attempt, retries included.
	if got := s.Calls(); got != 3 {
		t.Errorf("session counted %d calls, want 3", got)
	}

	fake.setFaults("Throttling", "Throttling", "Throttling")
	err := Classify(callerIdentity(s), "checking the AWS identity")
	if !apperr.Is(err, apperr.Unavailable) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("three throttles: err = %v (kind %v), want unavailable after 3 attempts", err, apperr.KindOf(err))
	}
}

func TestConcurrencyLimiterBoundsInFlightCalls(t *testing.T) {
	const limit, calls = 2, 6
	fake := newFakeSTS(t, time.Hour)
	fake.hold = make(chan struct{})
	fake.arrived = make(chan struct{}, calls)
	s := fakeSession(t, fake.srv.URL, Config{}, Options{MaxConcurrency: limit})

	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() { errs <- callerIdentity(s) })
	}
	for range limit {
		<-fake.arrived
	}
	if got := len(s.limiter); got != limit {
		t.Errorf("with %d calls held at the server, %d limiter slots are taken, want %d", limit, got, limit)
	}
	close(fake.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := fake.maxInFlight(); got != limit {
		t.Errorf("at most %d calls were in flight at once, want exactly %d", got, limit)
	}
}

func TestMissingProfileIsInvalid(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	_, err := NewSession(context.Background(), Config{ProfileName: "nightly"}, Options{})
	if !apperr.Is(err, apperr.Invalid) || !strings.HasPrefix(err.Error(), `profileName: profile "nightly" is not in the shared AWS config files`) {
		t.Errorf("err = %v (kind %v)", err, apperr.KindOf(err))
	}
}

func TestUnreachableEndpointFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused
	sess, err := NewSession(context.Background(), Config{
		AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", EndpointURL: "http://" + addr,
		AssumeRoleARN: "arn:aws:iam::123456789012:role/R", AssumeRoleExternalID: "lakemap-x",
	}, Options{ServiceName: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sess.Identity(context.Background())
	if !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("err = %v, want Unavailable", err)
	}
	var ce *CallError
	if errors.As(err, &ce) && ce.Attempts > 1 {
		t.Errorf("refused connection retried: %d attempts of %s", ce.Attempts, ce.Operation)
	}
}

// Every attempt gives its slot back, failed ones included: with a single
// slot, a call retried after throttling and calls after it still go out.
func TestLimiterSlotsSurviveRetriesAndErrors(t *testing.T) {
	fake := newFakeSTS(t, time.Hour)
	s := fakeSession(t, fake.srv.URL, Config{}, Options{MaxAttempts: 3, MaxConcurrency: 1})
	fake.setFaults("Throttling", "ThrottlingException")
	done := make(chan error, 1)
	go func() {
		err := callerIdentity(s)
		if err == nil {
			fake.setFaults("Throttling", "Throttling", "Throttling")
			_ = callerIdentity(s) // gives up after 3 attempts
			err = callerIdentity(s)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a limiter slot was never given back: calls are stuck")
	}
	if got := len(s.limiter); got != 0 {
		t.Errorf("%d limiter slots still taken after every call returned", got)
	}
}
