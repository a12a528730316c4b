package scan

import (
	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Exit statuses of a scan: one contract for `lakemap ingest` and for
// whoever reads scan records (a scheduler, the server's scan API).
//
//	0  every listing finished; warnings (optional enrichments turned off,
//	   customers' unusable files) do not fail the run
//	7  partial: some listing failed; entities under it were kept as they were
//	8  warnings under --strict (the scan itself succeeded)
//	4  access: lakemap's credentials or the role were refused for the scan
//	5  AWS unavailable or throttled, the scan could not run
//	130 interrupted by a signal (the CLI's; the scan is recorded interrupted)
//
// and the other codes of apperr (2 invalid input, 3 not found, 1 internal)
// when the scan could not start.
const (
	ExitPartial  = 7
	ExitWarnings = 8
)

// ExitCode is the exit status of a scan that ended with sum and err (Run's
// results). strict makes warnings fail the run.
func ExitCode(sum Summary, err error, strict bool) int {
	switch {
	case err != nil:
		return apperr.ExitCode(err)
	case sum.Status == catalog.ScanFailed:
		return apperr.ExitCode(apperr.New(apperr.Internal, "scan failed"))
	case sum.Status == catalog.ScanPartial || len(sum.Errors) > 0:
		return ExitPartial
	case strict && len(sum.Warnings) > 0:
		return ExitWarnings
	}
	return 0
}
