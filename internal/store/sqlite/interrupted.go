package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// scanInterrupted is the status of a scan the server stopped or died under
// (jobs.ScanInterrupted; catalog should name it beside ScanRunning).
const scanInterrupted catalog.ScanStatus = "interrupted"

// MarkRunningInterrupted marks every scan still recorded as running as
// interrupted, ended at `at`, and discards what they staged. The server
// calls it at start, before any scan runs: a record still running then was
// left by a process that died.
func (s *Store) MarkRunningInterrupted(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := discardStaged(ctx, tx, `status = ?`, string(catalog.ScanRunning)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE scans SET status = ?, finished = ? WHERE status = ?`,
			string(scanInterrupted), nanos(at), string(catalog.ScanRunning))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark running scans interrupted: %w", err)
	}
	return int(n), nil
}

// SetScanStatus overrides one scan's recorded status (the runner records a
// scan whose context was cancelled as failed; the scheduler knows whether a
// user cancelled it or the server stopped). An end time already recorded is
// kept; a missing one becomes `at`. A scan recorded as no longer running
// loses what it staged and never published.
func (s *Store) SetScanStatus(ctx context.Context, id int64, status catalog.ScanStatus, at time.Time) error {
	if status == "" {
		return apperr.New(apperr.Invalid, "scan %d: empty status", id)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE scans SET status = ?, finished = COALESCE(finished, ?) WHERE id = ?`,
			string(status), nanos(at), id)
		if err != nil {
			return fmt.Errorf("record scan %d as %s: %w", id, status, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no scan %d", id)
		}
		if status == catalog.ScanRunning {
			return nil
		}
		return discardStaged(ctx, tx, `id = ?`, id)
	})
}
