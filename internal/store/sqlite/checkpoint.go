package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointer copies the WAL into the database file from a reader
// connection, beside the writer, after write transactions commit.
//
// SQLite's own automatic checkpoint runs inside the commit that crosses
// its threshold, on the one writer connection: a scan's writer then stood
// still while 32 MiB of pages were copied and the database file synced.
// Moved out of the writer, a throttled Glue scan of 500,000 partitions
// into SQLite took 1.9–2.2 × the API floor instead of 2.4–2.5 ×. A PASSIVE
// checkpoint never waits for the writer or readers, and the writer keeps
// an automatic checkpoint at a much bigger WAL (walSafetyPages) for when
// this one cannot keep up.
type checkpointer struct {
	db      *sql.DB
	nudges  chan struct{}
	stop    context.CancelFunc
	stopped sync.WaitGroup
}

// checkpointEvery spaces checkpoints: each copies every page written
// since the last, so a hot index page written a thousand times between
// two checkpoints is copied once.
const checkpointEvery = 250 * time.Millisecond

// walSafetyPages is the writer's own automatic checkpoint threshold
// (128 MiB of 4 KiB pages): reached only when the checkpointer falls
// behind.
const walSafetyPages = 32768

func startCheckpointer(db *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, nudges: make(chan struct{}, 1), stop: cancel}
	c.stopped.Add(1)
	go c.run(ctx)
	return c
}

// nudge says a write committed; it never blocks the writer.
func (c *checkpointer) nudge() {
	select {
	case c.nudges <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer c.stopped.Done()
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.nudges:
		}
		if _, err := c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil && ctx.Err() == nil {
			// The writer's own checkpoint still bounds the WAL.
			slog.Warn("catalog checkpoint failed", "err", err)
		}
		pause.Reset(checkpointEvery)
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
	}
}

// close stops the checkpointer and waits for a checkpoint in progress.
func (c *checkpointer) close() {
	c.stop()
	c.stopped.Wait()
}
