package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// The search indexes, all contentless (rowid = entities.id) and written by
// Upsert only, batched with the scan's other rows:
//   - entity_search and column_search: words of name, parent's name and
//     description, for searchable kinds (columns, fifty times more numerous
//     than anything else, apart);
//   - name_trigram and description_trigram: names, and the start of
//     non-empty descriptions, by trigrams, for words inside them;
//   - query_search: Athena query executions by id, workgroup and SQL.
//
// Each row carries its entity's tenant token (tenantToken, trigramToken),
// so a scoped search names its connections inside the MATCH.
var (
	wordTables  = []string{"entity_search", "column_search"}
	indexTables = []string{"entity_search", "column_search", "name_trigram", "description_trigram", "query_search"}
)

// indexColumns is each index's column list, rowid first.
var indexColumns = map[string][]string{
	"entity_search":       {"rowid", "name", "parent", "description", "tenant"},
	"column_search":       {"rowid", "name", "parent", "description", "tenant"},
	"name_trigram":        {"rowid", "name", "tenant"},
	"description_trigram": {"rowid", "description", "tenant"},
	"query_search":        {"rowid", "name", "parent", "description", "tenant"},
}

// indexed is what the search indexes hold of one entity.
type indexed struct {
	id                                 int64
	kind                               catalog.Kind
	service, parentFQN, name, descript string
	// workgroup and query of a query execution.
	workgroup, query string
}

func indexedOf(id int64, e *catalog.Entity) indexed {
	x := indexed{id: id, kind: e.Kind, service: e.Service, parentFQN: e.ParentFQN, name: e.Name, descript: e.Description}
	if e.Kind == catalog.KindQuery {
		x.workgroup, x.query = attrText(e.Attrs, "workgroup"), attrText(e.Attrs, "query")
	}
	return x
}

// rows calls add with each index row of x: its table and values in
// indexColumns order.
func (x indexed) rows(add func(table string, values ...any) error) error {
	if x.kind == catalog.KindQuery {
		return add("query_search", x.id, x.name, x.workgroup, x.query, tenantToken(x.service))
	}
	if spec, _ := catalog.Spec(x.kind); !spec.Searchable {
		return nil
	}
	if err := add(searchTableOf(x.kind), x.id, x.name, lastPart(x.parentFQN), x.descript, tenantToken(x.service)); err != nil {
		return err
	}
	if err := add("name_trigram", x.id, x.name, trigramToken(x.service)); err != nil {
		return err
	}
	if x.descript == "" {
		return nil
	}
	return add("description_trigram", x.id, rank.InWordDescription(x.descript), trigramToken(x.service))
}

// lastPart is the name of the entity at fqn ("" for none). Without quotes
// it follows the last dot; a scan's every row passes here, so the common
// case skips SplitFQN.
func lastPart(fqn string) string {
	if !strings.Contains(fqn, `"`) {
		return fqn[strings.LastIndexByte(fqn, '.')+1:]
	}
	if parts, err := catalog.SplitFQN(fqn); err == nil {
		return parts[len(parts)-1]
	}
	return ""
}

// attrText is an attribute as the query index holds it: strings as they
// are, anything else as JSON, a missing one as "".
func attrText(attrs map[string]any, key string) string {
	switch v := attrs[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// tenantToken is the word the word indexes hold in their tenant column for
// an entity of service svc (its connection). Two services may share a token
// (a 64-bit hash): the SQL tenant condition, kept beside the MATCH, is what
// decides; the token only narrows what the index returns.
func tenantToken(svc string) string {
	h := fnv.New64a()
	h.Write([]byte(svc))
	return fmt.Sprintf("t%016x", h.Sum64())
}

// trigramToken is the tenant token of the trigram index: three characters,
// one trigram per row rather than one per character of a longer token.
// 46,656 values; a shared one only widens what the index returns.
func trigramToken(svc string) string {
	h := fnv.New32a()
	h.Write([]byte(svc))
	s := strconv.FormatUint(uint64(h.Sum32()%(36*36*36)), 36)
	return strings.Repeat("0", 3-len(s)) + s
}

// indexWriter writes the index rows of one transaction. Rows wait in
// memory and go in at flush, after the transaction's other writes, one
// statement per row: a statement that writes several rows opens a
// statement savepoint, at which FTS5 writes its pending terms to disk, so
// multi-row inserts (or a trigger) amid index writes cut every index into
// tiny segments that the rest of the scan spends merging. Written last and
// row by row, each index gets one segment per megabyte of terms.
type indexWriter struct {
	tx *sql.Tx
	// tables are the indexes written: every one, or those a migration
	// rebuilds.
	tables         []string
	insert, delete map[string]*sql.Stmt
	pending        []indexed
	// queued maps the ids in pending to their place.
	queued map[int64]int
}

// newIndexWriter writes the indexes named in tables.
func newIndexWriter(ctx context.Context, tx *sql.Tx, tables []string) (*indexWriter, error) {
	w := &indexWriter{tx: tx, tables: tables, insert: map[string]*sql.Stmt{}, delete: map[string]*sql.Stmt{}, queued: map[int64]int{}}
	for _, table := range tables {
		cols := indexColumns[table]
		ins, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (?`+strings.Repeat(", ?", len(cols)-1)+`)`)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		w.insert[table] = ins
		del, err := tx.PrepareContext(ctx, `DELETE FROM `+table+` WHERE rowid = ?`)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		w.delete[table] = del
	}
	return w, nil
}

func (w *indexWriter) close() {
	for _, m := range []map[string]*sql.Stmt{w.insert, w.delete} {
		for _, s := range m {
			s.Close()
		}
	}
}

// add queues the index rows of x, replacing any queued for the same id.
func (w *indexWriter) add(x indexed) {
	if i, ok := w.queued[x.id]; ok {
		w.pending[i] = x
		return
	}
	w.queued[x.id] = len(w.pending)
	w.pending = append(w.pending, x)
}

// remove takes entity id out of every index: its written rows, and any
// still queued.
func (w *indexWriter) remove(ctx context.Context, id int64) error {
	if i, ok := w.queued[id]; ok {
		w.pending[i].id = 0 // entity ids start at 1
		delete(w.queued, id)
	}
	for _, table := range w.tables {
		if _, err := w.delete[table].ExecContext(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the queued rows.
func (w *indexWriter) flush(ctx context.Context) error {
	add := func(table string, values ...any) error {
		ins, ok := w.insert[table]
		if !ok {
			return nil // not rebuilt here
		}
		_, err := ins.ExecContext(ctx, values...)
		return err
	}
	for _, x := range w.pending {
		if x.id == 0 {
			continue
		}
		if err := x.rows(add); err != nil {
			return err
		}
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	clear(w.queued)
	return nil
}

// reindexSearch fills the indexes of migration 0010 from entities, as
// Upsert would have: 0010 rebuilds them with their tenant column.
func reindexSearch(ctx context.Context, tx *sql.Tx) error {
	return reindex(ctx, tx, []string{"entity_search", "column_search", "name_trigram", "query_search"})
}

// reindexDescriptions fills description_trigram from entities: migration
// 0011 adds it.
func reindexDescriptions(ctx context.Context, tx *sql.Tx) error {
	return reindex(ctx, tx, []string{"description_trigram"})
}

// reindex fills the indexes named in tables from entities.
func reindex(ctx context.Context, tx *sql.Tx, tables []string) error {
	w, err := newIndexWriter(ctx, tx, tables)
	if err != nil {
		return err
	}
	defer w.close()
	const page = 5000
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, service, parent_fqn, name, description,
				CASE WHEN kind = 'query_execution' THEN attrs ELSE '{}' END
			FROM entities WHERE id > ? ORDER BY id LIMIT ?`, after, page)
		if err != nil {
			return fmt.Errorf("reindex entities: %w", err)
		}
		n := 0
		for rows.Next() {
			var x indexed
			var kind, attrs string
			if err := rows.Scan(&x.id, &kind, &x.service, &x.parentFQN, &x.name, &x.descript, &attrs); err != nil {
				rows.Close()
				return fmt.Errorf("reindex entities: %w", err)
			}
			x.kind = catalog.Kind(kind)
			if x.kind == catalog.KindQuery {
				var a map[string]any
				_ = json.Unmarshal([]byte(attrs), &a) // a bad row indexes empty fields rather than failing the migration
				x.workgroup, x.query = attrText(a, "workgroup"), attrText(a, "query")
			}
			w.add(x)
			after = x.id
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reindex entities: %w", err)
		}
		if err := w.flush(ctx); err != nil {
			return fmt.Errorf("reindex entities: %w", err)
		}
		if n < page {
			return nil
		}
	}
}
