package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// sighting is what Upsert knows of one FQN while it walks a batch: the
// entity as stored (or as this batch will store it) and where its row goes.
type sighting struct {
	id      int64 // 0: new in this batch, inserted by COPY at the end
	hash    string
	deleted bool
	// cur is the entity as it reads back now, for the diff of the next
	// change; nil until needed (an unchanged stored entity).
	cur *catalog.Entity
	// insert indexes the new row in inserts; update says the stored row
	// is rewritten from updates[id].
	insert int
}

// Upsert implements catalog.ScanWriter: one lookup of the batch's FQNs,
// then COPY for new entities and change records, one pipelined batch of
// updates, and one statement marking the unchanged ones seen — a handful
// of round trips per batch, whatever its size.
func (s *Store) Upsert(ctx context.Context, scanID int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	return s.Write(ctx, scanID, catalog.ScanWrite{Batch: batch})
}

// Write implements catalog.ScanWriter: staging, publishing, Upsert's
// writes, then MarkMissing's statement for each completed listing, in one
// transaction.
func (s *Store) Write(ctx context.Context, scanID int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	stats := catalog.WriteStats{}
	if w.Empty() {
		return stats, nil
	}
	batch := w.Batch
	encoded := make([]catalog.Encoded, len(batch))
	fqns := make([]string, len(batch))
	for i := range batch {
		e := &batch[i]
		if err := e.Prepare(); err != nil {
			return nil, fmt.Errorf("write %d entities: %w", len(batch), err)
		}
		enc, err := e.Encode()
		if err != nil {
			return nil, fmt.Errorf("write %d entities: entity %q: %w", len(batch), e.FQN, err)
		}
		encoded[i], fqns[i] = enc, e.FQN
	}
	now := nanos(s.now())
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := stageTx(ctx, tx, scanID, w.Parts); err != nil {
			return tooLong(err, "stage parts")
		}
		if len(w.Publish) > 0 {
			if err := checkRunning(ctx, tx, scanID); err != nil {
				return err
			}
		}
		for _, owner := range w.Publish {
			if err := publish(ctx, tx, scanID, now, owner, stats); err != nil {
				return fmt.Errorf("publish the parts staged under %q: %w", owner, err)
			}
		}
		if len(batch) > 0 {
			if err := upsertTx(ctx, tx, scanID, now, batch, fqns, encoded, stats); err != nil {
				return tooLong(err, fmt.Sprintf("write %d entities", len(batch)))
			}
		}
		for _, l := range w.Completed {
			if err := markMissing(ctx, tx, scanID, now, l.ParentFQN, l.Kinds, stats); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.countWritten(scanID, stats)
	return stats, nil
}

// tooLong says what PostgreSQL's index row limit means to a user.
func tooLong(err error, doing string) error {
	if sqlState(err) == programLimit {
		return apperr.Wrap(apperr.Invalid, err, "%s: an FQN or name is too long for the PostgreSQL index", doing)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// upsertTx writes batch in tx, adding what it did to stats.
func upsertTx(ctx context.Context, tx pgx.Tx, scanID, now int64, batch []catalog.Entity, fqns []string, encoded []catalog.Encoded, stats catalog.WriteStats) error {
	found, err := lookup(ctx, tx, fqns, batch, encoded)
	if err != nil {
		return err
	}
	w := &upsertWrite{scanID: scanID, now: now, updates: map[int64]encodedEntity{}}
	for i := range batch {
		if err := w.see(encodedEntity{&batch[i], encoded[i]}, found, stats); err != nil {
			return err
		}
	}
	return w.write(ctx, tx)
}

// lookup finds the stored FQNs of the batch, reading whole rows only of
// those some sighting changes: their old state goes into history.
func lookup(ctx context.Context, tx pgx.Tx, fqns []string, batch []catalog.Entity, encoded []catalog.Encoded) (map[string]*sighting, error) {
	rows, err := tx.Query(ctx, `SELECT fqn, id, content_hash, deleted FROM entities WHERE fqn = ANY($1)`, fqns)
	if err != nil {
		return nil, fmt.Errorf("look up entities: %w", err)
	}
	found := make(map[string]*sighting, len(fqns))
	for rows.Next() {
		var fqn string
		var st sighting
		if err := rows.Scan(&fqn, &st.id, &st.hash, &st.deleted); err != nil {
			rows.Close()
			return nil, fmt.Errorf("look up entities: %w", err)
		}
		found[fqn] = &st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up entities: %w", err)
	}
	var changed []int64
	for i := range batch {
		if st, ok := found[batch[i].FQN]; ok && st.cur == nil && (st.deleted || st.hash != encoded[i].Hash) {
			st.cur = &catalog.Entity{} // marks it queued once
			changed = append(changed, st.id)
		}
	}
	if len(changed) == 0 {
		return found, nil
	}
	rows, err = tx.Query(ctx, `SELECT `+entityColumns+` FROM entities WHERE id = ANY($1)`, changed)
	if err != nil {
		return nil, fmt.Errorf("read changed entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return nil, fmt.Errorf("read changed entities: %w", err)
		}
		*found[e.FQN].cur = e
	}
	return found, rows.Err()
}

// encodedEntity is a batch entity with its encoding (catalog.Encode).
type encodedEntity struct {
	e   *catalog.Entity
	enc catalog.Encoded
}

// upsertWrite gathers one batch's writes.
type upsertWrite struct {
	scanID, now int64
	inserts     []encodedEntity
	updates     map[int64]encodedEntity
	updateOrder []int64
	unchanged   []int64
	changes     [][]any
}

// see classifies one sighting and queues what it writes.
func (w *upsertWrite) see(ee encodedEntity, found map[string]*sighting, stats catalog.WriteStats) error {
	e, hash := ee.e, ee.enc.Hash
	st, ok := found[e.FQN]
	switch {
	case !ok:
		found[e.FQN] = &sighting{hash: hash, insert: len(w.inserts)}
		w.inserts = append(w.inserts, ee)
		stats.Of(e.Kind).Added++
		return w.change(e, catalog.ChangeAdded, nil)
	case st.hash == hash && !st.deleted:
		if st.id != 0 && st.cur == nil {
			w.unchanged = append(w.unchanged, st.id)
		}
		stats.Of(e.Kind).Unchanged++
		return nil
	}
	// A change: of a stored entity, or of one this batch added or changed
	// already (a batch may repeat an FQN; the second sighting must see the
	// first).
	prev := st.cur
	if prev == nil { // added by this batch
		n, err := normalize(w.inserts[st.insert].e)
		if err != nil {
			return err
		}
		prev = &n
	}
	norm, err := normalize(e)
	if err != nil {
		return err
	}
	typ := catalog.ChangeUpdated
	if st.deleted {
		typ = catalog.ChangeRestored
	}
	if st.id == 0 {
		w.inserts[st.insert] = ee
	} else {
		if _, queued := w.updates[st.id]; !queued {
			w.updateOrder = append(w.updateOrder, st.id)
		}
		w.updates[st.id] = ee
		st.cur = &norm
	}
	st.hash, st.deleted = hash, false
	stats.Of(e.Kind).Updated++
	return w.change(e, typ, catalog.Diff(prev, &norm))
}

func (w *upsertWrite) change(e *catalog.Entity, typ catalog.ChangeType, fields []catalog.FieldChange) error {
	var f *string
	if len(fields) > 0 {
		b, err := json.Marshal(fields)
		if err != nil {
			return fmt.Errorf("encode changes of %q: %w", e.FQN, err)
		}
		s := string(b)
		f = &s
	}
	w.changes = append(w.changes, []any{e.FQN, string(e.Kind), e.ParentFQN, e.Service, w.scanID, w.now, string(typ), f})
	return nil
}

var insertColumns = []string{"fqn", "kind", "service", "parent_fqn", "name", "description", "attrs", "source_created", "source_updated",
	"first_seen", "last_seen", "last_scan_id", "deleted", "content_hash", "search", "inword_name", "inword_description"}

// write sends the batch's writes.
func (w *upsertWrite) write(ctx context.Context, tx pgx.Tx) error {
	if len(w.inserts) > 0 {
		rows := make([][]any, len(w.inserts))
		for i, ee := range w.inserts {
			e := ee.e
			inName, inDesc := inwordTexts(e)
			rows[i] = []any{e.FQN, string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, json.RawMessage(ee.enc.Attrs),
				nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated), w.now, w.now, w.scanID, false, ee.enc.Hash, searchVector(e), inName, inDesc}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"entities"}, insertColumns, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("insert %d entities: %w", len(rows), err)
		}
	}
	if len(w.updateOrder) > 0 {
		b := &pgx.Batch{}
		for _, id := range w.updateOrder {
			ee := w.updates[id]
			e := ee.e
			inName, inDesc := inwordTexts(e)
			b.Queue(`UPDATE entities SET kind = $1, service = $2, parent_fqn = $3, name = $4, description = $5, attrs = $6, source_created = $7,
				source_updated = $8, last_seen = $9, last_scan_id = $10, deleted = false, content_hash = $11, search = $12, inword_name = $13, inword_description = $14 WHERE id = $15`,
				string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, json.RawMessage(ee.enc.Attrs), nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated),
				w.now, w.scanID, ee.enc.Hash, searchVector(e), inName, inDesc, id)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("update %d entities: %w", len(w.updateOrder), err)
		}
	}
	if len(w.unchanged) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE entities SET last_seen = $1, last_scan_id = $2 WHERE id = ANY($3)`, w.now, w.scanID, w.unchanged); err != nil {
			return fmt.Errorf("mark %d unchanged entities seen: %w", len(w.unchanged), err)
		}
	}
	if len(w.changes) > 0 {
		cols := []string{"fqn", "kind", "parent_fqn", "service", "scan_id", "at", "type", "fields"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"changes"}, cols, pgx.CopyFromRows(w.changes)); err != nil {
			return fmt.Errorf("record changes: %w", err)
		}
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
		return n, fmt.Errorf("encode attributes of %q: %w", e.FQN, err)
	}
	n.Attrs = nil
	return n, json.Unmarshal(b, &n.Attrs)
}
