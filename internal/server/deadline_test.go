package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Issue 15, finding 3: every REST request has a deadline.
func TestRESTRequestsHaveADeadline(t *testing.T) {
	var left time.Duration
	h := WithDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			t.Error("no deadline")
		}
		left = time.Until(d)
	}), RequestTimeout)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/search?q=x", nil))
	if left <= 0 || left > RequestTimeout {
		t.Errorf("deadline in %v, want within %v", left, RequestTimeout)
	}
}
