package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// BeginScan implements catalog.ScanWriter.
func (s *Store) BeginScan(ctx context.Context, start catalog.ScanStart) (catalog.Scan, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO scans (service, source_type, status, started) VALUES ($1, $2, $3, $4) RETURNING id`,
		start.Service, start.SourceType, string(catalog.ScanRunning), nanos(start.Started)).Scan(&id)
	if err != nil {
		return catalog.Scan{}, fmt.Errorf("record scan start: %w", err)
	}
	return catalog.Scan{ID: id, Service: start.Service, SourceType: start.SourceType, Status: catalog.ScanRunning, Started: start.Started.UTC()}, nil
}

// FinishScan implements catalog.ScanWriter.
func (s *Store) FinishScan(ctx context.Context, id int64, r catalog.ScanResult) error {
	stats, err := json.Marshal(r.Stats)
	if err != nil {
		return fmt.Errorf("encode scan stats: %w", err)
	}
	errs, err := json.Marshal(r.Errors)
	if err != nil {
		return fmt.Errorf("encode scan errors: %w", err)
	}
	warns, err := json.Marshal(r.Warnings)
	if err != nil {
		return fmt.Errorf("encode scan warnings: %w", err)
	}
	// Whatever the scan staged and did not publish goes with its end: a
	// part whose owner was never written is not the catalog's.
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE scans SET status = $1, finished = $2, stats = $3, errors = $4, warnings = $5 WHERE id = $6`,
			string(r.Status), nanos(r.Finished), string(stats), string(errs), string(warns), id)
		if err != nil {
			return fmt.Errorf("record scan %d end: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.New(apperr.NotFound, "no scan %d", id)
		}
		return discardStaged(ctx, tx, `id = $1`, id)
	})
	if err == nil {
		s.tidyAfter(ctx, id)
	}
	return err
}

const scanColumns = `id, service, source_type, status, started, finished, stats, errors, warnings`

func scanScan(r pgx.Row) (catalog.Scan, error) {
	var sc catalog.Scan
	var status string
	var started int64
	var finished *int64
	var stats, errs, warns *string
	if err := r.Scan(&sc.ID, &sc.Service, &sc.SourceType, &status, &started, &finished, &stats, &errs, &warns); err != nil {
		return sc, err
	}
	sc.Status, sc.Started, sc.Finished = catalog.ScanStatus(status), fromNanos(started), fromNullNanos(finished)
	if stats != nil && *stats != "null" {
		if err := json.Unmarshal([]byte(*stats), &sc.Stats); err != nil {
			return sc, fmt.Errorf("decode scan %d stats: %w", sc.ID, err)
		}
	}
	if errs != nil && *errs != "null" {
		if err := json.Unmarshal([]byte(*errs), &sc.Errors); err != nil {
			return sc, fmt.Errorf("decode scan %d errors: %w", sc.ID, err)
		}
	}
	if warns != nil && *warns != "null" {
		if err := json.Unmarshal([]byte(*warns), &sc.Warnings); err != nil {
			return sc, fmt.Errorf("decode scan %d warnings: %w", sc.ID, err)
		}
	}
	return sc, nil
}

// GetScan implements catalog.ScanReader.
func (s *Store) GetScan(ctx context.Context, id int64) (catalog.Scan, error) {
	return s.getScan(ctx, catalog.AllProjects(), id)
}

func (s *Store) getScan(ctx context.Context, t catalog.Tenant, id int64) (catalog.Scan, error) {
	args := []any{id}
	cond := serviceCond(t, "service", &args)
	sc, err := scanScan(s.pool.QueryRow(ctx, `SELECT `+scanColumns+` FROM scans WHERE id = $1`+and(cond), args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, apperr.New(apperr.NotFound, "no scan %d", id)
	}
	if err != nil {
		return sc, fmt.Errorf("read scan %d: %w", id, err)
	}
	return sc, nil
}

// ListScans implements catalog.ScanReader, newest first.
func (s *Store) ListScans(ctx context.Context, service string, limit int) ([]catalog.Scan, error) {
	return s.listScans(ctx, catalog.AllProjects(), service, limit)
}

func (s *Store) listScans(ctx context.Context, t catalog.Tenant, service string, limit int) ([]catalog.Scan, error) {
	var args []any
	where := "TRUE"
	if service != "" {
		where = "service = " + arg(&args, service)
	}
	where += and(serviceCond(t, "service", &args))
	rows, err := s.pool.Query(ctx, `SELECT `+scanColumns+` FROM scans WHERE `+where+` ORDER BY id DESC LIMIT `+arg(&args, catalog.ClampLimit(limit)), args...)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	defer rows.Close()
	out := []catalog.Scan{}
	for rows.Next() {
		sc, err := scanScan(rows)
		if err != nil {
			return nil, fmt.Errorf("list scans: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// scanInterrupted is the status of a scan the server stopped or died under
// (jobs.ScanInterrupted), as the SQLite store names it.
const scanInterrupted catalog.ScanStatus = "interrupted"

// MarkRunningInterrupted marks every scan still recorded as running as
// interrupted, ended at `at`, and discards what they staged. With one
// server, a record still running at start was left by a process that died;
// several replicas sharing this database must not call it blindly (a live
// replica's scan is running too).
func (s *Store) MarkRunningInterrupted(ctx context.Context, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := discardStaged(ctx, tx, `status = $1`, string(catalog.ScanRunning)); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE scans SET status = $1, finished = $2 WHERE status = $3`,
			string(scanInterrupted), nanos(at), string(catalog.ScanRunning))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark running scans interrupted: %w", err)
	}
	return int(n), nil
}

// SetScanStatus overrides one scan's recorded status; an end time already
// recorded is kept, a missing one becomes `at`. A scan recorded as no
// longer running loses what it staged and never published.
func (s *Store) SetScanStatus(ctx context.Context, id int64, status catalog.ScanStatus, at time.Time) error {
	if status == "" {
		return apperr.New(apperr.Invalid, "scan %d: empty status", id)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE scans SET status = $1, finished = COALESCE(finished, $2) WHERE id = $3`, string(status), nanos(at), id)
		if err != nil {
			return fmt.Errorf("record scan %d as %s: %w", id, status, err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.New(apperr.NotFound, "no scan %d", id)
		}
		if status == catalog.ScanRunning {
			return nil
		}
		return discardStaged(ctx, tx, `id = $1`, id)
	})
}
