package postgres

import (
	"context"
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
	args := []any{fqn}
	cond := serviceCond(t, "service", &args)
	return s.queryChanges(ctx, `SELECT `+changeColumns+` FROM changes WHERE fqn = $1`+and(cond)+` ORDER BY id DESC LIMIT `+arg(&args, catalog.ClampLimit(limit)), args...)
}

// Changes implements catalog.HistoryReader.
func (s *Store) Changes(ctx context.Context, q catalog.ChangesQuery) ([]catalog.Change, error) {
	return s.changes(ctx, catalog.AllProjects(), q)
}

func (s *Store) changes(ctx context.Context, t catalog.Tenant, q catalog.ChangesQuery) ([]catalog.Change, error) {
	var args []any
	since := int64(0)
	if !q.Since.IsZero() {
		since = nanos(q.Since)
	}
	where := []string{"at >= " + arg(&args, since)}
	if q.Service != "" {
		where = append(where, "service = "+arg(&args, q.Service))
	}
	if q.ParentFQN != "" {
		where = append(where, "parent_fqn = "+arg(&args, q.ParentFQN))
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind = ANY("+arg(&args, kindNames(q.Kinds))+")")
	}
	if cond := serviceCond(t, "service", &args); cond != "" {
		where = append(where, cond)
	}
	return s.queryChanges(ctx, `SELECT `+changeColumns+` FROM changes WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+arg(&args, catalog.ClampLimit(q.Limit)), args...)
}

func (s *Store) queryChanges(ctx context.Context, query string, args ...any) ([]catalog.Change, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := []catalog.Change{}
	for rows.Next() {
		var c catalog.Change
		var kind, typ string
		var at int64
		var fields *string
		if err := rows.Scan(&c.ID, &c.FQN, &kind, &c.ParentFQN, &c.ScanID, &at, &typ, &fields); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		c.Kind, c.Type, c.At = catalog.Kind(kind), catalog.ChangeType(typ), fromNanos(at)
		if fields != nil {
			if err := json.Unmarshal([]byte(*fields), &c.Fields); err != nil {
				return nil, fmt.Errorf("decode change %d: %w", c.ID, err)
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
