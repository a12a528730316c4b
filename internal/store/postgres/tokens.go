package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const tokenColumns = `name, hash, connections, read_only, created, revoked`

// CreateToken implements catalog.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t catalog.Token) error {
	if t.Name == "" || t.Hash == "" {
		return apperr.New(apperr.Invalid, "a token needs a name and a hash")
	}
	b, err := connectionList(t.Connections)
	if err != nil {
		return fmt.Errorf("encode connections of token %q: %w", t.Name, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO mcp_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, NULL)`,
		t.Name, t.Hash, b, t.ReadOnly, nanos(t.Created))
	if isUnique(err) {
		return apperr.New(apperr.Conflict, "a token named %q already exists: revoke it first, or choose another name", t.Name)
	}
	if err != nil {
		return fmt.Errorf("save token %q: %w", t.Name, err)
	}
	return nil
}

// connectionList encodes a token's connections as the JSON array both stores
// keep, [] for every connection.
func connectionList(conns []string) (string, error) {
	if conns == nil {
		conns = []string{}
	}
	b, err := json.Marshal(conns)
	return string(b), err
}

func scanToken(r pgx.Row) (catalog.Token, error) {
	var t catalog.Token
	var conns string
	var created int64
	var revoked *int64
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
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM mcp_tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "no such token")
	}
	if err != nil {
		return t, fmt.Errorf("read token: %w", err)
	}
	return t, nil
}

// ListTokens implements catalog.TokenStore.
func (s *Store) ListTokens(ctx context.Context) ([]catalog.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM mcp_tokens ORDER BY name, id`)
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
	return s.updateOne(ctx, fmt.Sprintf("revoke token %q", name), fmt.Sprintf("no live token named %q (lakemap token list shows them)", name),
		`UPDATE mcp_tokens SET revoked = $1 WHERE name = $2 AND revoked IS NULL`, nanos(at), name)
}
