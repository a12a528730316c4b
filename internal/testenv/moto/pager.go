package moto

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Pager is an endpoint on 127.0.0.1 that forwards every AWS request to moto
// and adds what moto lacks for Glue: real pagination (moto returns every
// item in one page), fault injection, a record of the calls, and a fake for
// the Glue operations moto does not implement. Point endPointURL at URL():
// STS, IAM, S3 and the rest pass through untouched.
//
// Pages after the first are served from the list fetched for the first one,
// without asking moto again, so IAM enforcement (SetAuth) is checked on
// first pages only.
type Pager struct {
	srv      *httptest.Server
	upstream string
	pageSize int
	client   *http.Client

	mu       sync.Mutex
	requests []Request
	faults   map[string][]Fault
	when     func(op string, body []byte) *Fault
	cursors  map[string]*cursor
	nextID   int
	fake     *glueFake
}

// Request is one call that reached the Pager.
type Request struct {
	// Service is the SigV4 signing name: glue, sts, iam, s3, athena...
	Service string
	// Op is the operation: "GetTables" (from X-Amz-Target), "AssumeRole"
	// (from the query protocol's Action), or "GET /path" for REST services.
	Op     string
	Header http.Header
	Body   []byte
}

// Form decodes a query-protocol request body (STS, IAM): the parameters
// the SDK sent, e.g. Form().Get("ExternalId").
func (r Request) Form() url.Values {
	v, _ := url.ParseQuery(string(r.Body))
	return v
}

// Fault is an AWS error the Pager answers with instead of forwarding.
type Fault struct {
	Code    string // e.g. ThrottlingException, AccessDeniedException
	Status  int    // e.g. 400, 403
	Message string
}

// NewGluePager starts a Pager in front of the moto server at upstream
// (Server.URL()) serving at most pageSize items per page; it stops when the
// test ends.
func NewGluePager(t testing.TB, upstream string, pageSize int) *Pager {
	t.Helper()
	if pageSize <= 0 {
		t.Fatalf("NewGluePager: page size %d must be positive", pageSize)
	}
	transport := &http.Transport{}
	p := &Pager{
		upstream: strings.TrimRight(upstream, "/"),
		pageSize: pageSize,
		client: &http.Client{
			Transport: transport,
			// Redirects belong to the SDK client, not to the proxy.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		faults:  map[string][]Fault{},
		cursors: map[string]*cursor{},
		fake:    newGlueFake(),
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(func() {
		p.srv.Close()
		transport.CloseIdleConnections()
	})
	return p
}

// URL is the Pager's base URL.
func (p *Pager) URL() string { return p.srv.URL }

// Requests returns every request received so far, in order.
func (p *Pager) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Ops returns the operation names of every request so far, in order.
func (p *Pager) Ops() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ops := make([]string, len(p.requests))
	for i, r := range p.requests {
		ops[i] = r.Op
	}
	return ops
}

// Count returns how many requests named op came in.
func (p *Pager) Count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.requests {
		if r.Op == op {
			n++
		}
	}
	return n
}

// readOnlyOp matches operation names that change nothing in AWS. Athena's
// StartQueryExecution and the STS calls do not write catalog data either.
var readOnlyOp = regexp.MustCompile(`^(Get|List|Search|Describe|BatchGet|Query|Check|Lookup|AssumeRole|StartQueryExecution|StopQueryExecution|(GET|HEAD) )`)

// WriteOps returns the operations received so far that could change the
// customer's data: anything that is not a Get, List, Search, Describe,
// BatchGet, STS or Athena query call, or a REST GET or HEAD.
func (p *Pager) WriteOps() []string {
	var out []string
	for _, op := range p.Ops() {
		if !readOnlyOp.MatchString(op) {
			out = append(out, op)
		}
	}
	return out
}

// ClearRequests forgets the requests recorded so far.
func (p *Pager) ClearRequests() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = nil
}

// FailNext makes the next n requests for op fail with the AWS error code
// and HTTP status, e.g. FailNext("GetTables", 2, "ThrottlingException", 400).
func (p *Pager) FailNext(op string, n int, code string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.faults[op] = append(p.faults[op], Fault{Code: code, Status: status, Message: "injected by the test"})
	}
}

// FailWhen installs a check run on every request (after FailNext faults):
// a non-nil Fault is returned instead of forwarding. body is the raw request
// body, e.g. Glue's JSON with "DatabaseName". nil removes the check.
func (p *Pager) FailWhen(f func(op string, body []byte) *Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.when = f
}

func (p *Pager) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := Request{Service: signingService(r.Header.Get("Authorization")), Op: opName(r, body), Header: r.Header.Clone(), Body: body}

	p.mu.Lock()
	p.requests = append(p.requests, req)
	var fault *Fault
	if q := p.faults[req.Op]; len(q) > 0 {
		fault, p.faults[req.Op] = &q[0], q[1:]
	}
	when := p.when
	p.mu.Unlock()
	if fault == nil && when != nil {
		fault = when(req.Op, body)
	}
	if fault != nil {
		writeFault(w, r, *fault)
		return
	}

	if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AWSGlue.") {
		if _, ok := pagedLists[req.Op]; ok {
			p.servePaged(w, r, req.Op, body)
			return
		}
		if h, ok := p.fakeHandlers()[req.Op]; ok {
			p.serveFake(w, r, h, body)
			return
		}
	}
	status, header, respBody, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	relay(w, status, header, respBody)
}

// hopHeaders belong to one connection and must not be relayed.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Te", "Trailer", "Content-Length"}

func relay(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// forward sends the request to moto unchanged, Host header included: with
// enforcement on, moto checks the SigV4 signature, which covers it.
func (p *Pager) forward(r *http.Request, body []byte) (int, http.Header, []byte, error) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	out.Header = r.Header.Clone()
	out.Host = r.Host
	resp, err := p.client.Do(out)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("forwarding %s %s to moto: %w", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading moto's answer to %s %s: %w", r.Method, r.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, respBody, nil
}

// opName names the operation: the JSON protocols' target, the query
// protocol's Action, else the REST method and path.
func opName(r *http.Request, body []byte) string {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			return target[i+1:]
		}
		return target
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	return r.Method + " " + r.URL.Path
}

// signingService reads the service from the SigV4 credential scope:
// Credential=AKID/20240101/us-east-1/glue/aws4_request.
func signingService(auth string) string {
	if scope := credentialScope(auth); len(scope) >= 4 {
		return scope[3]
	}
	return ""
}

func credentialScope(auth string) []string {
	_, after, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return nil
	}
	cred, _, _ := strings.Cut(after, ",")
	return strings.Split(strings.TrimSpace(cred), "/")
}

// writeFault answers in the protocol the request spoke, so the SDK decodes
// the code as it would from AWS.
func writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	if f.Message == "" {
		f.Message = f.Code
	}
	w.Header().Set("X-Amzn-Requestid", "lakemap-test-fault")
	switch ct := r.Header.Get("Content-Type"); {
	case r.Header.Get("X-Amz-Target") != "":
		writeJSONError(w, f)
	case strings.HasPrefix(ct, "application/json"):
		w.Header().Set("X-Amzn-Errortype", f.Code)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": f.Message})
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		writeXML(w, f.Status, queryError{Code: f.Code, Message: f.Message, Type: "Sender", RequestID: "lakemap-test-fault"})
	default: // REST-XML (S3)
		writeXML(w, f.Status, restXMLError{Code: f.Code, Message: f.Message, RequestID: "lakemap-test-fault"})
	}
}

func writeJSONError(w http.ResponseWriter, f Fault) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(f.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "Message": f.Message})
}

type queryError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

type restXMLError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

// AWSConfig returns a copy of cfg that sends every service's calls through
// the Pager.
func (p *Pager) AWSConfig(cfg aws.Config) aws.Config {
	c := cfg.Copy()
	c.BaseEndpoint = aws.String(p.URL())
	// A connection per call: under a loaded CI, a call through the Pager
	// once failed reading its 200 answer on a pooled connection closed
	// beneath it ("use of closed network connection", aws-sdk-go-v2 #2737).
	// The SDK's answer is to retry; these configurations do not retry, so
	// that tests can count calls.
	c.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.DisableKeepAlives = true })
	return c
}
