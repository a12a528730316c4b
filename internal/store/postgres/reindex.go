package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
)

// afterMigration holds the Go steps of migrations that SQL alone cannot do,
// run in the migration's transaction.
var afterMigration = map[int]func(context.Context, pgx.Tx) error{
	4: reindexSearch,
	5: fillInword,
}

// reindexSearch rebuilds every entity's search vector, as searchVector now
// builds it (accents folded, query executions indexed).
func reindexSearch(ctx context.Context, tx pgx.Tx) error {
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT id, kind, name, parent_fqn, description, attrs::text FROM entities WHERE id > $1 ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return fmt.Errorf("reindex search: %w", err)
		}
		b := &pgx.Batch{}
		for rows.Next() {
			var e catalog.Entity
			var kind, attrs string
			if err := rows.Scan(&last, &kind, &e.Name, &e.ParentFQN, &e.Description, &attrs); err != nil {
				rows.Close()
				return fmt.Errorf("reindex search: %w", err)
			}
			e.Kind = catalog.Kind(kind)
			if e.Kind == catalog.KindQuery {
				_ = json.Unmarshal([]byte(attrs), &e.Attrs)
			}
			b.Queue(`UPDATE entities SET search = $1 WHERE id = $2`, searchVector(&e), last)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reindex search: %w", err)
		}
		if b.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("reindex search: %w", err)
		}
	}
}

// fillInword sets every entity's in-word texts, as inwordTexts builds them.
func fillInword(ctx context.Context, tx pgx.Tx) error {
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT id, kind, name, description FROM entities WHERE id > $1 ORDER BY id LIMIT 5000`, last)
		if err != nil {
			return fmt.Errorf("fill inword: %w", err)
		}
		b := &pgx.Batch{}
		n := 0
		for rows.Next() {
			n++
			var e catalog.Entity
			var kind string
			if err := rows.Scan(&last, &kind, &e.Name, &e.Description); err != nil {
				rows.Close()
				return fmt.Errorf("fill inword: %w", err)
			}
			e.Kind = catalog.Kind(kind)
			if name, desc := inwordTexts(&e); name != nil {
				b.Queue(`UPDATE entities SET inword_name = $1, inword_description = $2 WHERE id = $3`, name, desc, last)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fill inword: %w", err)
		}
		if n == 0 {
			return nil
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("fill inword: %w", err)
			}
		}
	}
}
