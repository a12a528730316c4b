package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
)

// MarkMissing implements catalog.ScanWriter in one statement: the missing
// entities and, recursively, everything under them are marked deleted and
// their deletions recorded. The common case — nothing is missing — is one
// indexed read.
func (s *Store) MarkMissing(ctx context.Context, scanID int64, parentFQN string, kinds []catalog.Kind) (catalog.WriteStats, error) {
	stats := catalog.WriteStats{}
	if err := markMissing(ctx, s.pool, scanID, nanos(s.now()), parentFQN, kinds, stats); err != nil {
		return nil, err
	}
	return stats, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// markMissing is MarkMissing's statement, run on q, adding the deletions
// to stats.
func markMissing(ctx context.Context, q querier, scanID, at int64, parentFQN string, kinds []catalog.Kind, stats catalog.WriteStats) error {
	if len(kinds) == 0 {
		return nil
	}
	rows, err := q.Query(ctx, `WITH RECURSIVE doomed(id, fqn) AS (
			SELECT id, fqn FROM entities WHERE parent_fqn = $1 AND kind = ANY($2) AND NOT deleted AND last_scan_id <> $3
			UNION ALL
			SELECT e.id, e.fqn FROM entities e JOIN doomed d ON e.parent_fqn = d.fqn WHERE NOT e.deleted
		), marked AS (
			UPDATE entities e SET deleted = true FROM doomed d WHERE e.id = d.id
			RETURNING e.fqn, e.kind, e.parent_fqn, e.service
		)
		INSERT INTO changes (fqn, kind, parent_fqn, service, scan_id, at, type)
			SELECT fqn, kind, parent_fqn, service, $3, $4, $5 FROM marked ORDER BY fqn
		RETURNING kind`,
		parentFQN, kindNames(kinds), scanID, at, string(catalog.ChangeDeleted))
	if err != nil {
		return fmt.Errorf("mark entities missing under %q deleted: %w", parentFQN, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		if err := rows.Scan(&kind); err != nil {
			return fmt.Errorf("mark entities missing under %q deleted: %w", parentFQN, err)
		}
		stats.Of(catalog.Kind(kind)).Deleted++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark entities missing under %q deleted: %w", parentFQN, err)
	}
	return nil
}
