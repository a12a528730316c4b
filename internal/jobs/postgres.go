package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/lakemap/lakemap/internal/apperr"
)

// livenessLocks is the first key of the advisory locks that say a replica
// lives: each replica holds (livenessLocks, hash of its client id) on a
// connection of its own for as long as it runs. PostgreSQL drops the lock
// when that connection closes, which a killed process's connection does at
// once, so another replica that can take the lock knows the owner is gone.
const livenessLocks int32 = 0x6c6d6170 // "lmap"

// OpenPostgres opens the queue in the PostgreSQL database at url (the
// catalog's own database: River's tables sit beside the catalog's) and
// brings River's tables and lakemap's schedule table up to date. Several
// servers may open the same database: they share the queue, River elects
// one of them to insert scheduled jobs, and each scan runs on one of them.
func OpenPostgres(ctx context.Context, url string) (*Backend, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "job queue URL is not a PostgreSQL connection URL: use postgres://user@host:5432/dbname")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to job queue database: %w", err)
	}
	where := fmt.Sprintf("postgres:%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	fail := func(err error) (*Backend, error) {
		pool.Close()
		return nil, fmt.Errorf("open job queue %s: %w", where, err)
	}
	driver := riverpgxv5.New(pool)
	if err := withMigrationLock(ctx, pool, func() error { return migrateRiver(ctx, driver) }); err != nil {
		return fail(err)
	}
	runs := &pgRunLog{pool: pool}
	if err := runs.migrate(ctx); err != nil {
		return fail(err)
	}
	id, err := clientID()
	if err != nil {
		return fail(err)
	}
	live, err := holdLiveness(ctx, cfg.ConnConfig, id)
	if err != nil {
		return fail(err)
	}
	return &Backend{
		name:     where,
		runs:     runs,
		clientID: id,
		alive:    func(ctx context.Context, client string) (bool, error) { return clientAlive(ctx, pool, client) },
		stillLive: func(ctx context.Context) bool {
			return live.check(ctx, cfg.ConnConfig, id)
		},
		close: func() error {
			live.close()
			pool.Close()
			return nil
		},
		newClient: func(rc *river.Config) (queueClient, error) {
			rc.ID = id
			c, err := river.NewClient(driver, rc)
			if err != nil {
				return nil, err
			}
			return riverQueue[pgx.Tx]{c}, nil
		},
	}, nil
}

// riverMigrationLock serialises River's migrations between replicas that
// start together (the catalog's own migrations hold another key).
const riverMigrationLock int64 = 0x6c6d72697665 // "lmrive"

func withMigrationLock(ctx context.Context, pool *pgxpool.Pool, fn func() error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, riverMigrationLock); err != nil {
		return fmt.Errorf("wait for the job queue migration lock: %w", err)
	}
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, `SELECT pg_advisory_unlock($1)`, riverMigrationLock); err != nil {
			conn.Conn().Close(unlockCtx)
		}
	}()
	return fn()
}

// clientID names this replica in River's job rows (attempted_by): the host
// name, for people reading them, and a random part, unique per start.
func clientID() (string, error) {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a queue client id: %w", err)
	}
	if host == "" {
		host = "lakemap"
	}
	return host + "-" + hex.EncodeToString(b), nil
}

func livenessKey(client string) int32 {
	h := fnv.New32a()
	h.Write([]byte(client))
	return int32(h.Sum32())
}

// liveness holds this replica's liveness lock on a connection of its own.
type liveness struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

func holdLiveness(ctx context.Context, cc *pgx.ConnConfig, client string) (*liveness, error) {
	conn, err := pgx.ConnectConfig(ctx, cc.Copy())
	if err != nil {
		return nil, fmt.Errorf("connect for the liveness lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, livenessLocks, livenessKey(client)).Scan(&ok); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("take the liveness lock: %w", err)
	}
	if !ok {
		conn.Close(ctx)
		return nil, errors.New("take the liveness lock: another replica holds the same key; start again")
	}
	return &liveness{conn: conn}, nil
}

// check reports whether this replica still holds its liveness lock. When
// its connection was lost, so was the lock: other replicas may have taken
// this replica's scans for dead ones. It takes the lock again on a new
// connection and reports false.
func (l *liveness) check(ctx context.Context, cc *pgx.ConnConfig, client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Generous: a ping cut short closes the connection, and with it the
	// lock, so a slow database must not pass for a lost connection.
	pingCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := l.conn.Ping(pingCtx)
	cancel()
	if err == nil {
		return true
	}
	l.conn.Close(context.Background())
	if next, err := holdLiveness(ctx, cc, client); err == nil {
		l.conn = next.conn
	}
	return false
}

func (l *liveness) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.conn.Close(ctx)
}

// clientAlive reports whether the replica named client still holds its
// liveness lock: if this session can take it, the replica is gone.
func clientAlive(ctx context.Context, pool *pgxpool.Pool, client string) (bool, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	var took bool
	key := livenessKey(client)
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, livenessLocks, key).Scan(&took); err != nil {
		return false, fmt.Errorf("check whether replica %s lives: %w", client, err)
	}
	if took {
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, livenessLocks, key); err != nil {
			// A pooled session must not keep the lock: drop the session.
			conn.Conn().Close(ctx)
		}
	}
	return !took, nil
}

type pgRunLog struct{ pool *pgxpool.Pool }

func (l *pgRunLog) migrate(ctx context.Context) error {
	_, err := l.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS lakemap_schedule_run (
    connection TEXT PRIMARY KEY,
    last_run   BIGINT NOT NULL
)`)
	if err != nil {
		return fmt.Errorf("create schedule table: %w", err)
	}
	return nil
}

func (l *pgRunLog) baseline(ctx context.Context, conn string, t time.Time) error {
	_, err := l.pool.Exec(ctx, `INSERT INTO lakemap_schedule_run (connection, last_run) VALUES ($1, $2) ON CONFLICT (connection) DO NOTHING`, conn, t.UnixNano())
	if err != nil {
		return fmt.Errorf("record schedule of connection %q: %w", conn, err)
	}
	return nil
}

func (l *pgRunLog) lastRun(ctx context.Context, conn string) (time.Time, bool, error) {
	var n int64
	err := l.pool.QueryRow(ctx, `SELECT last_run FROM lakemap_schedule_run WHERE connection = $1`, conn).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read last scheduled run of connection %q: %w", conn, err)
	}
	return time.Unix(0, n), true, nil
}

func (l *pgRunLog) record(ctx context.Context, conn string, t time.Time) error {
	_, err := l.pool.Exec(ctx, `UPDATE lakemap_schedule_run SET last_run = greatest(last_run, $1) WHERE connection = $2`, t.UnixNano(), conn)
	if err != nil {
		return fmt.Errorf("record run of connection %q: %w", conn, err)
	}
	return nil
}

func (l *pgRunLog) forget(ctx context.Context, conn string) error {
	if _, err := l.pool.Exec(ctx, `DELETE FROM lakemap_schedule_run WHERE connection = $1`, conn); err != nil {
		return fmt.Errorf("forget schedule of connection %q: %w", conn, err)
	}
	return nil
}
