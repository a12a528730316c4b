package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	table := catalog.JoinFQN("svc", "sales", "orders.v2")
	_, err = st.Upsert(ctx, sc.ID, []catalog.Entity{
		{FQN: "svc", Kind: catalog.KindService},
		{FQN: "svc.sales", Kind: catalog.KindDatabase, Description: "Sales"},
		{FQN: table, Kind: catalog.KindTable, Description: "Orders, second version"},
		{FQN: catalog.Child(table, "order_id"), Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "bigint"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&API{Store: st}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("GET %s: bad JSON %q", path, body)
		}
	}
	return resp.StatusCode, m
}

func TestEndpoints(t *testing.T) {
	srv := newServer(t)
	table := url.PathEscape(`svc.sales."orders.v2"`)
	tests := []struct {
		path       string
		wantStatus int
		check      func(map[string]any) bool
	}{
		{"/healthz", 200, nil},
		{"/api/v1/search?q=orders", 200, func(m map[string]any) bool { return len(m["hits"].([]any)) >= 1 }},
		{"/api/v1/search?q=orders&kind=database", 200, func(m map[string]any) bool { return len(m["hits"].([]any)) == 0 }},
		{"/api/v1/entities/" + table, 200, func(m map[string]any) bool { return m["name"] == "orders.v2" }},
		{"/api/v1/entities/" + table + "/children", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 1 }},
		{"/api/v1/entities/" + table + "/history", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 1 }},
		{"/api/v1/entities?parent=svc.sales", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 1 }},
		{"/api/v1/scans", 200, func(m map[string]any) bool { return len(m["scans"].([]any)) == 1 }},
		{"/api/v1/scans/1", 200, func(m map[string]any) bool { return m["status"] == "succeeded" }},
		{"/api/v1/stats?service=svc", 200, func(m map[string]any) bool { return m["counts"].(map[string]any)["table"] == 1.0 }},
		{"/api/v1/kinds", 200, func(m map[string]any) bool { return len(m["kinds"].([]any)) > 10 }},
		{"/api/v1/changes?service=svc&since=2000-01-01T00:00:00Z", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 4 }},
		{"/api/v1/connections", 200, nil},
		// Bad input: a clear error with the right status.
		{"/api/v1/search", 400, errorMentions("q")},
		{"/api/v1/search?q=%21%21%21", 400, errorMentions("letters")},
		{"/api/v1/search?q=x&kind=tabel", 400, errorMentions("unknown kind")},
		{"/api/v1/search?q=x&limit=-3", 400, errorMentions("limit")},
		{"/api/v1/entities/svc.nope", 404, errorMentions("no entity")},
		{"/api/v1/entities/" + url.PathEscape(`svc."broken`), 400, errorMentions("FQN")},
		{"/api/v1/scans/abc", 400, errorMentions("scan id")},
		{"/api/v1/scans/99", 404, errorMentions("no scan")},
		{"/api/v1/changes?since=yesterday", 400, errorMentions("RFC 3339")},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body := get(t, srv, tt.path)
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %v)", status, tt.wantStatus, body)
			}
			if tt.check != nil && !tt.check(body) {
				t.Errorf("unexpected body %v", body)
			}
		})
	}
}

func errorMentions(s string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		msg, _ := m["error"].(string)
		return strings.Contains(msg, s) && m["kind"] != ""
	}
}
