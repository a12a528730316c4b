package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const projectColumns = `id, name, external_id, created`

// CreateProject implements catalog.ProjectStore.
func (s *Store) CreateProject(ctx context.Context, p catalog.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES ($1, $2, $3, $4)`, p.ID, p.Name, p.ExternalID, nanos(p.Created))
	if isUnique(err) {
		return apperr.New(apperr.Conflict, "a project named %q (or with id %s) already exists", p.Name, p.ID)
	}
	if err != nil {
		return fmt.Errorf("save project %q: %w", p.Name, err)
	}
	return nil
}

func scanProject(r pgx.Row) (catalog.Project, error) {
	var p catalog.Project
	var created int64
	err := r.Scan(&p.ID, &p.Name, &p.ExternalID, &created)
	p.Created = fromNanos(created)
	return p, err
}

// GetProject implements catalog.ProjectStore. Names never parse as UUIDs
// (catalog.ValidateProjectName), so name and id cannot both match.
func (s *Store) GetProject(ctx context.Context, nameOrID string) (catalog.Project, error) {
	return s.getProject(ctx, catalog.AllProjects(), nameOrID)
}

func (s *Store) getProject(ctx context.Context, t catalog.Tenant, nameOrID string) (catalog.Project, error) {
	args := []any{nameOrID, strings.ToLower(nameOrID)}
	cond := projectCond(t, "id", &args)
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE (name = $1 OR id = $2)`+and(cond), args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "no project %q (create it with: lakemap project create NAME; list them with: lakemap project list)", nameOrID)
	}
	if err != nil {
		return p, fmt.Errorf("read project %q: %w", nameOrID, err)
	}
	return p, nil
}

// ListProjects implements catalog.ProjectStore.
func (s *Store) ListProjects(ctx context.Context) ([]catalog.Project, error) {
	return s.listProjects(ctx, catalog.AllProjects())
}

func (s *Store) listProjects(ctx context.Context, t catalog.Tenant) ([]catalog.Project, error) {
	var args []any
	cond := projectCond(t, "id", &args)
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+` FROM projects WHERE TRUE`+and(cond)+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	defer rows.Close()
	out := []catalog.Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, fmt.Errorf("list projects: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RenameProject gives a project a new name; its id and External ID never
// change, so the roles customers created keep trusting it.
func (s *Store) RenameProject(ctx context.Context, id, name string) error {
	if err := catalog.ValidateProjectName(name); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE projects SET name = $1 WHERE id = $2`, name, id)
	if isUnique(err) {
		return apperr.New(apperr.Conflict, "a project named %q already exists", name)
	}
	if err != nil {
		return fmt.Errorf("rename project %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.NotFound, "no project %q", id)
	}
	return nil
}

// DeleteProject deletes a project with its memberships and API tokens. A
// project that still has connections is apperr.Conflict.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// Lock the project row first, so a connection added meanwhile on
		// another replica waits rather than losing its owner.
		var one, n int
		err := tx.QueryRow(ctx, `SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "no project %q", id)
		}
		if err != nil {
			return fmt.Errorf("read project %s: %w", id, err)
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM connections WHERE project_id = $1`, id).Scan(&n); err != nil {
			return fmt.Errorf("count connections of project %s: %w", id, err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "project %s still has %d connection(s): delete them first", id, n)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM projects WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete project %s: %w", id, err)
		}
		return nil
	})
}
