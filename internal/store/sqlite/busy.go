package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

// defaultBusyWait is how long a write waits for another process's write
// transaction on the same file before it gives up.
const defaultBusyWait = 10 * time.Second

// writePool is the writer's pool. Its write transactions take the lock at
// BEGIN, so a write waits for another process's at BeginTx or, outside a
// transaction, at ExecContext; past the busy timeout SQLite says only
// "database is locked", which names neither the file nor what to do.
type writePool struct {
	*sql.DB
	path string
	wait time.Duration
}

func (p writePool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := p.DB.ExecContext(ctx, query, args...)
	return res, p.busy(err)
}

func (p writePool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	return tx, p.busy(err)
}

// busy turns SQLite's busy answer into one a user can act on; other errors
// pass unchanged.
func (p writePool) busy(err error) error {
	if !sqlitedb.IsBusy(err) {
		return err
	}
	return &apperr.Error{Kind: apperr.Unavailable, Err: err,
		Msg: fmt.Sprintf("catalog %s is busy: another process has been writing to it for over %s", p.path, p.wait),
		Advice: []string{
			"Retry when it has finished. A scan holds the catalog while it writes a large table or bucket at once.",
			"Run scans through the one `lakemap serve` that owns this catalog (`lakemap scan start`), not from a second process.",
		}}
}
