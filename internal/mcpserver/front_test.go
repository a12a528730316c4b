package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// front is the endpoint lakemap's connections point at in tests. It records
// every request (so a test can prove no write left lakemap), answers the
// Glue data-quality evaluation operations that neither moto nor the
// harness's Glue fake implement (speaking Glue's JSON 1.1 protocol, so the
// real SDK client decodes them), and forwards everything else to the
// moto Pager.
type front struct {
	srv      *httptest.Server
	upstream string

	mu      sync.Mutex
	ops     []string
	runs    map[string]dqRun
	results map[string]map[string]any
}

type dqRun struct {
	db, table string
	rulesets  []string
	resultID  string
}

func newFront(t testing.TB, pagerURL, motoURL string) *front {
	t.Helper()
	pu, err := url.Parse(pagerURL)
	if err != nil {
		t.Fatal(err)
	}
	mu, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(pu)
	// The Pager drops Content-Length from relayed responses, which empties
	// HEAD answers (an object's size); HEAD goes to moto directly.
	headProxy := httputil.NewSingleHostReverseProxy(mu)
	f := &front{upstream: pagerURL, runs: map[string]dqRun{}, results: map[string]map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := opOf(r, body)
		f.mu.Lock()
		f.ops = append(f.ops, op)
		f.mu.Unlock()
		if op == "BatchGetQueryExecution" {
			f.batchGetQueryExecution(w, r, body)
			return
		}
		if r.Method == http.MethodHead {
			headProxy.ServeHTTP(w, r)
			return
		}
		if h := f.handler(op); h != nil {
			var in map[string]any
			_ = json.Unmarshal(body, &in)
			out, code := h(in)
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(out)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *front) URL() string { return f.srv.URL }

// Ops returns the operations received so far.
func (f *front) Ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ops...)
}

// readOp matches operations that change nothing. Unlike the Pager's
// WriteOps, Athena's Start/StopQueryExecution count as writes here: on a
// ReadOnly connection they must never be sent.
var readOp = regexp.MustCompile(`^(Get|List|Search|Describe|BatchGet|AssumeRole|GetCallerIdentity|(GET|HEAD) )`)

// WriteOps returns the operations received so far that could change AWS.
func (f *front) WriteOps() []string {
	var out []string
	for _, op := range f.Ops() {
		if !readOp.MatchString(op) {
			out = append(out, op)
		}
	}
	return out
}

func (f *front) ClearOps() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = nil
}

// opOf names a request's operation: the JSON protocols' X-Amz-Target
// suffix, the query protocol's Action, else the REST method and path.
func opOf(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndexByte(t, '.')+1:]
	}
	if r.Method == http.MethodPost && strings.Contains(r.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	return r.Method + " " + r.URL.Path
}

type fakeOp func(in map[string]any) (any, int)

func (f *front) handler(op string) fakeOp {
	switch op {
	case "StartDataQualityRulesetEvaluationRun":
		return f.startRun
	case "GetDataQualityRulesetEvaluationRun":
		return f.getRun
	case "GetDataQualityResult":
		return f.getResult
	case "ListDataQualityResults":
		return f.listResults
	}
	return nil
}

func glueError(code, msg string) (any, int) {
	return map[string]any{"__type": code, "message": msg}, http.StatusBadRequest
}

func (f *front) startRun(in map[string]any) (any, int) {
	ds, _ := in["DataSource"].(map[string]any)
	gt, _ := ds["GlueTable"].(map[string]any)
	db, _ := gt["DatabaseName"].(string)
	table, _ := gt["TableName"].(string)
	role, _ := in["Role"].(string)
	if db == "" || table == "" || role == "" {
		return glueError("InvalidInputException", "DataSource.GlueTable and Role are required")
	}
	var names []string
	for _, n := range in["RulesetNames"].([]any) {
		names = append(names, n.(string))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.runs) + 1
	run := dqRun{db: db, table: table, rulesets: names, resultID: fmt.Sprintf("dqresult-%d", n)}
	runID := fmt.Sprintf("dqrun-%d", n)
	f.runs[runID] = run
	now := float64(time.Now().Unix())
	f.results[run.resultID] = map[string]any{
		"ResultId": run.resultID, "RulesetName": names[0], "Score": 2.0 / 3, "StartedOn": now, "CompletedOn": now,
		"RulesetEvaluationRunId": runID,
		"DataSource":             map[string]any{"GlueTable": map[string]any{"DatabaseName": db, "TableName": table}},
		"RuleResults": []any{
			map[string]any{"Name": "Rule_1", "Result": "PASS", "EvaluatedRule": `IsComplete "order_id"`},
			map[string]any{"Name": "Rule_2", "Result": "FAIL", "EvaluatedRule": `ColumnValues "amount" > 0`, "EvaluationMessage": "Value: -3.5 does not meet the constraint requirement!"},
			map[string]any{"Name": "Rule_3", "Result": "PASS", "EvaluatedRule": `RowCount > 0`},
		},
	}
	return map[string]any{"RunId": runID}, http.StatusOK
}

func (f *front) getRun(in map[string]any) (any, int) {
	id, _ := in["RunId"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	run, ok := f.runs[id]
	if !ok {
		return glueError("EntityNotFoundException", "Cannot find run "+id)
	}
	return map[string]any{"RunId": id, "Status": "SUCCEEDED", "ResultIds": []string{run.resultID}, "RulesetNames": run.rulesets,
		"DataSource": map[string]any{"GlueTable": map[string]any{"DatabaseName": run.db, "TableName": run.table}}}, http.StatusOK
}

func (f *front) getResult(in map[string]any) (any, int) {
	id, _ := in["ResultId"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.results[id]
	if !ok {
		return glueError("EntityNotFoundException", "Cannot find result "+id)
	}
	return r, http.StatusOK
}

func (f *front) listResults(in map[string]any) (any, int) {
	filter, _ := in["Filter"].(map[string]any)
	ds, _ := filter["DataSource"].(map[string]any)
	gt, _ := ds["GlueTable"].(map[string]any)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, r := range f.results {
		rgt := r["DataSource"].(map[string]any)["GlueTable"].(map[string]any)
		if gt == nil || (rgt["DatabaseName"] == gt["DatabaseName"] && rgt["TableName"] == gt["TableName"]) {
			out = append(out, map[string]any{"ResultId": r["ResultId"], "StartedOn": r["StartedOn"], "DataSource": r["DataSource"]})
		}
	}
	return map[string]any{"Results": out}, http.StatusOK
}

// batchGetQueryExecution answers Athena's BatchGetQueryExecution, which
// moto lacks, with one GetQueryExecution per id sent upstream under the
// caller's credentials (moto picks the account from the access key).
func (f *front) batchGetQueryExecution(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct{ QueryExecutionIds []string }
	_ = json.Unmarshal(body, &in)
	execs := []json.RawMessage{}
	for _, id := range in.QueryExecutionIds {
		b, _ := json.Marshal(map[string]string{"QueryExecutionId": id})
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, f.upstream+"/", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AmazonAthena.GetQueryExecution")
		req.Header.Set("Authorization", r.Header.Get("Authorization"))
		req.Header.Set("X-Amz-Security-Token", r.Header.Get("X-Amz-Security-Token"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var out struct{ QueryExecution json.RawMessage }
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			execs = append(execs, out.QueryExecution)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{"QueryExecutions": execs, "UnprocessedQueryExecutionIds": []any{}})
}
