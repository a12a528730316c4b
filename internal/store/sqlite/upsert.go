package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// existing is what Upsert needs to know about a stored entity to classify a
// new sighting without loading the whole row.
type existing struct {
	id      int64
	hash    string
	deleted bool
}

// lookupChunk bounds the parameters of one IN (...) lookup.
const lookupChunk = 500

// Upsert implements catalog.ScanWriter.
func (s *Store) Upsert(ctx context.Context, scanID int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	return s.Write(ctx, scanID, catalog.ScanWrite{Batch: batch})
}

// Write implements catalog.ScanWriter: staging, publishing, Upsert's and
// MarkMissing's writes in one transaction.
func (s *Store) Write(ctx context.Context, scanID int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	stats := catalog.WriteStats{}
	if w.Empty() {
		return stats, nil
	}
	now := s.now().UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := stageTx(ctx, tx, scanID, w.Parts); err != nil {
			return err
		}
		if len(w.Publish) > 0 || len(w.Batch) > 0 {
			uw, err := newUpsertWriter(ctx, tx, scanID, now)
			if err != nil {
				return err
			}
			defer uw.close()
			if len(w.Publish) > 0 {
				if err := checkRunning(ctx, tx, scanID); err != nil {
					return err
				}
			}
			for _, owner := range w.Publish {
				if err := uw.publish(owner, stats); err != nil {
					return fmt.Errorf("publish the parts staged under %q: %w", owner, err)
				}
			}
			if len(w.Batch) > 0 {
				if err := uw.upsert(w.Batch, stats); err != nil {
					return fmt.Errorf("write %d entities: %w", len(w.Batch), err)
				}
			}
			if err := uw.flush(); err != nil {
				return err
			}
		}
		for _, l := range w.Completed {
			if err := markMissingTx(ctx, tx, scanID, now, l.ParentFQN, l.Kinds, stats); err != nil {
				return fmt.Errorf("mark entities missing under %q deleted: %w", l.ParentFQN, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stats, nil
}

// upsert writes batch, adding what it did to stats.
func (w *upsertWriter) upsert(batch []catalog.Entity, stats catalog.WriteStats) error {
	ctx, tx := w.ctx, w.tx
	for start := 0; start < len(batch); start += lookupChunk {
		chunk := batch[start:min(start+lookupChunk, len(batch))]
		found, err := lookup(ctx, tx, chunk)
		if err != nil {
			return err
		}
		var unchanged []int64
		for i := range chunk {
			e := &chunk[i]
			if err := e.Prepare(); err != nil {
				return err
			}
			enc, err := e.Encode()
			if err != nil {
				return fmt.Errorf("write entity %q: %w", e.FQN, err)
			}
			hash := enc.Hash
			old, ok := found[e.FQN]
			switch {
			case !ok:
				id, err := w.insert(e, enc)
				if err != nil {
					return err
				}
				// A batch may repeat an FQN; the second sighting must see the first.
				found[e.FQN] = existing{id: id, hash: hash}
				stats.Of(e.Kind).Added++
			case old.hash == hash && !old.deleted:
				unchanged = append(unchanged, old.id)
				stats.Of(e.Kind).Unchanged++
			default:
				if err := w.update(e, old, enc); err != nil {
					return err
				}
				found[e.FQN] = existing{id: old.id, hash: hash}
				stats.Of(e.Kind).Updated++
			}
		}
		if err := touch(ctx, tx, unchanged, w.scanID, fromNanos(w.now)); err != nil {
			return err
		}
	}
	return nil
}

func lookup(ctx context.Context, tx *sql.Tx, chunk []catalog.Entity) (map[string]existing, error) {
	args := make([]any, len(chunk))
	for i := range chunk {
		args[i] = chunk[i].FQN
	}
	q := `SELECT fqn, id, content_hash, deleted FROM entities WHERE fqn IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("look up entities: %w", err)
	}
	defer rows.Close()
	out := make(map[string]existing, len(chunk))
	for rows.Next() {
		var fqn string
		var ex existing
		if err := rows.Scan(&fqn, &ex.id, &ex.hash, &ex.deleted); err != nil {
			return nil, fmt.Errorf("look up entities: %w", err)
		}
		out[fqn] = ex
	}
	return out, rows.Err()
}

// touch records that unchanged entities were seen, in one statement.
func touch(ctx context.Context, tx *sql.Tx, ids []int64, scanID int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+2)
	args = append(args, nanos(now), scanID)
	for _, id := range ids {
		args = append(args, id)
	}
	q := `UPDATE entities SET last_seen = ?, last_scan_id = ? WHERE id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("mark %d unchanged entities seen: %w", len(ids), err)
	}
	return nil
}

// upsertWriter holds the statements one Upsert transaction reuses.
type upsertWriter struct {
	ctx                                      context.Context
	tx                                       *sql.Tx
	scanID                                   int64
	now                                      int64
	insertEntity, updateEntity, selectEntity *sql.Stmt
	changes                                  *rowBatch
	index                                    *indexWriter
}

func newUpsertWriter(ctx context.Context, tx *sql.Tx, scanID int64, now time.Time) (*upsertWriter, error) {
	w := &upsertWriter{ctx: ctx, tx: tx, scanID: scanID, now: nanos(now),
		changes: newRowBatch(tx, `INSERT INTO changes (fqn, kind, parent_fqn, service, scan_id, at, type, fields) VALUES`, 8)}
	var err error
	if w.index, err = newIndexWriter(ctx, tx, indexTables); err != nil {
		w.close()
		return nil, err
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.insertEntity, `INSERT INTO entities (fqn, kind, service, parent_fqn, name, description, attrs, source_created, source_updated, first_seen, last_seen, last_scan_id, deleted, content_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`},
		{&w.updateEntity, `UPDATE entities SET kind = ?, service = ?, parent_fqn = ?, name = ?, description = ?, attrs = ?, source_created = ?, source_updated = ?,
			last_seen = ?, last_scan_id = ?, deleted = 0, content_hash = ? WHERE id = ?`},
		{&w.selectEntity, `SELECT ` + entityColumns + ` FROM entities WHERE id = ?`},
	} {
		stmt, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = stmt
	}
	return w, nil
}

func (w *upsertWriter) close() {
	stmts := []*sql.Stmt{w.insertEntity, w.updateEntity, w.selectEntity}
	if w.index != nil {
		w.index.close()
	}
	w.changes.close()
	for _, s := range stmts {
		if s != nil {
			s.Close()
		}
	}
}

// flush writes the queued change records, then the index rows: last, so
// that no multi-row statement follows them (see indexWriter).
func (w *upsertWriter) flush() error {
	if err := w.changes.flush(w.ctx); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	if err := w.index.flush(w.ctx); err != nil {
		return fmt.Errorf("index entities: %w", err)
	}
	return nil
}

func (w *upsertWriter) insert(e *catalog.Entity, enc catalog.Encoded) (int64, error) {
	res, err := w.insertEntity.ExecContext(w.ctx, e.FQN, string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, enc.Attrs,
		nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated), w.now, w.now, w.scanID, enc.Hash)
	if err != nil {
		return 0, fmt.Errorf("insert entity %q: %w", e.FQN, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	w.index.add(indexedOf(id, e))
	return id, w.change(e, catalog.ChangeAdded, nil)
}

func (w *upsertWriter) update(e *catalog.Entity, old existing, enc catalog.Encoded) error {
	prev, err := scanEntity(w.selectEntity.QueryRowContext(w.ctx, old.id))
	if err != nil {
		return fmt.Errorf("read entity %q: %w", e.FQN, err)
	}
	if _, err := w.updateEntity.ExecContext(w.ctx, string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, enc.Attrs,
		nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated), w.now, w.scanID, enc.Hash, old.id); err != nil {
		return fmt.Errorf("update entity %q: %w", e.FQN, err)
	}
	// The kind may have changed, so clear the entity from every index
	// (and from the queue, when a batch repeats its FQN).
	if err := w.index.remove(w.ctx, old.id); err != nil {
		return fmt.Errorf("reindex entity %q: %w", e.FQN, err)
	}
	w.index.add(indexedOf(old.id, e))
	// Compare through JSON so numbers read back as float64 equal the
	// int64s a source emits.
	norm, err := normalize(e)
	if err != nil {
		return err
	}
	typ := catalog.ChangeUpdated
	if old.deleted {
		typ = catalog.ChangeRestored
	}
	return w.change(e, typ, catalog.Diff(&prev, &norm))
}

func (w *upsertWriter) change(e *catalog.Entity, typ catalog.ChangeType, fields []catalog.FieldChange) error {
	var f sql.NullString
	if len(fields) > 0 {
		b, err := json.Marshal(fields)
		if err != nil {
			return fmt.Errorf("encode changes of %q: %w", e.FQN, err)
		}
		f = sql.NullString{String: string(b), Valid: true}
	}
	if err := w.changes.add(w.ctx, e.FQN, string(e.Kind), e.ParentFQN, e.Service, w.scanID, w.now, string(typ), f); err != nil {
		return fmt.Errorf("record changes: %w", err)
	}
	return nil
}

// normalize round-trips attributes through JSON, as the store keeps them.
func normalize(e *catalog.Entity) (catalog.Entity, error) {
	n := *e
	if len(e.Attrs) == 0 {
		n.Attrs = nil
		return n, nil
	}
	b, err := json.Marshal(e.Attrs)
	if err != nil {
		return n, err
	}
	n.Attrs = nil
	return n, json.Unmarshal(b, &n.Attrs)
}

// searchTableOf is the word index of a kind.
func searchTableOf(k catalog.Kind) string {
	if k == catalog.KindColumn {
		return "column_search"
	}
	return "entity_search"
}
