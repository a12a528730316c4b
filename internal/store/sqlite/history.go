package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

const changeColumns = `id, fqn, kind, parent_fqn, scan_id, at, type, fields`

// History implements catalog.HistoryReader.
func (s *Store) History(ctx context.Context, fqn string, limit int) ([]catalog.Change, error) {
	return s.history(ctx, catalog.AllProjects(), fqn, limit)
}

func (s *Store) history(ctx context.Context, t catalog.Tenant, fqn string, limit int) ([]catalog.Change, error) {
	cond, args := serviceCond(t, "service")
	args = append(append([]any{fqn}, args...), catalog.ClampLimit(limit))
	return s.queryChanges(ctx, `SELECT `+changeColumns+` FROM changes WHERE fqn = ?`+and(cond)+` ORDER BY id DESC LIMIT ?`, args...)
}

// Changes implements catalog.HistoryReader.
func (s *Store) Changes(ctx context.Context, q catalog.ChangesQuery) ([]catalog.Change, error) {
	return s.changes(ctx, catalog.AllProjects(), q)
}

func (s *Store) changes(ctx context.Context, t catalog.Tenant, q catalog.ChangesQuery) ([]catalog.Change, error) {
	where := []string{"at >= ?"}
	args := []any{nanos(q.Since)}
	if q.Since.IsZero() {
		args[0] = int64(0)
	}
	if q.Service != "" {
		where, args = append(where, "service = ?"), append(args, q.Service)
	}
	if q.ParentFQN != "" {
		where, args = append(where, "parent_fqn = ?"), append(args, q.ParentFQN)
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN (?"+strings.Repeat(",?", len(q.Kinds)-1)+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if cond, condArgs := serviceCond(t, "service"); cond != "" {
		where, args = append(where, cond), append(args, condArgs...)
	}
	args = append(args, catalog.ClampLimit(q.Limit))
	return s.queryChanges(ctx, `SELECT `+changeColumns+` FROM changes WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
}

func (s *Store) queryChanges(ctx context.Context, query string, args ...any) ([]catalog.Change, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := []catalog.Change{}
	for rows.Next() {
		var c catalog.Change
		var kind, typ string
		var at int64
		var fields sql.NullString
		if err := rows.Scan(&c.ID, &c.FQN, &kind, &c.ParentFQN, &c.ScanID, &at, &typ, &fields); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		c.Kind, c.Type, c.At = catalog.Kind(kind), catalog.ChangeType(typ), fromNanos(at)
		if fields.Valid {
			if err := json.Unmarshal([]byte(fields.String), &c.Fields); err != nil {
				return nil, fmt.Errorf("decode change %d: %w", c.ID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
