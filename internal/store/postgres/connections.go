package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const connectionColumns = `name, project_id, source_type, role_arn, external_id, region, access_level, endpoint_url, config, secrets, created, updated`

// PutConnection implements catalog.ConnectionStore (insert or replace).
func (s *Store) PutConnection(ctx context.Context, c catalog.Connection) error {
	if c.Name == "" {
		return apperr.New(apperr.Invalid, "connection has no name")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO connections (`+connectionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (name) DO UPDATE SET project_id = excluded.project_id, source_type = excluded.source_type, role_arn = excluded.role_arn,
			external_id = excluded.external_id, region = excluded.region, access_level = excluded.access_level,
			endpoint_url = excluded.endpoint_url, config = excluded.config, secrets = excluded.secrets, updated = excluded.updated`,
		c.Name, c.ProjectID, c.SourceType, c.RoleARN, c.ExternalID, c.Region, string(c.AccessLevel), c.EndpointURL, c.Config, c.Secrets,
		nanos(c.Created), nanos(c.Updated))
	if err != nil {
		return fmt.Errorf("save connection %q: %w", c.Name, err)
	}
	return nil
}

func scanConnection(r pgx.Row) (catalog.Connection, error) {
	var c catalog.Connection
	var access string
	var created, updated int64
	err := r.Scan(&c.Name, &c.ProjectID, &c.SourceType, &c.RoleARN, &c.ExternalID, &c.Region, &access, &c.EndpointURL, &c.Config, &c.Secrets, &created, &updated)
	c.AccessLevel, c.Created, c.Updated = catalog.AccessLevel(access), fromNanos(created), fromNanos(updated)
	return c, err
}

// GetConnection implements catalog.ConnectionStore.
func (s *Store) GetConnection(ctx context.Context, name string) (catalog.Connection, error) {
	c, err := scanConnection(s.pool.QueryRow(ctx, `SELECT `+connectionColumns+` FROM connections WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "no connection %q (connections are registered by running a workflow that names them)", name)
	}
	if err != nil {
		return c, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
}

// ListConnections implements catalog.ConnectionStore.
func (s *Store) ListConnections(ctx context.Context) ([]catalog.Connection, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+connectionColumns+` FROM connections ORDER BY name`)
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
	return s.updateOne(ctx, fmt.Sprintf("delete connection %q", name), fmt.Sprintf("no connection %q", name),
		`DELETE FROM connections WHERE name = $1`, name)
}
