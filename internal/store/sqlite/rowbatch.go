package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// rowsPerInsert is how many rows one INSERT statement carries: executing a
// statement costs several times more than a row, and a scan writes three
// rows (entity, search index, change record) per new entity.
const rowsPerInsert = 64

// rowBatch collects rows for one table inside a transaction and inserts
// them rowsPerInsert at a time. Rows reach the table only on flush (or when
// a statement's worth has gathered), so whoever reads or deletes those rows
// in the same transaction must flush first.
type rowBatch struct {
	tx     *sql.Tx
	insert string // INSERT INTO t (a, b) VALUES
	suffix string // after the rows: an ON CONFLICT clause, say
	cols   int
	args   []any
	full   *sql.Stmt // prepared for rowsPerInsert rows, on first use
}

func newRowBatch(tx *sql.Tx, insert string, cols int) *rowBatch {
	return &rowBatch{tx: tx, insert: insert, cols: cols, args: make([]any, 0, rowsPerInsert*cols)}
}

// add queues one row of exactly cols values.
func (b *rowBatch) add(ctx context.Context, values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) < rowsPerInsert*b.cols {
		return nil
	}
	return b.flush(ctx)
}

// flush inserts the queued rows.
func (b *rowBatch) flush(ctx context.Context) error {
	rows := len(b.args) / b.cols
	if rows == 0 {
		return nil
	}
	var err error
	if rows == rowsPerInsert {
		if b.full == nil {
			if b.full, err = b.tx.PrepareContext(ctx, b.statement(rows)); err != nil {
				return err
			}
		}
		_, err = b.full.ExecContext(ctx, b.args...)
	} else {
		_, err = b.tx.ExecContext(ctx, b.statement(rows), b.args...)
	}
	clear(b.args)
	b.args = b.args[:0]
	return err
}

func (b *rowBatch) statement(rows int) string {
	row := "(?" + strings.Repeat(", ?", b.cols-1) + ")"
	q := b.insert + " " + row + strings.Repeat(", "+row, rows-1)
	if b.suffix != "" {
		q += " " + b.suffix
	}
	return q
}

func (b *rowBatch) close() {
	if b.full != nil {
		b.full.Close()
	}
}
