package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const connectionColumns = `name, project_id, source_type, role_arn, external_id, region, access_level, endpoint_url, config, secrets, created, updated,
	source_config, secret_fields, schedule_cron, schedule_interval`

// PutConnection implements catalog.ConnectionStore (insert or replace).
func (s *Store) PutConnection(ctx context.Context, c catalog.Connection) error {
	if c.Name == "" {
		return apperr.New(apperr.Invalid, "connection has no name")
	}
	fields := c.SecretFields
	if fields == nil {
		fields = []string{}
	}
	secretFields, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("save connection %q: encode secret field names: %w", c.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO connections (`+connectionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET project_id = excluded.project_id, source_type = excluded.source_type, role_arn = excluded.role_arn,
			external_id = excluded.external_id, region = excluded.region, access_level = excluded.access_level,
			endpoint_url = excluded.endpoint_url, config = excluded.config, secrets = excluded.secrets, updated = excluded.updated,
			source_config = excluded.source_config, secret_fields = excluded.secret_fields,
			schedule_cron = excluded.schedule_cron, schedule_interval = excluded.schedule_interval`,
		c.Name, c.ProjectID, c.SourceType, c.RoleARN, c.ExternalID, c.Region, string(c.AccessLevel), c.EndpointURL, c.Config, c.Secrets,
		nanos(c.Created), nanos(c.Updated), c.SourceConfig, string(secretFields), c.Schedule.Cron, int64(c.Schedule.Interval))
	if err != nil {
		return fmt.Errorf("save connection %q: %w", c.Name, err)
	}
	return nil
}

func scanConnection(r rowScanner) (catalog.Connection, error) {
	var c catalog.Connection
	var access, secretFields string
	var created, updated, interval int64
	err := r.Scan(&c.Name, &c.ProjectID, &c.SourceType, &c.RoleARN, &c.ExternalID, &c.Region, &access, &c.EndpointURL, &c.Config, &c.Secrets, &created, &updated,
		&c.SourceConfig, &secretFields, &c.Schedule.Cron, &interval)
	if err != nil {
		return c, err
	}
	c.AccessLevel, c.Created, c.Updated = catalog.AccessLevel(access), fromNanos(created), fromNanos(updated)
	c.Schedule.Interval = time.Duration(interval)
	if err := json.Unmarshal([]byte(secretFields), &c.SecretFields); err != nil {
		return c, fmt.Errorf("secret field names of connection %q are not a JSON list: %w", c.Name, err)
	}
	return c, nil
}

// GetConnection implements catalog.ConnectionStore.
func (s *Store) GetConnection(ctx context.Context, name string) (catalog.Connection, error) {
	return s.getConnection(ctx, catalog.AllProjects(), name)
}

func (s *Store) getConnection(ctx context.Context, t catalog.Tenant, name string) (catalog.Connection, error) {
	cond, args := connectionCond(t, "connections")
	c, err := scanConnection(s.read.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE name = ?`+and(cond), append([]any{name}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "no connection %q (connections are registered by running a workflow that names them)", name)
	}
	if err != nil {
		return c, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
}

// GetProjectConnection implements catalog.ConnectionStore.
func (s *Store) GetProjectConnection(ctx context.Context, projectID, name string) (catalog.Connection, error) {
	c, err := scanConnection(s.read.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE project_id = ? AND name = ?`, projectID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "no connection %q in this project", name)
	}
	if err != nil {
		return c, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
}

// ListConnections implements catalog.ConnectionStore.
func (s *Store) ListConnections(ctx context.Context) ([]catalog.Connection, error) {
	return s.listConnections(ctx, catalog.AllProjects())
}

// ListProjectConnections implements catalog.ConnectionStore.
func (s *Store) ListProjectConnections(ctx context.Context, projectID string) ([]catalog.Connection, error) {
	return s.listConnections(ctx, catalog.Projects(projectID))
}

func (s *Store) listConnections(ctx context.Context, t catalog.Tenant) ([]catalog.Connection, error) {
	cond, args := connectionCond(t, "connections")
	rows, err := s.read.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE 1 = 1`+and(cond)+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	defer rows.Close()
	out := []catalog.Connection{}
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteConnection implements catalog.ConnectionStore.
func (s *Store) DeleteConnection(ctx context.Context, name string) error {
	return s.deleteConnection(ctx, name, `DELETE FROM connections WHERE name = ?`, name)
}

// DeleteProjectConnection implements catalog.ConnectionStore.
func (s *Store) DeleteProjectConnection(ctx context.Context, projectID, name string) error {
	return s.deleteConnection(ctx, name, `DELETE FROM connections WHERE project_id = ? AND name = ?`, projectID, name)
}

func (s *Store) deleteConnection(ctx context.Context, name, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("delete connection %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "no connection %q", name)
	}
	return nil
}
