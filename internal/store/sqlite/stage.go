package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Staged parts (catalog.ScanWrite) wait in staged_entities, keyed by scan,
// owner and FQN, until their owner's write publishes them: a handful of
// set-based statements move them into entities with the history an Upsert
// of them would record. Only the updated ones pass through Go, for the
// field-by-field diff of their history.

// stageTx writes parts into staged_entities, a later sighting of an FQN
// under the same owner replacing an earlier one.
func stageTx(ctx context.Context, tx *sql.Tx, scanID int64, parts []catalog.Parts) error {
	if len(parts) == 0 {
		return nil
	}
	b := newRowBatch(tx, `INSERT INTO staged_entities (scan_id, owner_fqn, fqn, kind, service, parent_fqn, name, description, attrs,
		source_created, source_updated, content_hash) VALUES`, 12)
	b.suffix = `ON CONFLICT (scan_id, owner_fqn, fqn) DO UPDATE SET kind = excluded.kind, service = excluded.service,
		parent_fqn = excluded.parent_fqn, name = excluded.name, description = excluded.description, attrs = excluded.attrs,
		source_created = excluded.source_created, source_updated = excluded.source_updated, content_hash = excluded.content_hash`
	defer b.close()
	n := 0
	for _, p := range parts {
		for i := range p.Entities {
			e := &p.Entities[i]
			if err := e.Prepare(); err != nil {
				return fmt.Errorf("stage parts of %q: %w", p.Owner, err)
			}
			enc, err := e.Encode()
			if err != nil {
				return fmt.Errorf("stage entity %q: %w", e.FQN, err)
			}
			if err := b.add(ctx, scanID, p.Owner, e.FQN, string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, enc.Attrs,
				nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated), enc.Hash); err != nil {
				return fmt.Errorf("stage parts of %q: %w", p.Owner, err)
			}
			n++
		}
	}
	if err := b.flush(ctx); err != nil {
		return fmt.Errorf("stage %d parts: %w", n, err)
	}
	return nil
}

// checkRunning refuses to publish for a scan no longer recorded running:
// its staged rows may have been discarded, and publishing what is left
// would let its completed listings delete what was never staged.
func checkRunning(ctx context.Context, tx *sql.Tx, scanID int64) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM scans WHERE id = ?`, scanID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no scan %d", scanID)
	}
	if err != nil {
		return fmt.Errorf("read scan %d: %w", scanID, err)
	}
	if catalog.ScanStatus(status) != catalog.ScanRunning {
		return apperr.New(apperr.Invalid, "scan %d is recorded %s: what it staged was discarded", scanID, status)
	}
	return nil
}

// differs holds for a staged row s whose stored entity e it changes.
const differs = `(e.deleted <> 0 OR e.content_hash <> s.content_hash)`

// publishPage bounds the staged rows one round of publish's statements
// moves. A bucket's inventory is hundreds of thousands of rows; moved by
// one statement each, SQLite held every page they touched in the
// statement's journal and sorters at once (300 MB at 200k objects), where
// a page at a time holds one page's.
const publishPage = 5000

// stagedRange is one page of an owner's staged rows: FQNs after after and
// up to upTo ("": to the last).
type stagedRange struct {
	scanID             int64
	owner, after, upTo string
}

// where selects the range's rows, aliased s; args follow in its order.
func (r stagedRange) where() string {
	if r.upTo == "" {
		return `s.scan_id = ? AND s.owner_fqn = ? AND s.fqn > ?`
	}
	return `s.scan_id = ? AND s.owner_fqn = ? AND s.fqn > ? AND s.fqn <= ?`
}

func (r stagedRange) args(before ...any) []any {
	args := append(before, r.scanID, r.owner, r.after)
	if r.upTo != "" {
		args = append(args, r.upTo)
	}
	return args
}

// publish moves the parts staged under owner into entities, a page at a
// time in FQN order, adding what it did to stats.
func (w *upsertWriter) publish(owner string, stats catalog.WriteStats) error {
	for r := (stagedRange{scanID: w.scanID, owner: owner}); ; r.after = r.upTo {
		err := w.tx.QueryRowContext(w.ctx, `SELECT fqn FROM staged_entities WHERE scan_id = ? AND owner_fqn = ? AND fqn > ?
			ORDER BY fqn LIMIT 1 OFFSET ?`, w.scanID, owner, r.after, publishPage-1).Scan(&r.upTo)
		last := errors.Is(err, sql.ErrNoRows)
		if last {
			r.upTo = ""
		} else if err != nil {
			return fmt.Errorf("page staged parts: %w", err)
		}
		if err := w.publishRange(r, stats); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

// publishRange moves one page of staged rows.
func (w *upsertWriter) publishRange(r stagedRange, stats catalog.WriteStats) error {
	ctx, tx := w.ctx, w.tx
	// What each row is, decided now against the catalog as it is.
	fresh, err := w.unknownRange(r)
	if err != nil {
		return err
	}
	classify := `SELECT s.kind, e.id IS NULL, coalesce(` + differs + `, 0), count(*)
		FROM staged_entities s LEFT JOIN entities e ON e.fqn = s.fqn WHERE ` + r.where() + ` GROUP BY 1, 2, 3`
	if fresh {
		classify = `SELECT s.kind, 1, 0, count(*) FROM staged_entities s WHERE ` + r.where() + ` GROUP BY 1`
	}
	rows, err := tx.QueryContext(ctx, classify, r.args()...)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	var total catalog.Counts
	indexAdded := false
	for rows.Next() {
		var kind string
		var isNew, isChanged bool
		var n int64
		if err := rows.Scan(&kind, &isNew, &isChanged, &n); err != nil {
			rows.Close()
			return fmt.Errorf("classify: %w", err)
		}
		stats.Tally(catalog.Kind(kind), isNew, isChanged, n, &total)
		if isNew {
			indexAdded = indexAdded || indexedKind(catalog.Kind(kind))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	if total.Added+total.Updated+total.Unchanged == 0 {
		return nil
	}
	if total.Updated > 0 {
		if err := w.publishChanged(r); err != nil {
			return err
		}
	}
	if total.Added > 0 {
		if err := w.publishAdded(r, indexAdded, total.Updated+total.Unchanged == 0); err != nil {
			return err
		}
	}
	if total.Unchanged > 0 {
		// Whatever this scan has not written yet is unchanged now.
		if _, err := tx.ExecContext(ctx, `UPDATE entities SET last_seen = ?, last_scan_id = ?
			WHERE fqn IN (SELECT s.fqn FROM staged_entities s WHERE `+r.where()+`) AND last_scan_id <> ?`,
			append(r.args(w.now, w.scanID), w.scanID)...); err != nil {
			return fmt.Errorf("mark %d unchanged entities seen: %w", total.Unchanged, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM staged_entities AS s WHERE `+r.where(), r.args()...); err != nil {
		return fmt.Errorf("unstage: %w", err)
	}
	return nil
}

// unknownRange says the catalog holds no entity, live or deleted, whose
// FQN sorts between the first and the last of the range's: all its rows
// are new, as in a first scan or a new table. One probe of the fqn index
// then spares a lookup per row, a sixth of publishing a Glue scan's
// partitions.
func (w *upsertWriter) unknownRange(r stagedRange) (bool, error) {
	var fresh bool
	if err := w.tx.QueryRowContext(w.ctx, unknownRangeSQL(r), append(r.args(), r.args()...)...).Scan(&fresh); err != nil {
		return false, fmt.Errorf("look up staged parts' range: %w", err)
	}
	return fresh, nil
}

// unknownRangeSQL is unknownRange's query; its arguments are r.args()
// twice.
func unknownRangeSQL(r stagedRange) string {
	return `SELECT NOT EXISTS (SELECT 1 FROM entities WHERE fqn BETWEEN
		(SELECT s.fqn FROM staged_entities s WHERE ` + r.where() + ` ORDER BY s.fqn LIMIT 1)
		AND (SELECT s.fqn FROM staged_entities s WHERE ` + r.where() + ` ORDER BY s.fqn DESC LIMIT 1))`
}

// publishChanged records the history of the staged rows that change their
// stored entity, a page at a time, then rewrites those entities in one
// statement.
func (w *upsertWriter) publishChanged(r stagedRange) error {
	ctx, tx := w.ctx, w.tx
	const page = 500
	old := "e." + strings.ReplaceAll(entityColumns, ", ", ", e.")
	type change struct {
		id        int64
		prev, cur catalog.Entity
	}
	for rest := r; ; {
		rows, err := tx.QueryContext(ctx, `SELECT `+old+`, e.id, s.kind, s.service, s.parent_fqn, s.name, s.description, s.attrs, s.source_created, s.source_updated
			FROM staged_entities s JOIN entities e ON e.fqn = s.fqn
			WHERE `+rest.where()+` AND `+differs+` ORDER BY s.fqn LIMIT ?`, append(rest.args(), page)...)
		if err != nil {
			return fmt.Errorf("read changed entities: %w", err)
		}
		var list []change
		for rows.Next() {
			var c change
			var kind, attrs string
			var created, updated sql.NullInt64
			c.prev, err = scanEntity(withMore{rows, []any{&c.id, &kind, &c.cur.Service, &c.cur.ParentFQN, &c.cur.Name, &c.cur.Description, &attrs, &created, &updated}})
			if err != nil {
				rows.Close()
				return fmt.Errorf("read changed entities: %w", err)
			}
			c.cur.FQN, c.cur.Kind = c.prev.FQN, catalog.Kind(kind)
			c.cur.SourceCreated, c.cur.SourceUpdated = fromNullNanos(created), fromNullNanos(updated)
			if attrs != "{}" {
				if err := json.Unmarshal([]byte(attrs), &c.cur.Attrs); err != nil {
					rows.Close()
					return fmt.Errorf("decode staged attributes of %q: %w", c.cur.FQN, err)
				}
			}
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read changed entities: %w", err)
		}
		for i := range list {
			c := &list[i]
			typ := catalog.ChangeUpdated
			if c.prev.Deleted {
				typ = catalog.ChangeRestored
			}
			if err := w.change(&c.cur, typ, catalog.Diff(&c.prev, &c.cur)); err != nil {
				return err
			}
			if indexedKind(c.prev.Kind) || indexedKind(c.cur.Kind) {
				if err := w.index.remove(ctx, c.id); err != nil {
					return fmt.Errorf("reindex entity %q: %w", c.cur.FQN, err)
				}
				w.index.add(indexedOf(c.id, &c.cur))
			}
		}
		if len(list) < page {
			break
		}
		rest.after = list[len(list)-1].cur.FQN
	}
	_, err := tx.ExecContext(ctx, `UPDATE entities AS e SET kind = s.kind, service = s.service, parent_fqn = s.parent_fqn, name = s.name,
			description = s.description, attrs = s.attrs, source_created = s.source_created, source_updated = s.source_updated,
			last_seen = ?, last_scan_id = ?, deleted = 0, content_hash = s.content_hash
		FROM staged_entities s WHERE `+r.where()+` AND s.fqn = e.fqn AND `+differs, r.args(w.now, w.scanID)...)
	if err != nil {
		return fmt.Errorf("update changed entities: %w", err)
	}
	return nil
}

// publishAdded inserts the staged rows new to the catalog and their
// history, in FQN order (the order of the fqn index); index says some are
// of kinds the search indexes hold, which are then read back for them.
// allNew says the classification found every row of the range new, as in
// a first scan: the statements then skip looking each one up again.
func (w *upsertWriter) publishAdded(r stagedRange, index, allNew bool) error {
	ctx, tx := w.ctx, w.tx
	isNew := ` AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.fqn = s.fqn)`
	if allNew {
		isNew = ""
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (fqn, kind, parent_fqn, service, scan_id, at, type)
		SELECT s.fqn, s.kind, s.parent_fqn, s.service, ?, ?, ? FROM staged_entities s WHERE `+r.where()+isNew+` ORDER BY s.fqn`,
		r.args(w.scanID, w.now, string(catalog.ChangeAdded))...); err != nil {
		return fmt.Errorf("record added entities: %w", err)
	}
	insert := `INSERT INTO entities (fqn, kind, service, parent_fqn, name, description, attrs, source_created, source_updated,
			first_seen, last_seen, last_scan_id, deleted, content_hash)
		SELECT s.fqn, s.kind, s.service, s.parent_fqn, s.name, s.description, s.attrs, s.source_created, s.source_updated, ?, ?, ?, 0, s.content_hash
		FROM staged_entities s WHERE ` + r.where() + isNew + ` ORDER BY s.fqn`
	args := r.args(w.now, w.now, w.scanID)
	if !index {
		if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
			return fmt.Errorf("insert added entities: %w", err)
		}
		return nil
	}
	rows, err := tx.QueryContext(ctx, insert+` RETURNING id, kind, service, parent_fqn, name, description, attrs`, args...)
	if err != nil {
		return fmt.Errorf("insert added entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e catalog.Entity
		var id int64
		var kind, attrs string
		if err := rows.Scan(&id, &kind, &e.Service, &e.ParentFQN, &e.Name, &e.Description, &attrs); err != nil {
			return fmt.Errorf("insert added entities: %w", err)
		}
		e.Kind = catalog.Kind(kind)
		if e.Kind == catalog.KindQuery {
			_ = json.Unmarshal([]byte(attrs), &e.Attrs) // the store wrote it: valid
		}
		w.index.add(indexedOf(id, &e))
	}
	return rows.Err()
}

// indexedKind says the search indexes hold entities of kind k.
func indexedKind(k catalog.Kind) bool {
	spec, _ := catalog.Spec(k)
	return spec.Searchable || k == catalog.KindQuery
}

// withMore scans the columns scanEntity reads and then more.
type withMore struct {
	r    rowScanner
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.r.Scan(append(dest, w.more...)...) }

// discardStaged deletes what scans no longer running staged: the scans
// selected by cond (on the scans table), with args.
func discardStaged(ctx context.Context, tx *sql.Tx, cond string, args ...any) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM staged_entities WHERE scan_id IN (SELECT id FROM scans WHERE `+cond+`)`, args...); err != nil {
		return fmt.Errorf("discard staged parts: %w", err)
	}
	return nil
}
