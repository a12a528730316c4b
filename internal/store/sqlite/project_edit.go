package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// RenameProject gives a project a new name; its id and External ID never
// change, so the roles customers created keep trusting it.
func (s *Store) RenameProject(ctx context.Context, id, name string) error {
	if err := catalog.ValidateProjectName(name); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `UPDATE projects SET name = ? WHERE id = ?`, name, id)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return apperr.New(apperr.Conflict, "a project named %q already exists", name)
	}
	if err != nil {
		return fmt.Errorf("rename project %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "no project %q", id)
	}
	return nil
}

// DeleteProject deletes a project with its memberships and API tokens. A
// project that still has connections is apperr.Conflict: their catalog
// entries and scans would lose their owner, so the connections go first.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM connections WHERE project_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("count connections of project %s: %w", id, err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "project %s still has %d connection(s): delete them first", id, n)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM projects WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete project %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no project %q", id)
		}
		return nil
	})
}
