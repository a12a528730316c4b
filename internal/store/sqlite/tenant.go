package sqlite

import (
	"context"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Tenancy is enforced in SQL: every read takes a catalog.Tenant and its
// query carries the tenant's condition, so rows of other projects are never
// read, let alone returned. A project's data is that of its connections:
// connection names are unique, and entities, changes, scans and lineage
// carry theirs as service. The unscoped Store methods read as
// catalog.AllProjects, whose condition is none: their SQL is unchanged.

// Scoped implements catalog.Store.
func (s *Store) Scoped(t catalog.Tenant) catalog.Reader { return scoped{s: s, t: t} }

// unlimited reports whether t needs no condition at all.
func unlimited(t catalog.Tenant) bool { return t.All && len(t.Connections) == 0 }

// placeholders returns "?, ?, ..." for n values.
func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

// connectionCond is the condition on the connections table (aliased as
// alias) that keeps the tenant's connections: "" for everything. A tenant
// of no project keeps none ("0"), so the zero Tenant reads nothing.
func connectionCond(t catalog.Tenant, alias string) (string, []any) {
	if unlimited(t) {
		return "", nil
	}
	var conds []string
	var args []any
	if !t.All {
		var ids []any
		for _, id := range t.ProjectIDs {
			if id != "" { // "" marks an unbound connection: never a project
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return "0", nil
		}
		conds, args = append(conds, alias+".project_id IN ("+placeholders(len(ids))+")"), ids
	}
	if len(t.Connections) > 0 {
		conds = append(conds, alias+".name IN ("+placeholders(len(t.Connections))+")")
		for _, n := range t.Connections {
			args = append(args, n)
		}
	}
	return strings.Join(conds, " AND "), args
}

// serviceCond is the condition that keeps rows whose column col (a
// connection name: entities.service, scans.service...) is one of the
// tenant's connections: "" for everything. The subquery does not depend on
// the row, so SQLite evaluates it once per statement.
func serviceCond(t catalog.Tenant, col string) (string, []any) {
	cond, args := connectionCond(t, "tc")
	if cond == "" {
		return "", nil
	}
	return col + " IN (SELECT tc.name FROM connections tc WHERE " + cond + ")", args
}

// fqnCond is the condition that keeps rows whose column col is an FQN
// under one of the tenant's connections: the FQN's first part is the
// connection name, quoted as catalog.Child quotes it. Lineage needs it
// because an edge's ends need not be entities of the catalog.
func fqnCond(t catalog.Tenant, col string) (string, []any) {
	cond, args := connectionCond(t, "tf")
	if cond == "" {
		return "", nil
	}
	const part = `(CASE WHEN instr(tf.name, '.') > 0 OR instr(tf.name, '"') > 0 THEN '"' || replace(tf.name, '"', '""') || '"' ELSE tf.name END)`
	return "EXISTS (SELECT 1 FROM connections tf WHERE " + cond + " AND (" + col + " = " + part +
		" OR substr(" + col + ", 1, length(" + part + ") + 1) = " + part + " || '.'))", args
}

// projectCond is the condition that keeps the tenant's projects, by the
// project id column col: "" for everything.
func projectCond(t catalog.Tenant, col string) (string, []any) {
	if t.All {
		return "", nil
	}
	var ids []any
	for _, id := range t.ProjectIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "0", nil
	}
	return col + " IN (" + placeholders(len(ids)) + ")", ids
}

// and appends cond to a WHERE clause as " AND cond" ("" when cond is "").
func and(cond string) string {
	if cond == "" {
		return ""
	}
	return " AND " + cond
}

// scoped is a Store's read half limited to a tenant.
type scoped struct {
	s *Store
	t catalog.Tenant
}

var _ catalog.Reader = scoped{}

func (r scoped) Get(ctx context.Context, fqn string) (catalog.Entity, error) {
	return r.s.get(ctx, r.t, fqn)
}

func (r scoped) List(ctx context.Context, q catalog.ListQuery) (catalog.Page, error) {
	return r.s.list(ctx, r.t, q)
}

func (r scoped) Stats(ctx context.Context, service string) (map[catalog.Kind]int64, error) {
	return r.s.stats(ctx, r.t, service)
}

func (r scoped) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	return r.s.search(ctx, r.t, q)
}

func (r scoped) History(ctx context.Context, fqn string, limit int) ([]catalog.Change, error) {
	return r.s.history(ctx, r.t, fqn, limit)
}

func (r scoped) Changes(ctx context.Context, q catalog.ChangesQuery) ([]catalog.Change, error) {
	return r.s.changes(ctx, r.t, q)
}

func (r scoped) GetScan(ctx context.Context, id int64) (catalog.Scan, error) {
	return r.s.getScan(ctx, r.t, id)
}

func (r scoped) ListScans(ctx context.Context, service string, limit int) ([]catalog.Scan, error) {
	return r.s.listScans(ctx, r.t, service, limit)
}

func (r scoped) GetConnection(ctx context.Context, name string) (catalog.Connection, error) {
	return r.s.getConnection(ctx, r.t, name)
}

func (r scoped) ListConnections(ctx context.Context) ([]catalog.Connection, error) {
	return r.s.listConnections(ctx, r.t)
}

func (r scoped) GetProject(ctx context.Context, nameOrID string) (catalog.Project, error) {
	return r.s.getProject(ctx, r.t, nameOrID)
}

func (r scoped) ListProjects(ctx context.Context) ([]catalog.Project, error) {
	return r.s.listProjects(ctx, r.t)
}

func (r scoped) Edges(ctx context.Context, fqn string, dir catalog.Direction, depth int) ([]catalog.Edge, error) {
	return r.s.edges(ctx, r.t, fqn, dir, depth)
}

func (r scoped) LocationsInBucket(ctx context.Context, bucket string) ([]catalog.Location, error) {
	return r.s.locationsInBucket(ctx, r.t, bucket)
}
