package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const entityColumns = `fqn, kind, service, parent_fqn, name, description, attrs, source_created, source_updated, first_seen, last_seen, last_scan_id, deleted`

type rowScanner interface{ Scan(dest ...any) error }

func scanEntity(r rowScanner) (catalog.Entity, error) {
	var e catalog.Entity
	var kind, attrs string
	var created, updated sql.NullInt64
	var first, last int64
	err := r.Scan(&e.FQN, &kind, &e.Service, &e.ParentFQN, &e.Name, &e.Description, &attrs, &created, &updated, &first, &last, &e.LastScanID, &e.Deleted)
	if err != nil {
		return e, err
	}
	e.Kind = catalog.Kind(kind)
	e.SourceCreated, e.SourceUpdated = fromNullNanos(created), fromNullNanos(updated)
	e.FirstSeen, e.LastSeen = fromNanos(first), fromNanos(last)
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &e.Attrs); err != nil {
			return e, fmt.Errorf("decode attributes of %q: %w", e.FQN, err)
		}
	}
	return e, nil
}

// Get implements catalog.EntityReader.
func (s *Store) Get(ctx context.Context, fqn string) (catalog.Entity, error) {
	return s.get(ctx, catalog.AllProjects(), fqn)
}

func (s *Store) get(ctx context.Context, t catalog.Tenant, fqn string) (catalog.Entity, error) {
	cond, args := serviceCond(t, "service")
	e, err := scanEntity(s.stmts.queryRow(ctx, `SELECT `+entityColumns+` FROM entities WHERE fqn = ?`+and(cond), append([]any{fqn}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.New(apperr.NotFound, "no entity %q in the catalog", fqn)
	}
	if err != nil {
		return e, fmt.Errorf("read entity %q: %w", fqn, err)
	}
	return e, nil
}

// List implements catalog.EntityReader.
func (s *Store) List(ctx context.Context, q catalog.ListQuery) (catalog.Page, error) {
	return s.list(ctx, catalog.AllProjects(), q)
}

func (s *Store) list(ctx context.Context, t catalog.Tenant, q catalog.ListQuery) (catalog.Page, error) {
	limit := catalog.ClampLimit(q.Limit)
	var where []string
	var args []any
	if q.ParentFQN != "" || q.Service == "" {
		where, args = append(where, "parent_fqn = ?"), append(args, q.ParentFQN)
	}
	if q.Service != "" {
		where, args = append(where, "service = ?"), append(args, q.Service)
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN (?"+strings.Repeat(",?", len(q.Kinds)-1)+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if !q.IncludeDeleted {
		where = append(where, "deleted = 0")
	}
	if q.After != "" {
		where, args = append(where, "fqn > ?"), append(args, q.After)
	}
	if cond, condArgs := serviceCond(t, "service"); cond != "" {
		where, args = append(where, cond), append(args, condArgs...)
	}
	// The limit is in the text: a bound LIMIT is planned again each call.
	rows, err := s.stmts.query(ctx, `SELECT `+entityColumns+` FROM entities WHERE `+strings.Join(where, " AND ")+` ORDER BY fqn LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return catalog.Page{}, fmt.Errorf("list entities: %w", err)
	}
	defer rows.Close()
	page := catalog.Page{Entities: []catalog.Entity{}}
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return catalog.Page{}, fmt.Errorf("list entities: %w", err)
		}
		page.Entities = append(page.Entities, e)
	}
	if err := rows.Err(); err != nil {
		return catalog.Page{}, fmt.Errorf("list entities: %w", err)
	}
	if len(page.Entities) > limit {
		page.Entities = page.Entities[:limit]
		page.Next = page.Entities[limit-1].FQN
	}
	return page, nil
}

// Stats implements catalog.EntityReader.
func (s *Store) Stats(ctx context.Context, service string) (map[catalog.Kind]int64, error) {
	return s.stats(ctx, catalog.AllProjects(), service)
}

func (s *Store) stats(ctx context.Context, t catalog.Tenant, service string) (map[catalog.Kind]int64, error) {
	where, args := "deleted = 0", []any{}
	if service != "" {
		where, args = where+" AND service = ?", append(args, service)
	}
	cond, condArgs := serviceCond(t, "service")
	rows, err := s.read.QueryContext(ctx, `SELECT kind, count(*) FROM entities WHERE `+where+and(cond)+` GROUP BY kind`, append(args, condArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("count entities: %w", err)
	}
	defer rows.Close()
	out := map[catalog.Kind]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("count entities: %w", err)
		}
		out[catalog.Kind(k)] = n
	}
	return out, rows.Err()
}
