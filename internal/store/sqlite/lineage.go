package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// The lineage tables come from migration 0004_lineage.sql, their one
// definition; edge times are RFC 3339 text there.

var _ catalog.LineageStore = (*Store)(nil)

// ReplaceEdges implements catalog.LineageStore.
func (s *Store) ReplaceEdges(ctx context.Context, scanID int64, kind catalog.EdgeKind, origins []string, edges []catalog.Edge) error {
	if _, err := catalog.ParseEdgeKind(string(kind)); err != nil {
		return apperr.Wrap(apperr.Invalid, err, "replace lineage edges")
	}
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	for _, e := range edges {
		switch {
		case e.Kind != kind:
			return apperr.New(apperr.Invalid, "replace %s lineage edges: edge %s -> %s has kind %q", kind, e.From, e.To, e.Kind)
		case !allowed[e.Origin]:
			return apperr.New(apperr.Invalid, "replace %s lineage edges: edge %s -> %s has origin %q, not among the origins replaced", kind, e.From, e.To, e.Origin)
		case e.From == "" || e.To == "":
			return apperr.New(apperr.Invalid, "replace %s lineage edges: an edge of origin %q lacks an end", kind, e.Origin)
		}
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replace lineage edges: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	del, err := tx.PrepareContext(ctx, `DELETE FROM lineage_edges WHERE kind = ? AND origin = ?`)
	if err != nil {
		return fmt.Errorf("replace lineage edges: %w", err)
	}
	defer del.Close()
	for _, o := range origins {
		if _, err := del.ExecContext(ctx, string(kind), o); err != nil {
			return fmt.Errorf("clear %s lineage of %q: %w", kind, o, err)
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO lineage_edges (kind, origin, from_fqn, to_fqn, evidence, columns, service, scan_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, origin, from_fqn, to_fqn) DO UPDATE SET
			evidence = excluded.evidence, columns = excluded.columns, service = excluded.service,
			scan_id = excluded.scan_id, at = excluded.at`)
	if err != nil {
		return fmt.Errorf("replace lineage edges: %w", err)
	}
	defer ins.Close()
	now := s.now().UTC()
	for _, e := range edges {
		var cols any
		if len(e.Columns) > 0 {
			raw, err := json.Marshal(e.Columns)
			if err != nil {
				return fmt.Errorf("encode column lineage of %s -> %s: %w", e.From, e.To, err)
			}
			cols = string(raw)
		}
		at := e.At
		if at.IsZero() {
			at = now
		}
		if e.ScanID == 0 {
			e.ScanID = scanID
		}
		if _, err := ins.ExecContext(ctx, string(e.Kind), e.Origin, e.From, e.To, e.Evidence, cols, e.Service, e.ScanID, at.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("record lineage %s -> %s: %w", e.From, e.To, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace lineage edges: %w", err)
	}
	s.ckpt.nudge()
	return nil
}

// lineageInBatch bounds the FQNs of one IN list, below SQLite's variable limit.
const lineageInBatch = 500

// Edges implements catalog.LineageStore: a breadth-first walk, one query
// per ring and direction.
func (s *Store) Edges(ctx context.Context, fqn string, dir catalog.Direction, depth int) ([]catalog.Edge, error) {
	return s.edges(ctx, catalog.AllProjects(), fqn, dir, depth)
}

func (s *Store) edges(ctx context.Context, t catalog.Tenant, fqn string, dir catalog.Direction, depth int) ([]catalog.Edge, error) {
	if fqn == "" {
		return nil, apperr.New(apperr.Invalid, "lineage needs an FQN")
	}
	if dir == "" {
		dir = catalog.Both
	}
	if _, err := catalog.ParseDirection(string(dir)); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "lineage of %q", fqn)
	}
	switch {
	case depth <= 0:
		depth = catalog.DefaultLineageDepth
	case depth > catalog.MaxLineageDepth:
		depth = catalog.MaxLineageDepth
	}
	var out []catalog.Edge
	seenEdge := map[string]bool{}
	for _, d := range []catalog.Direction{catalog.Upstream, catalog.Downstream} {
		if dir != catalog.Both && dir != d {
			continue
		}
		visited := map[string]bool{fqn: true}
		frontier := []string{fqn}
		for hop := 1; hop <= depth && len(frontier) > 0; hop++ {
			ring, err := s.ring(ctx, t, frontier, d)
			if err != nil {
				return nil, err
			}
			var next []string
			for _, e := range ring {
				key := string(e.Kind) + "\x00" + e.Origin + "\x00" + e.From + "\x00" + e.To
				if seenEdge[key] {
					continue
				}
				seenEdge[key] = true
				e.Hop = hop
				out = append(out, e)
				far := e.From
				if d == catalog.Downstream {
					far = e.To
				}
				if !visited[far] {
					visited[far] = true
					next = append(next, far)
				}
			}
			frontier = next
		}
	}
	return out, nil
}

// ring returns the edges touching frontier on the given side. Within a
// tenant, an edge must have been recorded by one of its connections, and its
// ends and its evidence must lie under them: an edge into another project
// would name that project's entities.
func (s *Store) ring(ctx context.Context, t catalog.Tenant, frontier []string, d catalog.Direction) ([]catalog.Edge, error) {
	col := "to_fqn"
	if d == catalog.Downstream {
		col = "from_fqn"
	}
	sort.Strings(frontier)
	tenantWhere, tenantArgs := edgeCond(t)
	var out []catalog.Edge
	for start := 0; start < len(frontier); start += lineageInBatch {
		batch := frontier[start:min(start+lineageInBatch, len(frontier))]
		args := make([]any, len(batch), len(batch)+len(tenantArgs))
		for i, f := range batch {
			args[i] = f
		}
		args = append(args, tenantArgs...)
		q := `SELECT kind, origin, from_fqn, to_fqn, evidence, columns, service, scan_id, at FROM lineage_edges
			WHERE ` + col + ` IN (?` + strings.Repeat(",?", len(batch)-1) + `)` + tenantWhere + `
			ORDER BY from_fqn, to_fqn, kind, at DESC, origin`
		rows, err := s.read.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read lineage: %w", err)
		}
		for rows.Next() {
			var e catalog.Edge
			var kind, at string
			var cols sql.NullString
			if err := rows.Scan(&kind, &e.Origin, &e.From, &e.To, &e.Evidence, &cols, &e.Service, &e.ScanID, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read lineage: %w", err)
			}
			e.Kind = catalog.EdgeKind(kind)
			if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read lineage: bad time %q: %w", at, err)
			}
			if cols.Valid && cols.String != "" {
				if err := json.Unmarshal([]byte(cols.String), &e.Columns); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read lineage: bad column map: %w", err)
				}
			}
			out = append(out, e)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read lineage: %w", err)
		}
	}
	return out, nil
}

// edgeCond is the tenant's condition on lineage_edges, as " AND ..."
// clauses: "" for everything.
func edgeCond(t catalog.Tenant) (string, []any) {
	where, args := serviceCond(t, "service")
	where = and(where)
	for _, col := range []string{"from_fqn", "to_fqn", "origin"} {
		c, a := fqnCond(t, col)
		where, args = where+and(c), append(args, a...)
	}
	return where, args
}

// ReplaceLocations implements catalog.LineageStore.
func (s *Store) ReplaceLocations(ctx context.Context, service string, locs []catalog.Location) error {
	if service == "" {
		return apperr.New(apperr.Invalid, "replace lineage locations: empty service")
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replace locations of %q: %w", service, err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `DELETE FROM lineage_locations WHERE service = ?`, service); err != nil {
		return fmt.Errorf("replace locations of %q: %w", service, err)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO lineage_locations (fqn, kind, service, bucket, prefix) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (fqn) DO UPDATE SET kind = excluded.kind, service = excluded.service, bucket = excluded.bucket, prefix = excluded.prefix`)
	if err != nil {
		return fmt.Errorf("replace locations of %q: %w", service, err)
	}
	defer ins.Close()
	for _, l := range locs {
		if l.Service != service {
			return apperr.New(apperr.Invalid, "replace locations of %q: %s belongs to service %q", service, l.FQN, l.Service)
		}
		if _, err := ins.ExecContext(ctx, l.FQN, string(l.Kind), l.Service, l.Bucket, l.Prefix); err != nil {
			return fmt.Errorf("record location of %s: %w", l.FQN, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("replace locations of %q: %w", service, err)
	}
	s.ckpt.nudge()
	return nil
}

// LocationsInBucket implements catalog.LineageStore.
func (s *Store) LocationsInBucket(ctx context.Context, bucket string) ([]catalog.Location, error) {
	return s.locationsInBucket(ctx, catalog.AllProjects(), bucket)
}

func (s *Store) locationsInBucket(ctx context.Context, t catalog.Tenant, bucket string) ([]catalog.Location, error) {
	cond, args := serviceCond(t, "service")
	rows, err := s.read.QueryContext(ctx, `SELECT fqn, kind, service, bucket, prefix FROM lineage_locations WHERE bucket = ?`+and(cond)+` ORDER BY fqn`,
		append([]any{bucket}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read locations in bucket %q: %w", bucket, err)
	}
	defer rows.Close()
	var out []catalog.Location
	for rows.Next() {
		var l catalog.Location
		var kind string
		if err := rows.Scan(&l.FQN, &kind, &l.Service, &l.Bucket, &l.Prefix); err != nil {
			return nil, fmt.Errorf("read locations in bucket %q: %w", bucket, err)
		}
		l.Kind = catalog.Kind(kind)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read locations in bucket %q: %w", bucket, err)
	}
	return out, nil
}
