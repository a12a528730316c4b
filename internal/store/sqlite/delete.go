package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// MarkMissing implements catalog.ScanWriter. The common case — nothing is
// missing — costs one indexed read and no write transaction.
func (s *Store) MarkMissing(ctx context.Context, scanID int64, parentFQN string, kinds []catalog.Kind) (catalog.WriteStats, error) {
	stats := catalog.WriteStats{}
	if len(kinds) == 0 {
		return stats, nil
	}
	cond, args := missingCond(scanID, parentFQN, kinds)
	var any int
	err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities WHERE `+cond+` LIMIT 1)`, args...).Scan(&any)
	if err != nil {
		return nil, fmt.Errorf("find entities missing under %q: %w", parentFQN, err)
	}
	if any == 0 {
		return stats, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		return markMissingTx(ctx, tx, scanID, s.now(), parentFQN, kinds, stats)
	})
	if err != nil {
		return nil, fmt.Errorf("mark entities missing under %q deleted: %w", parentFQN, err)
	}
	return stats, nil
}

// missingCond selects the live entities of kinds under a parent that scan
// did not see; its arguments follow.
func missingCond(scanID int64, parentFQN string, kinds []catalog.Kind) (string, []any) {
	cond := `parent_fqn = ? AND kind IN (?` + strings.Repeat(",?", len(kinds)-1) + `) AND deleted = 0 AND last_scan_id != ?`
	args := []any{parentFQN}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	return cond, append(args, scanID)
}

// markMissingTx marks deleted, in tx, the live entities of kinds under
// parentFQN that the scan did not see, and everything under them, adding
// them to stats.
func markMissingTx(ctx context.Context, tx *sql.Tx, scanID int64, at time.Time, parentFQN string, kinds []catalog.Kind, stats catalog.WriteStats) error {
	if len(kinds) == 0 {
		return nil
	}
	cond, args := missingCond(scanID, parentFQN, kinds)
	// The common case — nothing is missing — is one indexed read: the
	// query below is planned as a scan of every entity.
	var any int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities WHERE `+cond+` LIMIT 1)`, args...).Scan(&any); err != nil {
		return err
	}
	if any == 0 {
		return nil
	}
	// The missing entities and, recursively, everything under them.
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE doomed(id, fqn) AS (
			SELECT id, fqn FROM entities WHERE `+cond+`
			UNION ALL
			SELECT e.id, e.fqn FROM entities e JOIN doomed d ON e.parent_fqn = d.fqn WHERE e.deleted = 0
		)
		SELECT e.id, e.fqn, e.kind, e.parent_fqn, e.service FROM entities e JOIN doomed d ON e.id = d.id`, args...)
	if err != nil {
		return err
	}
	type doomed struct {
		id                         int64
		fqn, kind, parent, service string
	}
	var list []doomed
	for rows.Next() {
		var d doomed
		if err := rows.Scan(&d.id, &d.fqn, &d.kind, &d.parent, &d.service); err != nil {
			rows.Close()
			return err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	mark, err := tx.PrepareContext(ctx, `UPDATE entities SET deleted = 1 WHERE id = ?`)
	if err != nil {
		return err
	}
	defer mark.Close()
	record, err := tx.PrepareContext(ctx, `INSERT INTO changes (fqn, kind, parent_fqn, service, scan_id, at, type) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer record.Close()
	now := nanos(at)
	for _, d := range list {
		if _, err := mark.ExecContext(ctx, d.id); err != nil {
			return err
		}
		if _, err := record.ExecContext(ctx, d.fqn, d.kind, d.parent, d.service, scanID, now, string(catalog.ChangeDeleted)); err != nil {
			return err
		}
		stats.Of(catalog.Kind(d.kind)).Deleted++
	}
	return nil
}
