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
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

const apiTokenColumns = `id, project_id, name, hash, scope, connections, read_only, created, created_by, last_used, revoked`

// CreateAPIToken implements catalog.APITokenStore.
func (s *Store) CreateAPIToken(ctx context.Context, t catalog.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	conns := t.Connections
	if conns == nil {
		conns = []string{}
	}
	b, err := json.Marshal(conns)
	if err != nil {
		return fmt.Errorf("encode connections of token %q: %w", t.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO api_tokens (`+apiTokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
		t.ID, t.ProjectID, t.Name, t.Hash, string(t.Scope), string(b), t.ReadOnly, nanos(t.Created), t.CreatedBy)
	switch {
	case sqlitedb.IsUniqueViolation(err):
		return apperr.New(apperr.Conflict, "project %s has a live token named %q: revoke it first, or choose another name", t.ProjectID, t.Name)
	case sqlitedb.IsForeignKeyViolation(err):
		return apperr.New(apperr.NotFound, "no project with id %q", t.ProjectID)
	case err != nil:
		return fmt.Errorf("save token %q: %w", t.Name, err)
	}
	return nil
}

func scanAPIToken(r rowScanner) (catalog.APIToken, error) {
	var t catalog.APIToken
	var scope, conns string
	var created int64
	var lastUsed, revoked sql.NullInt64
	if err := r.Scan(&t.ID, &t.ProjectID, &t.Name, &t.Hash, &scope, &conns, &t.ReadOnly, &created, &t.CreatedBy, &lastUsed, &revoked); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(conns), &t.Connections); err != nil {
		return t, fmt.Errorf("decode connections of token %q: %w", t.Name, err)
	}
	if len(t.Connections) == 0 {
		t.Connections = nil
	}
	t.Scope = catalog.TokenScope(scope)
	t.Created, t.LastUsed, t.Revoked = fromNanos(created), fromNullNanos(lastUsed), fromNullNanos(revoked)
	return t, nil
}

// APITokenByHash implements catalog.APITokenStore.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (catalog.APIToken, error) {
	t, err := scanAPIToken(s.stmts.queryRow(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "no such token")
	}
	if err != nil {
		return t, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// ListAPITokens implements catalog.APITokenStore.
func (s *Store) ListAPITokens(ctx context.Context, projectID string) ([]catalog.APIToken, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE project_id = ? ORDER BY name, created`, projectID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of project %s: %w", projectID, err)
	}
	defer rows.Close()
	out := []catalog.APIToken{}
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens of project %s: %w", projectID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken implements catalog.APITokenStore.
func (s *Store) RevokeAPIToken(ctx context.Context, projectID, tokenID string, at time.Time) error {
	return s.updateOne(ctx, "revoke token", fmt.Sprintf("no live token %q in this project", tokenID),
		`UPDATE api_tokens SET revoked = ? WHERE id = ? AND project_id = ? AND revoked IS NULL`, nanos(at), tokenID, projectID)
}

// TouchAPIToken implements catalog.APITokenStore.
func (s *Store) TouchAPIToken(ctx context.Context, tokenID string, at time.Time) error {
	return s.updateOne(ctx, "record token use", fmt.Sprintf("no token %q", tokenID), `UPDATE api_tokens SET last_used = ? WHERE id = ?`, nanos(at), tokenID)
}
