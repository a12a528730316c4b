package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// ImportTable is one catalog table as `lakemap migrate` copies it: the
// columns the SQLite and PostgreSQL stores share, in the order rows give
// them, and how each is stored here.
type ImportTable struct {
	Name    string
	Columns []ImportColumn
	// Keyed says the table has a BIGINT identity id whose sequence must
	// move past the copied ids.
	Keyed bool
}

// ImportColumn is a column and how a SQLite value becomes a PostgreSQL one.
type ImportColumn struct {
	Name string
	Type ColumnType
}

// ColumnType is how an imported value is converted.
type ColumnType int

const (
	Plain ColumnType = iota // integers, text and blobs as they are
	Bool                    // SQLite's 0/1
	JSON                    // SQLite text holding JSON, into JSONB
	Bytes                   // a blob, into BYTEA (text too, as SQLite may hold it)
)

// ImportTables lists the tables `lakemap migrate` copies, parents before the
// rows that reference them. The entities' search vector and in-word texts
// are not copied: they are built here from each row, as a scan would build
// them.
func ImportTables() []ImportTable {
	col := func(names string, t ColumnType) []ImportColumn {
		var out []ImportColumn
		for _, n := range strings.Fields(names) {
			out = append(out, ImportColumn{n, t})
		}
		return out
	}
	cols := func(parts ...[]ImportColumn) []ImportColumn {
		var out []ImportColumn
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return []ImportTable{
		{Name: "projects", Columns: col("id name external_id created", Plain)},
		{Name: "users", Columns: cols(col("id username display_name password_hash", Plain), col("admin disabled", Bool), col("created", Plain))},
		{Name: "memberships", Columns: col("project_id user_id role created", Plain)},
		{Name: "sessions", Columns: col("hash user_id created expires last_seen", Plain)},
		{Name: "setup_codes", Columns: col("hash created expires used", Plain)},
		{Name: "api_tokens", Columns: cols(col("id project_id name hash scope connections", Plain), col("read_only", Bool),
			col("created created_by last_used revoked", Plain))},
		{Name: "mcp_tokens", Keyed: true, Columns: cols(col("id name hash connections", Plain), col("read_only", Bool), col("created revoked", Plain))},
		{Name: "connections", Columns: cols(col("name project_id source_type role_arn external_id region access_level endpoint_url", Plain),
			col("config secrets", Bytes), col("created updated", Plain), col("source_config", Bytes),
			col("secret_fields schedule_cron schedule_interval", Plain))},
		{Name: "scans", Keyed: true, Columns: col("id service source_type status started finished stats errors warnings", Plain)},
		{Name: "entities", Keyed: true, Columns: cols(col("id fqn kind service parent_fqn name description", Plain), col("attrs", JSON),
			col("source_created source_updated first_seen last_seen last_scan_id", Plain), col("deleted", Bool), col("content_hash", Plain))},
		{Name: "changes", Keyed: true, Columns: col("id fqn kind parent_fqn service scan_id at type fields", Plain)},
		{Name: "lineage_edges", Columns: col("kind origin from_fqn to_fqn evidence columns service scan_id at", Plain)},
		{Name: "lineage_locations", Columns: col("fqn kind service bucket prefix", Plain)},
	}
}

// Import writes rows into table t, skipping any row whose key (or any
// unique value) is there already, so that an import interrupted part way
// can be run again. It returns how many rows it added.
func (s *Store) Import(ctx context.Context, t ImportTable, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	names := make([]string, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	entities := t.Name == "entities"
	if entities {
		names = append(names, "search", "inword_name", "inword_description")
	}
	width := len(names)
	// PostgreSQL takes at most 65,535 parameters a statement.
	per := min(1000, 65535/width)
	var added int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for start := 0; start < len(rows); start += per {
			chunk := rows[start:min(start+per, len(rows))]
			args := make([]any, 0, len(chunk)*width)
			var q strings.Builder
			fmt.Fprintf(&q, "INSERT INTO %s (%s) VALUES ", t.Name, strings.Join(names, ", "))
			for i, row := range chunk {
				if len(row) != len(t.Columns) {
					return fmt.Errorf("%s: row has %d values for %d columns", t.Name, len(row), len(t.Columns))
				}
				vals, err := importValues(t, row, entities)
				if err != nil {
					return fmt.Errorf("%s: %w", t.Name, err)
				}
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteByte('(')
				for j, v := range vals {
					if j > 0 {
						q.WriteString(", ")
					}
					args = append(args, v)
					q.WriteString("$" + strconv.Itoa(len(args)))
				}
				q.WriteByte(')')
			}
			q.WriteString(" ON CONFLICT DO NOTHING")
			tag, err := tx.Exec(ctx, q.String(), args...)
			if err != nil {
				return fmt.Errorf("copy %d rows into %s: %w", len(chunk), t.Name, err)
			}
			added += tag.RowsAffected()
		}
		return nil
	})
	return added, err
}

// importValues converts one SQLite row, adding the search vector and the
// in-word texts of an entity.
func importValues(t ImportTable, row []any, entity bool) ([]any, error) {
	out := make([]any, len(row), len(row)+3)
	for i, c := range t.Columns {
		v := row[i]
		switch c.Type {
		case Bool:
			n, ok := v.(int64)
			if !ok {
				return nil, fmt.Errorf("column %s: %T is not 0 or 1", c.Name, v)
			}
			v = n != 0
		case Bytes:
			if x, ok := v.(string); ok {
				v = []byte(x)
			}
		case JSON:
			switch x := v.(type) {
			case string:
				v = json.RawMessage(x)
			case []byte:
				v = json.RawMessage(x)
			case nil:
				v = json.RawMessage("{}")
			default:
				return nil, fmt.Errorf("column %s: %T is not JSON text", c.Name, v)
			}
		}
		out[i] = v
	}
	if !entity {
		return out, nil
	}
	e, err := importedEntity(t, row)
	if err != nil {
		return nil, err
	}
	name, desc := inwordTexts(&e)
	return append(out, searchVector(&e), name, desc), nil
}

// importedEntity reads back what the search vector needs from an entities
// row.
func importedEntity(t ImportTable, row []any) (catalog.Entity, error) {
	var e catalog.Entity
	var attrs string
	for i, c := range t.Columns {
		s, _ := row[i].(string)
		switch c.Name {
		case "fqn":
			e.FQN = s
		case "kind":
			e.Kind = catalog.Kind(s)
		case "parent_fqn":
			e.ParentFQN = s
		case "name":
			e.Name = s
		case "description":
			e.Description = s
		case "attrs":
			attrs = s
		}
	}
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &e.Attrs); err != nil {
			return e, fmt.Errorf("entity %q: attributes are not JSON: %w", e.FQN, err)
		}
	}
	return e, nil
}

// ImportDone moves the identity sequences of keyed tables past the copied
// ids, so the next scan, change or token gets a fresh id.
func (s *Store) ImportDone(ctx context.Context) error {
	for _, t := range ImportTables() {
		if !t.Keyed {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), max(id)) FROM %[1]s HAVING max(id) IS NOT NULL`, t.Name)
		if _, err := s.pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("move the id sequence of %s past the copied rows: %w", t.Name, err)
		}
	}
	return nil
}

// Count returns how many rows table holds (one of ImportTables).
func (s *Store) Count(ctx context.Context, table string) (int64, error) {
	known := false
	for _, t := range ImportTables() {
		known = known || t.Name == table
	}
	if !known {
		return 0, fmt.Errorf("count rows: %q is not a catalog table", table)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", table, err)
	}
	return n, nil
}

// BeginImport records that a copy of the catalog named origin (from, for
// messages) starts or resumes. The target must be empty or hold an earlier
// copy of the same catalog: resumed says which.
func (s *Store) BeginImport(ctx context.Context, origin, from string) (resumed bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS catalog_imports (
    origin   TEXT   PRIMARY KEY,
    source   TEXT   NOT NULL,
    started  BIGINT NOT NULL,
    finished BIGINT
)`); err != nil {
			return fmt.Errorf("create the import record: %w", err)
		}
		// One import at a time: a second copy waits here for the first.
		if _, err := tx.Exec(ctx, `LOCK TABLE catalog_imports IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock the import record: %w", err)
		}
		var other, otherSource string
		err := tx.QueryRow(ctx, `SELECT origin, source FROM catalog_imports ORDER BY started LIMIT 1`).Scan(&other, &otherSource)
		switch {
		case err == nil && other == origin:
			resumed = true
			return nil
		case err == nil:
			return apperr.New(apperr.Conflict, "this PostgreSQL database already holds a copy of another catalog (%s): copy into an empty database", otherSource)
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("read the import record: %w", err)
		}
		for _, t := range []string{"projects", "users", "connections", "scans", "entities"} {
			var has bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&has); err != nil {
				return fmt.Errorf("check that the database is empty: %w", err)
			}
			if has {
				return apperr.New(apperr.Conflict, "this PostgreSQL database already holds a catalog (its %s table has rows) that was not copied from %s: copy into an empty database", t, from)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO catalog_imports (origin, source, started) VALUES ($1, $2, $3)`, origin, from, nanos(s.now()))
		if err != nil {
			return fmt.Errorf("record the import: %w", err)
		}
		return nil
	})
	return resumed, err
}

// FinishImport records that the copy of origin is complete and verified.
func (s *Store) FinishImport(ctx context.Context, origin string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE catalog_imports SET finished = $1 WHERE origin = $2`, nanos(s.now()), origin); err != nil {
		return fmt.Errorf("record the finished import: %w", err)
	}
	return nil
}
