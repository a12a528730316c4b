// Package awsrecord is a recording proxy for the AWS traffic of tests: point
// a connection's endPointURL at Recorder.URL() (in front of moto, the Glue
// pager or the DataZone fake) and every request the code under test sends —
// scans, connection tests, MCP tools, manifest reads — is recorded with its
// IAM action and the role whose credentials signed it. CheckLeastPrivilege
// then holds the calls against the `lakemap onboard` policies, and
// AssumeRoles lists the roles assumed and the External IDs sent.
package awsrecord

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Call is one AWS request that went through the Recorder.
type Call struct {
	Service string // SigV4 signing name: sts, glue, athena, s3, monitoring, datazone
	Op      string // operation name, e.g. ListObjectsV2
	Action  string // IAM action that authorizes it, e.g. s3:ListBucket
	// Role is the role whose assumed credentials signed the call; "" means
	// the base credentials signed it.
	Role      string
	AccessKey string
	Status    int
	// Form holds the parameters of a query-protocol call (STS, IAM,
	// CloudWatch): Form.Get("ExternalId") of an AssumeRole.
	Form url.Values
}

// AssumeRole is one AssumeRole request as sent.
type AssumeRole struct {
	RoleARN, ExternalID, SessionName string
	Status                           int
}

// Recorder is the recording proxy. Its zero value is not usable: call New.
type Recorder struct {
	srv      *httptest.Server
	upstream string
	client   *http.Client

	mu    sync.Mutex
	calls []Call
	// keyRole maps the access key ids AssumeRole handed out to the role
	// they were issued for, so later calls are attributed to the role.
	keyRole map[string]string
}

// New starts a Recorder forwarding to upstream (moto's, a pager's or a
// fake's URL); it stops when the test ends.
func New(t testing.TB, upstream string) *Recorder {
	t.Helper()
	transport := &http.Transport{}
	r := &Recorder{
		upstream: strings.TrimRight(upstream, "/"),
		client: &http.Client{Transport: transport,
			// Redirects are the SDK client's to follow, not the proxy's.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		keyRole: map[string]string{},
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.srv.Close()
		transport.CloseIdleConnections()
	})
	return r
}

// URL is the endpoint to give the code under test.
func (r *Recorder) URL() string { return r.srv.URL }

// Calls returns every call so far, in order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// Clear forgets the calls so far (not which keys belong to which role:
// cached credentials stay in use across a test's steps).
func (r *Recorder) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// AssumeRoles returns the AssumeRole requests so far, in order.
func (r *Recorder) AssumeRoles() []AssumeRole {
	var out []AssumeRole
	for _, c := range r.Calls() {
		if c.Service == "sts" && c.Op == "AssumeRole" {
			out = append(out, AssumeRole{RoleARN: c.Form.Get("RoleArn"), ExternalID: c.Form.Get("ExternalId"),
				SessionName: c.Form.Get("RoleSessionName"), Status: c.Status})
		}
	}
	return out
}

func (r *Recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	service, op, action := Identify(req, body)
	c := Call{Service: service, Op: op, Action: action, AccessKey: accessKey(req.Header.Get("Authorization"))}
	if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		c.Form, _ = url.ParseQuery(string(body))
	}
	status, header, respBody, err := r.forward(req, body)
	if err != nil {
		c.Status = http.StatusBadGateway
		r.record(c, nil)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	c.Status = status
	r.record(c, respBody)
	for k, v := range header {
		w.Header()[k] = v
	}
	for _, h := range []string{"Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Te", "Trailer", "Content-Length"} {
		w.Header().Del(h)
	}
	w.WriteHeader(status)
	_, _ = w.Write(respBody)
}

// record appends c, attributing it to the role of its key, and learns the
// key a successful AssumeRole issued.
func (r *Recorder) record(c Call, respBody []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.Role = r.keyRole[c.AccessKey]
	if c.Service == "sts" && c.Op == "AssumeRole" && c.Status == http.StatusOK {
		if key := issuedKey(respBody); key != "" {
			r.keyRole[key] = c.Form.Get("RoleArn")
		}
	}
	r.calls = append(r.calls, c)
}

func issuedKey(body []byte) string {
	var out struct {
		Key string `xml:"AssumeRoleResult>Credentials>AccessKeyId"`
	}
	if xml.Unmarshal(body, &out) != nil {
		return ""
	}
	return out.Key
}

// forward sends the request upstream unchanged, Host header included: the
// SigV4 signature covers it.
func (r *Recorder) forward(req *http.Request, body []byte) (int, http.Header, []byte, error) {
	out, err := http.NewRequestWithContext(req.Context(), req.Method, r.upstream+req.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	out.Header = req.Header.Clone()
	out.Host = req.Host
	resp, err := r.client.Do(out)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("forwarding %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the answer to %s %s: %w", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, respBody, nil
}
