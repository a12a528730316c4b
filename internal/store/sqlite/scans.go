package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// BeginScan implements catalog.ScanWriter.
func (s *Store) BeginScan(ctx context.Context, start catalog.ScanStart) (catalog.Scan, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO scans (service, source_type, status, started) VALUES (?, ?, ?, ?)`,
		start.Service, start.SourceType, string(catalog.ScanRunning), nanos(start.Started))
	if err != nil {
		return catalog.Scan{}, fmt.Errorf("record scan start: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return catalog.Scan{}, err
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
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE scans SET status = ?, finished = ?, stats = ?, errors = ?, warnings = ? WHERE id = ?`,
			string(r.Status), nanos(r.Finished), string(stats), string(errs), string(warns), id)
		if err != nil {
			return fmt.Errorf("record scan %d end: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no scan %d", id)
		}
		return discardStaged(ctx, tx, `id = ?`, id)
	})
}

const scanColumns = `id, service, source_type, status, started, finished, stats, errors, warnings`

func scanScan(r rowScanner) (catalog.Scan, error) {
	var sc catalog.Scan
	var status string
	var started int64
	var finished sql.NullInt64
	var stats, errs, warns sql.NullString
	if err := r.Scan(&sc.ID, &sc.Service, &sc.SourceType, &status, &started, &finished, &stats, &errs, &warns); err != nil {
		return sc, err
	}
	sc.Status, sc.Started, sc.Finished = catalog.ScanStatus(status), fromNanos(started), fromNullNanos(finished)
	if stats.Valid && stats.String != "null" {
		if err := json.Unmarshal([]byte(stats.String), &sc.Stats); err != nil {
			return sc, fmt.Errorf("decode scan %d stats: %w", sc.ID, err)
		}
	}
	if errs.Valid && errs.String != "null" {
		if err := json.Unmarshal([]byte(errs.String), &sc.Errors); err != nil {
			return sc, fmt.Errorf("decode scan %d errors: %w", sc.ID, err)
		}
	}
	if warns.Valid && warns.String != "null" {
		if err := json.Unmarshal([]byte(warns.String), &sc.Warnings); err != nil {
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
	cond, args := serviceCond(t, "service")
	sc, err := scanScan(s.read.QueryRowContext(ctx, `SELECT `+scanColumns+` FROM scans WHERE id = ?`+and(cond), append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
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
	where, args := "1 = 1", []any{}
	if service != "" {
		where, args = "service = ?", append(args, service)
	}
	cond, condArgs := serviceCond(t, "service")
	args = append(append(args, condArgs...), catalog.ClampLimit(limit))
	rows, err := s.read.QueryContext(ctx, `SELECT `+scanColumns+` FROM scans WHERE `+where+and(cond)+` ORDER BY id DESC LIMIT ?`, args...)
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
