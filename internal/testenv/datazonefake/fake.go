package datazonefake

import (
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one DataZone call the fake received.
type Request struct {
	Op      string
	Write   bool
	Account string
	Method  string
	Path    string
}

// Fault is an error the fake answers instead of running an operation.
type Fault struct {
	Code    string // e.g. ThrottlingException
	Message string
}

// The error codes DataZone answers and their HTTP statuses (the SDK reads
// the code from X-Amzn-ErrorType; the status matters to the retryer).
var faultStatus = map[string]int{
	"AccessDeniedException":         http.StatusForbidden,
	"ResourceNotFoundException":     http.StatusNotFound,
	"ThrottlingException":           http.StatusTooManyRequests,
	"ValidationException":           http.StatusBadRequest,
	"ConflictException":             http.StatusConflict,
	"UnauthorizedException":         http.StatusUnauthorized,
	"UnrecognizedClientException":   http.StatusForbidden,
	"InternalServerException":       http.StatusInternalServerError,
	"ServiceQuotaExceededException": http.StatusPaymentRequired,
}

// WriteOps are the operations that change DataZone.
var WriteOps = []string{"CreateAsset", "CreateAssetRevision", "DeleteAsset", "CreateListingChangeSet", "CreateDataSource", "UpdateDataSource", "DeleteDataSource"}

// GuideReadOnly are the actions of the vendor guide's DataZone ReadOnly
// policy. datazone:Search and datazone:GetLineageNode are not among them.
var GuideReadOnly = []string{
	"GetDomain", "ListDomains", "GetProject", "ListProjects", "GetEnvironment", "ListEnvironments",
	"GetEnvironmentProfile", "ListEnvironmentProfiles", "GetDataSource", "ListDataSources", "GetAsset",
	"GetFormType", "GetListing", "SearchListings", "ListAssetRevisions", "GetGlossary", "GetGlossaryTerm",
}

// Fake is the DataZone test server. Its zero value is not usable: call New.
type Fake struct {
	srv      *httptest.Server
	upstream *httputil.ReverseProxy
	// PageSize caps every page, whatever maxResults asks.
	pageSize int

	mu        sync.Mutex
	estates   map[string]*Estate
	allowed   map[string]map[string]bool // account -> allowed operations; absent = all
	baseKeys  map[string]bool
	failNext  map[string][]Fault
	failWhen  func(op, account string) *Fault
	requests  []Request
	upstreams []url.Values

	// Pacing (pace.go).
	latency     time.Duration
	rate, burst float64
	tokens      float64
	refilled    time.Time
	throttled   int
	answered    map[string]int
}

// New starts a fake whose non-DataZone requests go to upstream (moto's
// URL; "" answers them with 501) and which serves pages of at most
// pageSize items. baseKeys are the caller's own access keys: a DataZone
// request signed with one of them did not go through AssumeRole and is
// refused.
func New(t testing.TB, upstream string, pageSize int, baseKeys ...string) *Fake {
	t.Helper()
	f := &Fake{pageSize: max(pageSize, 1), estates: map[string]*Estate{}, allowed: map[string]map[string]bool{},
		baseKeys: map[string]bool{}, failNext: map[string][]Fault{}, answered: map[string]int{}}
	for _, k := range baseKeys {
		f.baseKeys[k] = true
	}
	if upstream != "" {
		u, err := url.Parse(upstream)
		if err != nil {
			t.Fatalf("datazonefake: upstream %q: %v", upstream, err)
		}
		f.upstream = httputil.NewSingleHostReverseProxy(u)
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the endpoint to give the code under test.
func (f *Fake) URL() string { return f.srv.URL }

// Edit runs fn on an account's estate (created empty if need be) under the
// fake's lock.
func (f *Fake) Edit(account string, fn func(e *Estate)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.estates[account]
	if e == nil {
		e = &Estate{}
		f.estates[account] = e
	}
	fn(e)
}

// Allow restricts an account's role to ops (operation names, e.g.
// GuideReadOnly); every other DataZone call is AccessDeniedException.
// nil allows everything again.
func (f *Fake) Allow(account string, ops []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ops == nil {
		delete(f.allowed, account)
		return
	}
	set := map[string]bool{}
	for _, op := range ops {
		set[op] = true
	}
	f.allowed[account] = set
}

// FailNext answers the next n calls of op with code.
func (f *Fake) FailNext(op string, n int, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.failNext[op] = append(f.failNext[op], Fault{Code: code, Message: "injected " + code})
	}
}

// FailWhen consults fn before every DataZone call; a non-nil Fault is
// answered instead. nil removes it.
func (f *Fake) FailWhen(fn func(op, account string) *Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWhen = fn
}

// Requests returns every DataZone call received, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// Count is how many calls of op were received.
func (f *Fake) Count(op string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Op == op {
			n++
		}
	}
	return n
}

// WriteRequests returns the write calls received.
func (f *Fake) WriteRequests() []Request {
	var out []Request
	for _, r := range f.Requests() {
		if r.Write {
			out = append(out, r)
		}
	}
	return out
}

// UpstreamForms returns the form bodies of relayed (STS) requests.
func (f *Fake) UpstreamForms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.upstreams)
}

// ClearRequests forgets the recorded calls.
func (f *Fake) ClearRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests, f.upstreams = nil, nil
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if auth == "" && r.Method == http.MethodGet && r.URL.Path == StatsPath {
		f.serveStats(w)
		return
	}
	scope := credentialScope(auth)
	if len(scope) < 4 || scope[3] != "datazone" {
		f.relay(w, r)
		return
	}
	key := scope[0]
	route, params, ok := match(r.Method, r.URL.EscapedPath())
	if !ok {
		writeError(w, Fault{Code: "ValidationException", Message: fmt.Sprintf("no DataZone operation for %s %s", r.Method, r.URL.Path)})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, Fault{Code: "ValidationException", Message: "reading body: " + err.Error()})
		return
	}
	switch {
	case f.baseKeys[key]:
		writeError(w, Fault{Code: "AccessDeniedException", Message: "request signed with base credentials, not the assumed role's"})
		return
	case !strings.HasPrefix(key, "ASIA") || r.Header.Get("X-Amz-Security-Token") == "":
		writeError(w, Fault{Code: "UnrecognizedClientException", Message: "request not signed with temporary (assumed-role) credentials"})
		return
	}
	account := accountOf(key)
	c := &call{f: f, r: r, params: params, query: r.URL.Query(), account: account}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &c.in); err != nil {
			writeError(w, Fault{Code: "ValidationException", Message: "body is not JSON: " + err.Error()})
			return
		}
	}
	arrived := time.Now()
	f.mu.Lock()
	f.requests = append(f.requests, Request{Op: route.op, Write: slices.Contains(WriteOps, route.op), Account: account, Method: r.Method, Path: r.URL.Path})
	latency := f.latency
	var fault *Fault
	if f.throttledLocked(arrived) {
		fault = &Fault{Code: "ThrottlingException", Message: "Rate exceeded"}
	} else {
		fault = f.faultLocked(route.op, account)
	}
	var out any
	if fault == nil {
		f.answered[route.op]++
		c.estate = f.estates[account]
		if c.estate == nil {
			c.estate = &Estate{}
			f.estates[account] = c.estate
		}
		out, fault = route.h(c)
	}
	f.mu.Unlock()
	if latency > 0 {
		time.Sleep(time.Until(arrived.Add(latency)))
	}
	if fault != nil {
		writeError(w, *fault)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (f *Fake) faultLocked(op, account string) *Fault {
	if q := f.failNext[op]; len(q) > 0 {
		f.failNext[op] = q[1:]
		return &q[0]
	}
	if f.failWhen != nil {
		if ft := f.failWhen(op, account); ft != nil {
			return ft
		}
	}
	if set, ok := f.allowed[account]; ok && !set[op] {
		return &Fault{Code: "AccessDeniedException", Message: fmt.Sprintf("User is not authorized to perform: datazone:%s", op)}
	}
	return nil
}

func (f *Fake) relay(w http.ResponseWriter, r *http.Request) {
	if f.upstream == nil {
		http.Error(w, "datazonefake: no upstream for non-DataZone requests", http.StatusNotImplemented)
		return
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.upstreams = append(f.upstreams, form)
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	f.upstream.ServeHTTP(w, r)
}

func writeError(w http.ResponseWriter, ft Fault) {
	status, ok := faultStatus[ft.Code]
	if !ok {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", ft.Code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": ft.Message})
}

// credentialScope splits SigV4's Credential=<key>/<date>/<region>/<service>/aws4_request.
func credentialScope(auth string) []string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return nil
	}
	cred, _, _ := strings.Cut(rest, ",")
	return strings.Split(cred, "/")
}

// AWS (and moto) encode the account id in bytes 4-12 of an access key id:
// base32, offset by 2^39, halved, with the next character's alphabet half
// holding the low bit.
var (
	keyAccountOffset = big.NewInt(549755813888)
	keyAlphabet      = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// AccountOf is the account a request signed with key is served from.
func AccountOf(key string) string { return accountOf(key) }

// accountOf decodes the account of an ASIA/AKIA key; "" when it has none.
func accountOf(key string) string {
	if len(key) != 20 {
		return ""
	}
	raw, err := base32.StdEncoding.DecodeString(key[4:12])
	if err != nil {
		return ""
	}
	n := new(big.Int).Sub(new(big.Int).SetBytes(raw), keyAccountOffset)
	n.Mul(n, big.NewInt(2))
	if strings.IndexByte(keyAlphabet, key[12]) >= 16 {
		n.Add(n, big.NewInt(1))
	}
	if n.Sign() < 0 || n.Cmp(big.NewInt(999999999999)) > 0 {
		return ""
	}
	return fmt.Sprintf("%012d", n)
}

// page cuts items at the request's nextToken (an offset) to at most
// min(maxResults, page size) items.
func page[T any](c *call, items []T, maxResults int, token string) ([]T, string, *Fault) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "off-"))
		if err != nil || !strings.HasPrefix(token, "off-") || n < 0 || n > len(items) {
			return nil, "", &Fault{Code: "ValidationException", Message: "invalid nextToken"}
		}
		start = n
	}
	size := c.f.pageSize
	if maxResults > 0 && maxResults < size {
		size = maxResults
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = "off-" + strconv.Itoa(end)
	}
	return items[start:end], next, nil
}
