package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestEndpoints(t *testing.T) {
	e := newEnv(t)
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
		{"/api/v1/scans?service=svc", 200, func(m map[string]any) bool { return len(m["scans"].([]any)) == 1 }},
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
		// One request model: kinds in any case, parent normalised for
		// changes as for list, offsets bounded, totals never above what exists.
		{"/api/v1/search?q=orders&service=svc&kind=TABLE", 200, func(m map[string]any) bool { return len(m["hits"].([]any)) == 1 }},
		{"/api/v1/entities?parent=svc.%22sales%22&kind=Table", 200, func(m map[string]any) bool { return len(m["entities"].([]any)) == 1 }},
		{"/api/v1/changes?parent=%22svc%22.sales&since=2000-01-01T00:00:00Z", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 1 }},
		{"/api/v1/changes?since=3650d&project=alpha", 200, func(m map[string]any) bool { return len(m["changes"].([]any)) == 4 }},
		{"/api/v1/search?q=orders&service=svc&offset=500", 200, func(m map[string]any) bool { return m["total"].(float64) <= 2 && len(m["hits"].([]any)) == 0 }},
		{"/api/v1/search?q=orders&offset=999999999999", 400, errorMentions("offset")},
		{"/api/v1/search?q=orders&offset=-1", 400, errorMentions("offset")},
		{"/api/v1/search?q=orders&limit=many", 400, errorMentions("limit")},
		{"/api/v1/entities?parent=svc.%22broken", 400, errorMentions("parent")},
		{"/api/v1/changes?parent=svc.%22broken", 400, errorMentions("parent")},
		{"/api/v1/entities?service=a&service=b", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body, _ := e.do("GET", tt.path, "", "admin")
			if status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %v)", status, tt.wantStatus, body)
			}
			if tt.check != nil && !tt.check(body) {
				t.Errorf("unexpected body %v", body)
			}
		})
	}
}

// errorMentions checks an RFC 9457 problem body whose detail mentions s.
func errorMentions(s string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		msg, _ := m["detail"].(string)
		return strings.Contains(msg, s) && m["kind"] != "" && m["type"] == "about:blank" && m["title"] != "" && m["status"] != nil
	}
}

// TestInternalErrorsStayInTheLog: the detail of an internal failure goes
// to the log only.
func TestInternalErrorsStayInTheLog(t *testing.T) {
	var logged strings.Builder
	a := &API{Logger: slog.New(slog.NewTextHandler(&logged, nil))}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/api/v1/stats", nil)
	a.handle(func(http.ResponseWriter, *http.Request) error {
		return fmt.Errorf("open /secret/path.db: %w", errors.New("disk I/O error"))
	})(w, r)
	var p apperr.Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if w.Code != 500 || p.Status != 500 || p.Detail != apperr.HiddenDetail || p.Kind != "internal" {
		t.Errorf("status %d body %+v", w.Code, p)
	}
	if strings.Contains(w.Body.String(), "secret") || !strings.Contains(logged.String(), "/secret/path.db") {
		t.Errorf("body %q, log %q: the detail belongs in the log only", w.Body.String(), logged.String())
	}
}
