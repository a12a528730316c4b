package awsconn

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSTS speaks STS's query protocol on 127.0.0.1: AssumeRole hands out
// credentials expiring after lifetime; GetCallerIdentity answers after
// passing hold (if set) and the queued faults.
type fakeSTS struct {
	srv      *httptest.Server
	lifetime time.Duration

	mu       sync.Mutex
	forms    []url.Values
	faults   []string // error codes for the next GetCallerIdentity calls
	inFlight int
	maxSeen  int
	hold     chan struct{} // when set, GetCallerIdentity waits for it to close
	arrived  chan struct{}
	lastExp  string // the Expiration of the last AssumeRole answer
	// keys maps the access key ids handed out to their expiry; calls
	// signed with one past it are answered ExpiredToken and counted.
	keys    map[string]time.Time
	expired int
}

func newFakeSTS(t *testing.T, lifetime time.Duration) *fakeSTS {
	f := &fakeSTS{lifetime: lifetime}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSTS) calls(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, form := range f.forms {
		if form.Get("Action") == action {
			n++
		}
	}
	return n
}

func (f *fakeSTS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.inFlight++
	f.maxSeen = max(f.maxSeen, f.inFlight)
	hold, arrived := f.hold, f.arrived
	var fault string
	if form.Get("Action") == "GetCallerIdentity" && len(f.faults) > 0 {
		fault, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "text/xml")
	switch {
	case fault != "":
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>Rate exceeded</Message></Error><RequestId>req-throttled</RequestId></ErrorResponse>`, fault)
	case form.Get("Action") == "GetCallerIdentity" && f.signedExpired(r):
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>req-expired</RequestId></ErrorResponse>`)
	case form.Get("Action") == "AssumeRole":
		expires := time.Now().Add(f.lifetime)
		exp := expires.UTC().Format(time.RFC3339Nano)
		f.mu.Lock()
		f.lastExp = exp
		key := fmt.Sprintf("ASIAFAKE%d", len(f.keys)+1)
		if f.keys == nil {
			f.keys = map[string]time.Time{}
		}
		f.keys[key] = expires
		f.mu.Unlock()
		fmt.Fprintf(w, `<AssumeRoleResponse><AssumeRoleResult>
<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROAFAKE:%s</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/Reader/%s</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>req-assume</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			key, exp, form.Get("RoleSessionName"), form.Get("RoleSessionName"))
	case form.Get("Action") == "GetCallerIdentity":
		if arrived != nil {
			arrived <- struct{}{}
		}
		if hold != nil {
			<-hold
		}
		fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:sts::111122223333:assumed-role/Reader/lakemap-test</Arn><UserId>AROAFAKE:lakemap-test</UserId><Account>111122223333</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>req-id</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>%s</Message></Error></ErrorResponse>`, form.Get("Action"))
	}
}

// signedExpired says whether r is signed with an access key this fake
// handed out that has expired by the time r arrives.
func (f *fakeSTS) signedExpired(r *http.Request) bool {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	key, _, _ := strings.Cut(cred, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.keys[key]
	if ok && !time.Now().Before(exp) {
		f.expired++
		return true
	}
	return false
}

func (f *fakeSTS) expiredCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.expired
}

func (f *fakeSTS) setFaults(codes ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = codes
}

func (f *fakeSTS) form(i int) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forms[i]
}

func (f *fakeSTS) maxInFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxSeen
}

func (f *fakeSTS) lastExpiration() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, _ := time.Parse(time.RFC3339Nano, f.lastExp)
	return t
}
