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

var _ catalog.TokenStore = (*Store)(nil)

const tokenColumns = `name, hash, connections, read_only, created, revoked`

// CreateToken implements catalog.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t catalog.Token) error {
	if t.Name == "" || t.Hash == "" {
		return apperr.New(apperr.Invalid, "a token needs a name and a hash")
	}
	conns := t.Connections
	if conns == nil {
		conns = []string{}
	}
	b, err := json.Marshal(conns)
	if err != nil {
		return fmt.Errorf("encode connections of token %q: %w", t.Name, err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO mcp_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, NULL)`,
		t.Name, t.Hash, string(b), t.ReadOnly, nanos(t.Created))
	if sqlitedb.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "a token named %q already exists: revoke it first, or choose another name", t.Name)
	}
	if err != nil {
		return fmt.Errorf("save token %q: %w", t.Name, err)
	}
	return nil
}

func scanToken(r rowScanner) (catalog.Token, error) {
	var t catalog.Token
	var conns string
	var created int64
	var revoked sql.NullInt64
	if err := r.Scan(&t.Name, &t.Hash, &conns, &t.ReadOnly, &created, &revoked); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(conns), &t.Connections); err != nil {
		return t, fmt.Errorf("decode connections of token %q: %w", t.Name, err)
	}
	if len(t.Connections) == 0 {
		t.Connections = nil
	}
	t.Created, t.Revoked = fromNanos(created), fromNullNanos(revoked)
	return t, nil
}

// TokenByHash implements catalog.TokenStore.
func (s *Store) TokenByHash(ctx context.Context, hash string) (catalog.Token, error) {
	t, err := scanToken(s.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM mcp_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "no such token")
	}
	if err != nil {
		return t, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// ListTokens implements catalog.TokenStore.
func (s *Store) ListTokens(ctx context.Context) ([]catalog.Token, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM mcp_tokens ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []catalog.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements catalog.TokenStore.
func (s *Store) RevokeToken(ctx context.Context, name string, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `UPDATE mcp_tokens SET revoked = ? WHERE name = ? AND revoked IS NULL`, nanos(at), name)
	if err != nil {
		return fmt.Errorf("revoke token %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "no live token named %q (lakemap token list shows them)", name)
	}
	return nil
}
