package scan

import (
	"context"
	"errors"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// Notices make warnings and leave the scan succeeded; other warnings are
// failed listings and make it partial; the exit code follows.
func TestWarningsAndErrorsDecideStatusAndExitCode(t *testing.T) {
	notice := source.Notice(errors.New("column statistics skipped"))
	listing := errors.New("listing tables of db failed")
	for _, tc := range []struct {
		name         string
		warn         []error
		fatal        error
		strict       bool
		wantStatus   catalog.ScanStatus
		wantWarnings int
		wantErrors   int
		wantExit     int
	}{
		{"clean", nil, nil, false, catalog.ScanSucceeded, 0, 0, 0},
		{"warnings only", []error{notice, notice}, nil, false, catalog.ScanSucceeded, 2, 0, 0},
		{"warnings under --strict", []error{notice}, nil, true, catalog.ScanSucceeded, 1, 0, ExitWarnings},
		{"a failed listing", []error{notice, listing}, nil, false, catalog.ScanPartial, 1, 1, ExitPartial},
		{"a failed listing under --strict", []error{listing}, nil, true, catalog.ScanPartial, 0, 1, ExitPartial},
		{"access denied for the scan", nil, apperr.New(apperr.AccessDenied, "denied"), false, catalog.ScanFailed, 0, 1, 4},
		{"AWS unavailable", []error{notice}, apperr.New(apperr.Unavailable, "down"), false, catalog.ScanFailed, 1, 1, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &recordingStore{}
			r := &Runner{Store: st}
			sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
				for _, w := range tc.warn {
					sink.Warn(ctx, w)
				}
				return tc.fatal
			}))
			if sum.Status != tc.wantStatus || len(sum.Warnings) != tc.wantWarnings || len(sum.Errors) != tc.wantErrors {
				t.Errorf("status %s, %d warnings, %d errors; want %s, %d, %d", sum.Status, len(sum.Warnings), len(sum.Errors), tc.wantStatus, tc.wantWarnings, tc.wantErrors)
			}
			if len(st.finished.Warnings) != tc.wantWarnings || st.finished.Status != tc.wantStatus {
				t.Errorf("recorded %+v", st.finished)
			}
			if got := ExitCode(sum, err, tc.strict); got != tc.wantExit {
				t.Errorf("exit code = %d, want %d", got, tc.wantExit)
			}
		})
	}
}
