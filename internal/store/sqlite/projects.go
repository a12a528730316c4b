package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

var _ catalog.ProjectStore = (*Store)(nil)

const projectColumns = `id, name, external_id, created`

// CreateProject implements catalog.ProjectStore.
func (s *Store) CreateProject(ctx context.Context, p catalog.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?)`,
		p.ID, p.Name, p.ExternalID, nanos(p.Created))
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return apperr.New(apperr.Conflict, "a project named %q (or with id %s) already exists", p.Name, p.ID)
	}
	if err != nil {
		return fmt.Errorf("save project %q: %w", p.Name, err)
	}
	return nil
}

func scanProject(r rowScanner) (catalog.Project, error) {
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
	cond, args := projectCond(t, "id")
	args = append([]any{nameOrID, strings.ToLower(nameOrID)}, args...)
	p, err := scanProject(s.read.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE (name = ? OR id = ?)`+and(cond), args...))
	if errors.Is(err, sql.ErrNoRows) {
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
	cond, args := projectCond(t, "id")
	rows, err := s.read.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE 1 = 1`+and(cond)+` ORDER BY name`, args...)
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
