package conntest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"testing"
)

// afterAuth is how AWS answers a write probe once it has authorized it.
type afterAuth struct {
	status int
	body   string
}

// postAuthorization lists the operations moto 5.2.1 lacks that the probes
// call. moto checks IAM before it looks for the operation, so an
// unimplemented operation answers 403 when the policy denies it and 500
// when the policy allows it; the proxy turns that 500 into AWS's own answer
// to the probe's request. The authorization decision stays moto's.
var postAuthorization = map[string]afterAuth{
	"AWSGlue.ListDataQualityRulesets":        {200, `{"Rulesets":[]}`},
	"AWSGlue.CreateDataQualityRuleset":       {400, `{"__type":"InvalidInputException","message":"The ruleset is not valid DQDL"}`},
	"AWSGlue.UpdateColumnStatisticsForTable": {400, `{"__type":"EntityNotFoundException","message":"Database not found"}`},
	"AmazonAthena.UpdateWorkGroup":           {400, `{"__type":"InvalidRequestException","Message":"WorkGroup is not found"}`},
	"AmazonAthena.UpdateDataCatalog":         {400, `{"__type":"InvalidRequestException","Message":"Catalog is not found"}`},
}

// authProxy forwards to moto.
type authProxy struct {
	srv *httptest.Server
}

func newAuthProxy(t *testing.T, upstream string) *authProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &authProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		target := resp.Request.Header.Get("X-Amz-Target")
		ans, ok := postAuthorization[target]
		if !ok || resp.StatusCode != http.StatusInternalServerError {
			return nil
		}
		resp.Body.Close()
		resp.StatusCode = ans.status
		resp.Status = strconv.Itoa(ans.status) + " " + http.StatusText(ans.status)
		resp.Body = io.NopCloser(bytes.NewReader([]byte(ans.body)))
		resp.ContentLength = int64(len(ans.body))
		resp.Header = http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "Content-Length": {strconv.Itoa(len(ans.body))}}
		return nil
	}
	p.srv = httptest.NewServer(rp)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *authProxy) URL() string { return p.srv.URL }
