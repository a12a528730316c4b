package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Staged parts (catalog.ScanWrite) wait in staged_entities, keyed by scan,
// owner and FQN, until their owner's write publishes them: a handful of
// set-based statements move them into entities with the history an Upsert
// of them would record. Only the updated ones pass through Go, for the
// field-by-field diff of their history.

var stagedColumns = []string{"scan_id", "owner_fqn", "fqn", "kind", "service", "parent_fqn", "name", "description", "attrs",
	"source_created", "source_updated", "content_hash", "search", "inword_name", "inword_description"}

// stageTx writes parts into staged_entities by COPY, a later sighting of an
// FQN under the same owner replacing an earlier one.
func stageTx(ctx context.Context, tx pgx.Tx, scanID int64, parts []catalog.Parts) error {
	if len(parts) == 0 {
		return nil
	}
	type key struct{ owner, fqn string }
	at := map[key]int{}
	var rows [][]any
	for _, p := range parts {
		for i := range p.Entities {
			e := &p.Entities[i]
			if err := e.Prepare(); err != nil {
				return fmt.Errorf("parts of %q: %w", p.Owner, err)
			}
			enc, err := e.Encode()
			if err != nil {
				return fmt.Errorf("entity %q: %w", e.FQN, err)
			}
			inName, inDesc := inwordTexts(e)
			row := []any{scanID, p.Owner, e.FQN, string(e.Kind), e.Service, e.ParentFQN, e.Name, e.Description, json.RawMessage(enc.Attrs),
				nullNanos(e.SourceCreated), nullNanos(e.SourceUpdated), enc.Hash, searchVector(e), inName, inDesc}
			k := key{p.Owner, e.FQN}
			if j, ok := at[k]; ok {
				rows[j] = row // COPY takes one row per key
				continue
			}
			at[k] = len(rows)
			rows = append(rows, row)
		}
	}
	// An FQN staged by an earlier write of the scan is rare: COPY is tried
	// first, in a savepoint, and only a duplicate key makes the earlier
	// rows go first.
	copyRows := func() error {
		sp, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := sp.CopyFrom(ctx, pgx.Identifier{"staged_entities"}, stagedColumns, pgx.CopyFromRows(rows)); err != nil {
			_ = sp.Rollback(ctx)
			return err
		}
		return sp.Commit(ctx)
	}
	err := copyRows()
	if isUnique(err) {
		owners, fqns := make([]string, len(rows)), make([]string, len(rows))
		for i, r := range rows {
			owners[i], fqns[i] = r[1].(string), r[2].(string)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staged_entities WHERE scan_id = $1
			AND (owner_fqn, fqn) IN (SELECT * FROM unnest($2::text[], $3::text[]))`, scanID, owners, fqns); err != nil {
			return fmt.Errorf("replace %d staged parts: %w", len(rows), err)
		}
		err = copyRows()
	}
	if err != nil {
		return fmt.Errorf("stage %d parts: %w", len(rows), err)
	}
	return nil
}

// checkRunning refuses to publish for a scan no longer recorded running:
// its staged rows may have been discarded, and publishing what is left
// would let its completed listings delete what was never staged. The row
// stays locked until the write commits, so that no discard comes between.
func checkRunning(ctx context.Context, tx pgx.Tx, scanID int64) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM scans WHERE id = $1 FOR SHARE`, scanID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
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

// stagedWhere selects an owner's staged rows, aliased s: $1 is the scan,
// $2 the owner.
const stagedWhere = `s.scan_id = $1 AND s.owner_fqn = $2`

// differs holds for a staged row s whose stored entity e it changes.
const differs = `(e.deleted OR e.content_hash <> s.content_hash)`

// publish moves the parts staged under owner into entities, adding what it
// did to stats.
func publish(ctx context.Context, tx pgx.Tx, scanID, now int64, owner string, stats catalog.WriteStats) error {
	// What each row is, decided now against the catalog as it is: all new
	// when the catalog has no FQN between the owner's first and last
	// staged ones (a first scan, a new table), which one probe of the fqn
	// index tells, sparing a lookup per row.
	var fresh bool
	if err := tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM entities WHERE fqn BETWEEN
			(SELECT min(s.fqn) FROM staged_entities s WHERE `+stagedWhere+`)
			AND (SELECT max(s.fqn) FROM staged_entities s WHERE `+stagedWhere+`))`, scanID, owner).Scan(&fresh); err != nil {
		return fmt.Errorf("look up staged parts' range: %w", err)
	}
	classify := `SELECT s.kind, e.id IS NULL, coalesce(` + differs + `, false), count(*)
		FROM staged_entities s LEFT JOIN entities e ON e.fqn = s.fqn WHERE ` + stagedWhere + ` GROUP BY 1, 2, 3`
	if fresh {
		classify = `SELECT s.kind, true, false, count(*) FROM staged_entities s WHERE ` + stagedWhere + ` GROUP BY 1`
	}
	rows, err := tx.Query(ctx, classify, scanID, owner)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	var total catalog.Counts
	for rows.Next() {
		var kind string
		var isNew, isChanged bool
		var n int64
		if err := rows.Scan(&kind, &isNew, &isChanged, &n); err != nil {
			rows.Close()
			return fmt.Errorf("classify: %w", err)
		}
		stats.Tally(catalog.Kind(kind), isNew, isChanged, n, &total)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	if total.Added+total.Updated+total.Unchanged == 0 {
		return nil
	}
	if total.Updated > 0 {
		if err := publishChanged(ctx, tx, scanID, now, owner); err != nil {
			return err
		}
	}
	if total.Added > 0 {
		// When every row is new, as classified, the insert need not look
		// each one up again.
		isNew := ` AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.fqn = s.fqn)`
		if total.Updated+total.Unchanged == 0 {
			isNew = ""
		}
		if _, err := tx.Exec(ctx, `WITH added AS (
				INSERT INTO entities (fqn, kind, service, parent_fqn, name, description, attrs, source_created, source_updated,
					first_seen, last_seen, last_scan_id, deleted, content_hash, search, inword_name, inword_description)
				SELECT s.fqn, s.kind, s.service, s.parent_fqn, s.name, s.description, s.attrs, s.source_created, s.source_updated,
					$3, $3, $1, false, s.content_hash, s.search, s.inword_name, s.inword_description
				FROM staged_entities s WHERE `+stagedWhere+isNew+`
				ORDER BY s.fqn
				RETURNING fqn, kind, parent_fqn, service
			)
			INSERT INTO changes (fqn, kind, parent_fqn, service, scan_id, at, type)
				SELECT fqn, kind, parent_fqn, service, $1, $3, $4 FROM added ORDER BY fqn`,
			scanID, owner, now, string(catalog.ChangeAdded)); err != nil {
			return fmt.Errorf("insert %d added entities: %w", total.Added, err)
		}
	}
	if total.Unchanged > 0 {
		// Whatever this scan has not written yet is unchanged now.
		if _, err := tx.Exec(ctx, `UPDATE entities SET last_seen = $3, last_scan_id = $1
			WHERE fqn IN (SELECT s.fqn FROM staged_entities s WHERE `+stagedWhere+`) AND last_scan_id <> $1`,
			scanID, owner, now); err != nil {
			return fmt.Errorf("mark %d unchanged entities seen: %w", total.Unchanged, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM staged_entities s WHERE `+stagedWhere, scanID, owner); err != nil {
		return fmt.Errorf("unstage: %w", err)
	}
	return nil
}

// publishChanged records the history of the staged rows that change their
// stored entity, a page at a time, then rewrites those entities in one
// statement.
func publishChanged(ctx context.Context, tx pgx.Tx, scanID, now int64, owner string) error {
	const page = 500
	old := "e." + strings.ReplaceAll(entityColumns, ", ", ", e.")
	for after := ""; ; {
		rows, err := tx.Query(ctx, `SELECT `+old+`, s.kind, s.service, s.parent_fqn, s.name, s.description, s.attrs::text, s.source_created, s.source_updated
			FROM staged_entities s JOIN entities e ON e.fqn = s.fqn
			WHERE `+stagedWhere+` AND s.fqn > $3 AND `+differs+` ORDER BY s.fqn LIMIT $4`, scanID, owner, after, page)
		if err != nil {
			return fmt.Errorf("read changed entities: %w", err)
		}
		var changes [][]any
		n := 0
		for rows.Next() {
			var cur catalog.Entity
			var kind, attrs string
			var created, updated *int64
			prev, err := scanEntity(withMore{rows, []any{&kind, &cur.Service, &cur.ParentFQN, &cur.Name, &cur.Description, &attrs, &created, &updated}})
			if err != nil {
				rows.Close()
				return fmt.Errorf("read changed entities: %w", err)
			}
			cur.FQN, cur.Kind = prev.FQN, catalog.Kind(kind)
			cur.SourceCreated, cur.SourceUpdated = fromNullNanos(created), fromNullNanos(updated)
			if attrs != "{}" {
				if err := json.Unmarshal([]byte(attrs), &cur.Attrs); err != nil {
					rows.Close()
					return fmt.Errorf("decode staged attributes of %q: %w", cur.FQN, err)
				}
			}
			typ := catalog.ChangeUpdated
			if prev.Deleted {
				typ = catalog.ChangeRestored
			}
			var fields *string
			if diff := catalog.Diff(&prev, &cur); len(diff) > 0 {
				b, err := json.Marshal(diff)
				if err != nil {
					rows.Close()
					return fmt.Errorf("encode changes of %q: %w", cur.FQN, err)
				}
				f := string(b)
				fields = &f
			}
			changes = append(changes, []any{cur.FQN, string(cur.Kind), cur.ParentFQN, cur.Service, scanID, now, string(typ), fields})
			after = cur.FQN
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read changed entities: %w", err)
		}
		if len(changes) > 0 {
			cols := []string{"fqn", "kind", "parent_fqn", "service", "scan_id", "at", "type", "fields"}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"changes"}, cols, pgx.CopyFromRows(changes)); err != nil {
				return fmt.Errorf("record changes: %w", err)
			}
		}
		if n < page {
			break
		}
	}
	_, err := tx.Exec(ctx, `UPDATE entities e SET kind = s.kind, service = s.service, parent_fqn = s.parent_fqn, name = s.name,
			description = s.description, attrs = s.attrs, source_created = s.source_created, source_updated = s.source_updated,
			last_seen = $3, last_scan_id = $1, deleted = false, content_hash = s.content_hash,
			search = s.search, inword_name = s.inword_name, inword_description = s.inword_description
		FROM staged_entities s WHERE `+stagedWhere+` AND s.fqn = e.fqn AND `+differs, scanID, owner, now)
	if err != nil {
		return fmt.Errorf("update changed entities: %w", err)
	}
	return nil
}

// withMore scans the columns scanEntity reads and then more.
type withMore struct {
	r    pgx.Row
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.r.Scan(append(dest, w.more...)...) }

// discardStaged deletes what the scans selected by cond (on the scans
// table, with args) staged and never published.
func discardStaged(ctx context.Context, tx pgx.Tx, cond string, args ...any) error {
	if _, err := tx.Exec(ctx, `DELETE FROM staged_entities WHERE scan_id IN (SELECT id FROM scans WHERE `+cond+`)`, args...); err != nil {
		return fmt.Errorf("discard staged parts: %w", err)
	}
	return nil
}
