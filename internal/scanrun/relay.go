package scanrun

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakemap/lakemap/internal/jobs"
)

// relayChannel is the PostgreSQL notification channel scan events travel on.
const relayChannel = "lakemap_scan_events"

// relayEvery is how often a replica sends the latest progress of each of
// its scans: progress is cumulative, so coalescing loses only steps.
const relayEvery = 250 * time.Millisecond

// Relay passes scan events between replicas that share a PostgreSQL
// catalog, with LISTEN/NOTIFY: each replica's broker then streams the
// progress of every replica's scans, so a browser sees a scan's progress
// whichever replica it reaches.
type Relay struct {
	pool   *pgxpool.Pool
	cc     *pgx.ConnConfig
	b      *Broker
	origin string
	log    *slog.Logger

	mu      sync.Mutex
	pending map[int64]Event // latest unsent event per scan
	wake    chan struct{}

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// relayed is a notification's payload.
type relayed struct {
	Origin string `json:"o"`
	Type   string `json:"t"`
	Event  Event  `json:"e"`
}

// StartRelay connects b to the other replicas on the database at url until
// Close.
func StartRelay(ctx context.Context, url string, b *Broker, logger *slog.Logger) (*Relay, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("scan event relay: the catalog URL is not a PostgreSQL connection URL")
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("scan event relay: connect: %w", err)
	}
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	if logger == nil {
		logger = slog.Default()
	}
	r := &Relay{pool: pool, cc: cfg.ConnConfig, b: b, origin: hex.EncodeToString(id), log: logger,
		pending: map[int64]Event{}, wake: make(chan struct{}, 1)}
	listen, err := r.listen(ctx)
	if err != nil {
		pool.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	r.done.Add(2)
	go r.receive(rctx, listen)
	go r.send(rctx)
	b.mu.Lock()
	b.relay = r.queue
	b.mu.Unlock()
	return r, nil
}

// Close stops relaying; the broker goes on serving this process's scans.
func (r *Relay) Close() {
	r.b.mu.Lock()
	r.b.relay = nil
	r.b.mu.Unlock()
	r.cancel()
	r.done.Wait()
	r.pool.Close()
}

// Interrupted tells every replica, this one included, that a scan ended
// because its replica died, so that its followers get a done event.
// It is a jobs.Config.Interrupted.
func (r *Relay) Interrupted(scanID int64, connection string) {
	e := Event{Type: EventDone, Phase: "done", ScanID: scanID, Connection: connection, Status: jobs.ScanInterrupted,
		Error: "the server running the scan stopped"}
	r.b.remote(e)
	r.queue(e)
}

// queue keeps e as its scan's latest event to send (the broker calls it
// under its lock: it must not block).
func (r *Relay) queue(e Event) {
	r.mu.Lock()
	if prev, ok := r.pending[e.ScanID]; !ok || prev.Type != EventDone {
		r.pending[e.ScanID] = e
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Relay) send(ctx context.Context) {
	defer r.done.Done()
	for {
		select {
		case <-ctx.Done():
			r.flush(context.WithoutCancel(ctx)) // the last done events
			return
		case <-r.wake:
		}
		r.flush(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(relayEvery):
		}
	}
}

func (r *Relay) flush(ctx context.Context) {
	r.mu.Lock()
	batch := r.pending
	r.pending = map[int64]Event{}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, e := range batch {
		payload, err := json.Marshal(relayed{Origin: r.origin, Type: e.Type, Event: e})
		if err != nil {
			continue
		}
		if _, err := r.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, relayChannel, string(payload)); err != nil {
			r.log.Warn("send scan progress to the other servers", "scan", e.ScanID, "err", err)
		}
	}
}

func (r *Relay) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, r.cc.Copy())
	if err != nil {
		return nil, fmt.Errorf("scan event relay: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+relayChannel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("scan event relay: listen: %w", err)
	}
	return conn, nil
}

// receive applies other replicas' events, reconnecting when the
// connection drops.
func (r *Relay) receive(ctx context.Context, conn *pgx.Conn) {
	defer r.done.Done()
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for ctx.Err() == nil {
		if conn == nil {
			c, err := r.listen(ctx)
			if err != nil {
				r.log.Warn("scan event relay: reconnect", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
				continue
			}
			conn = c
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("scan event relay: connection lost", "err", err)
			}
			conn.Close(context.Background())
			conn = nil
			continue
		}
		var m relayed
		if json.Unmarshal([]byte(n.Payload), &m) != nil || m.Origin == r.origin {
			continue
		}
		m.Event.Type = m.Type
		r.b.remote(m.Event)
	}
}
