package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

// TestToolErrorHidesInternalDetail: a tool error follows apperr.Present, so
// an internal failure reads the same as over HTTP and its cause is logged.
func TestToolErrorHidesInternalDetail(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		want   string
		logged bool
	}{
		{"plain", errors.New("open /secret/c.db: locked"), "internal: " + apperr.HiddenDetail, true},
		{"internal kind", apperr.New(apperr.Internal, "row /secret/7 is corrupt"), "internal: " + apperr.HiddenDetail, true},
		{"cancelled", fmt.Errorf("list: %w", context.Canceled), "internal: the call was cancelled or timed out", true},
		{"invalid with advice", &apperr.Error{Kind: apperr.Invalid, Msg: "limit -1", Advice: []string{"use 10"}}, "invalid: limit -1\n- use 10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log strings.Builder
			s := &session{srv: &Server{logger: slog.New(slog.NewTextHandler(&log, nil))}, scope: Scope{Name: "t"}}
			got := s.toolError("some_tool", tt.err).Error()
			if !strings.HasPrefix(got, tt.want) || strings.Contains(got, "secret") {
				t.Errorf("tool error %q, want it to start %q and hide details", got, tt.want)
			}
			if logged := strings.Contains(log.String(), "mcp tool failed"); logged != tt.logged {
				t.Errorf("logged = %v, want %v (log %q)", logged, tt.logged, log.String())
			}
		})
	}
}
