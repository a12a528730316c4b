package apperr

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestPresent walks every kind, and plain, wrapped, cancelled and internal
// errors, through all three surfaces.
func TestPresent(t *testing.T) {
	advised := &Error{Kind: AccessDenied, Msg: "glue:GetTables denied", Advice: []string{"grant glue:GetTables"}}
	tests := []struct {
		name       string
		err        error
		kind       Kind
		status     int
		exit       int
		detail     string // what HTTP and MCP show
		advice     []string
		log        bool
		cliContain string
	}{
		{"internal kind", New(Internal, "db at /var/x.db is corrupt"), Internal, 500, 1, HiddenDetail, nil, true, "/var/x.db"},
		{"invalid", New(Invalid, "limit -1 is negative"), Invalid, 400, 2, "limit -1 is negative", nil, false, "limit -1"},
		{"not found", New(NotFound, "no entity %q", "a.b"), NotFound, 404, 3, `no entity "a.b"`, nil, false, "no entity"},
		{"access denied", advised, AccessDenied, 403, 4, "glue:GetTables denied", []string{"grant glue:GetTables"}, false, "grant glue"},
		{"unauthenticated", New(Unauthenticated, "token expired"), Unauthenticated, 401, 4, "token expired", nil, false, "token expired"},
		{"unavailable", New(Unavailable, "throttled"), Unavailable, 503, 5, "throttled", nil, false, "throttled"},
		{"conflict", New(Conflict, "project taken"), Conflict, 409, 6, "project taken", nil, false, "project taken"},
		{"plain error is internal", errors.New("sql: no such table"), Internal, 500, 1, HiddenDetail, nil, true, "no such table"},
		{"wrapped kind keeps its kind", fmt.Errorf("scan glue: %w", advised), AccessDenied, 403, 4, "scan glue: glue:GetTables denied", []string{"grant glue:GetTables"}, false, "scan glue"},
		{"kind wrapping a plain cause shows it", Wrap(Invalid, errors.New("bad yaml"), "workflow"), Invalid, 400, 2, "workflow: bad yaml", nil, false, "workflow: bad yaml"},
		{"internal keeps advice", &Error{Kind: Internal, Msg: "secret path", Advice: []string{"report it"}}, Internal, 500, 1, HiddenDetail, []string{"report it"}, true, "secret path"},
		{"bare timeout", fmt.Errorf("query: %w", context.DeadlineExceeded), Internal, 500, 1, cancelledDetail, nil, true, "deadline exceeded"},
		{"classified timeout keeps its kind", Wrap(Unavailable, context.DeadlineExceeded, "athena"), Unavailable, 503, 5, "athena: context deadline exceeded", nil, false, "athena"},
		{"kind set by WithKind", WithKind(Invalid, errors.New(`unknown flag: --x`)), Invalid, 400, 2, "unknown flag: --x", nil, false, "unknown flag"},
		{"WithKind keeps an existing kind", WithKind(Invalid, New(NotFound, "gone")), NotFound, 404, 3, "gone", nil, false, "gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Present(tt.err)
			if p.Kind != tt.kind || p.Status != tt.status || p.ExitCode != tt.exit || p.Log != tt.log {
				t.Fatalf("Present = kind %v status %d exit %d log %v; want %v %d %d %v", p.Kind, p.Status, p.ExitCode, p.Log, tt.kind, tt.status, tt.exit, tt.log)
			}
			if !reflect.DeepEqual(p.Advice, tt.advice) {
				t.Errorf("advice = %q, want %q", p.Advice, tt.advice)
			}
			// HTTP.
			prob := p.Problem()
			if prob.Status != tt.status || prob.Detail != tt.detail || prob.Kind != tt.kind.String() || prob.Type != "about:blank" || prob.Title == "" {
				t.Errorf("Problem = %+v", prob)
			}
			// MCP: same detail, same hide rule.
			wantTool := tt.kind.String() + ": " + tt.detail
			for _, a := range tt.advice {
				wantTool += "\n- " + a
			}
			if got := p.ToolText(); got != wantTool {
				t.Errorf("ToolText = %q, want %q", got, wantTool)
			}
			// CLI: local, so the whole message.
			cli := p.CLIText()
			if !strings.HasPrefix(cli, "error: "+tt.err.Error()+"\n") || !strings.Contains(cli, tt.cliContain) {
				t.Errorf("CLIText = %q", cli)
			}
			for _, a := range tt.advice {
				if !strings.Contains(cli, "  - "+a+"\n") {
					t.Errorf("CLIText %q lacks advice %q", cli, a)
				}
			}
			if tt.log && (strings.Contains(prob.Detail, tt.cliContain) || strings.Contains(p.ToolText(), tt.cliContain)) {
				t.Errorf("internal detail %q leaked to a remote surface", tt.cliContain)
			}
			if HTTPStatus(tt.err) != tt.status || ExitCode(tt.err) != tt.exit {
				t.Errorf("HTTPStatus/ExitCode disagree with Present")
			}
		})
	}
}

func TestPresentNil(t *testing.T) {
	if p := Present(nil); p.Status != 0 || p.Message != "" {
		t.Errorf("Present(nil) = %+v", p)
	}
}

func TestEveryKindHasAStatusAndExitCode(t *testing.T) {
	for k := Internal; k <= Conflict; k++ {
		if k != Internal && (k.httpStatus() == 500 || k.exitCode() == 1) {
			t.Errorf("kind %v falls through to the internal status or exit code", k)
		}
		if strings.HasPrefix(k.String(), "kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
}
