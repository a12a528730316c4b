// Package scan runs a source and writes what it emits into the catalog:
// batched, pipelined behind the source, with deletions only for listings the
// source declared complete, and the parts of a unit too big to hold
// (Sink.EmitPart) staged in the store until their owner is written.
package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// DefaultBatchSize is how many entities go into one write transaction
// (more when one Emit brings more: its entities are never split).
// Each commit rewrites the index pages it touched into the WAL, so bigger
// transactions write less: on the Glue benchmark (internal/ingest) 5,000
// wrote 50% faster than 1,000, and 20,000 another 10% faster, for about
// 20 MiB of entities held per batch.
const DefaultBatchSize = 20000

// Runner runs sources against a store.
type Runner struct {
	Store     catalog.ScanWriter
	BatchSize int
	Logger    *slog.Logger
	// OnProgress, when set, is called with running totals after each batch
	// and each progress report; it must return quickly.
	OnProgress func(Progress)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Progress is a running count of what a scan has seen and written.
type Progress struct {
	Seen    map[catalog.Kind]int64
	Written int64
	Errors  int
	Elapsed time.Duration
	// Calls is the requests sent to AWS so far, retries included (set by
	// whoever owns the connection's session; the runner does not see it).
	Calls int64
}

// Summary is the outcome of one scan.
type Summary struct {
	ScanID     int64              `json:"scanId"`
	Service    string             `json:"service"`
	SourceType string             `json:"sourceType"`
	Status     catalog.ScanStatus `json:"status"`
	Stats      catalog.WriteStats `json:"stats"`
	// Errors are listings that failed: the scan is partial and nothing
	// under them was marked deleted.
	Errors []string `json:"errors,omitempty"`
	// Warnings are what the scan did without (source.Notice): optional
	// enrichments turned off, customers' unusable files. They leave the
	// scan succeeded.
	Warnings []string      `json:"warnings,omitempty"`
	Duration time.Duration `json:"durationNs"`
	Seconds  float64       `json:"durationSeconds"`
}

// Run scans src into the store. The returned error is the source's fatal
// error, if any; the summary is valid either way once a scan record exists.
func (r *Runner) Run(ctx context.Context, service, sourceType string, src source.Source) (Summary, error) {
	now := r.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	rec, err := r.Store.BeginScan(ctx, catalog.ScanStart{Service: service, SourceType: sourceType, Started: start})
	if err != nil {
		return Summary{}, fmt.Errorf("start scan of %q: %w", service, err)
	}
	batch := r.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	s := &sink{
		runner: r, scanID: rec.ID, batchSize: batch, start: start, now: now,
		// One op waits while one is written: enough to keep the writer
		// busy, and with 20,000-entity ops, memory stays bounded.
		ops:    make(chan op, 1),
		free:   make(chan []catalog.Entity, 2),
		stats:  catalog.WriteStats{},
		seen:   map[catalog.Kind]int64{},
		staged: map[string]int{},
	}
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.write(ctx)
	}()

	srcErr := src.Scan(ctx, s)
	flushErr := s.close(ctx)
	<-writerDone

	sum := Summary{ScanID: rec.ID, Service: service, SourceType: sourceType, Stats: s.stats}
	for _, w := range s.warnings() {
		if source.IsNotice(w) {
			sum.Warnings = append(sum.Warnings, w.Error())
		} else {
			sum.Errors = append(sum.Errors, w.Error())
		}
	}
	writeErr := errors.Join(flushErr, s.writeErr)
	if n, owner := s.unpublished(); n > 0 && srcErr == nil && writeErr == nil {
		// The scan ended well but a source left parts without their
		// owner: they were discarded, which the catalog should say.
		sum.Errors = append(sum.Errors, fmt.Sprintf("parts staged under %d entities (%s among them) were discarded: the scan never wrote those entities after their parts (a lakemap bug)", n, owner))
	}
	switch {
	case srcErr != nil || writeErr != nil:
		sum.Status = catalog.ScanFailed
		for _, e := range []error{srcErr, writeErr} {
			if e != nil {
				sum.Errors = append(sum.Errors, e.Error())
			}
		}
	case len(sum.Errors) > 0:
		sum.Status = catalog.ScanPartial
	default:
		sum.Status = catalog.ScanSucceeded
	}
	end := now()
	sum.Duration = end.Sub(start)
	sum.Seconds = sum.Duration.Seconds()
	// Record the outcome even when the caller's context is cancelled.
	finishCtx := context.WithoutCancel(ctx)
	if err := r.Store.FinishScan(finishCtx, rec.ID, catalog.ScanResult{Status: sum.Status, Finished: end, Stats: sum.Stats, Errors: sum.Errors, Warnings: sum.Warnings}); err != nil {
		return sum, errors.Join(srcErr, writeErr, fmt.Errorf("record scan %d: %w", rec.ID, err))
	}
	if srcErr != nil {
		return sum, srcErr
	}
	if writeErr != nil {
		return sum, fmt.Errorf("write scan %d of %q into the catalog: %w", rec.ID, service, writeErr)
	}
	return sum, nil
}

// op is one step of the ordered write stream, written in one transaction:
// parts to stage, owners whose staged parts become visible, a batch to
// upsert, then the listings completed after those entities were emitted,
// whose unseen children may now be marked deleted.
type op struct {
	parts     []catalog.Parts
	publish   []string
	batch     []catalog.Entity
	completed []completion
	// array holds batch and parts, for reuse once written; nil for a
	// unit bigger than a batch.
	array  []catalog.Entity
	nParts int
}

type completion struct {
	catalog.Listing
	// unit says the listing came with its entities (EmitComplete): it is
	// part of their write, not a separate deletion.
	unit bool
}

// sink is the source.Sink a scan writes through. Sources may call it from
// many goroutines; writes happen in one writer goroutine, in order, so a
// completion is applied only after every entity emitted before it.
type sink struct {
	runner    *Runner
	scanID    int64
	batchSize int
	start     time.Time
	now       func() time.Time

	mu        sync.Mutex
	next      opArray // the entities of the op being filled
	publish   []string
	completed []completion
	// staged are the owners with parts not yet published, and how many
	// parts each: their next write publishes them.
	staged map[string]int
	// publishing counts the parts the op being filled publishes.
	publishing int
	closed     bool
	warns      []error
	seen       map[catalog.Kind]int64

	ops chan op
	// unwritten counts the ops sent and not yet written, the one being
	// written included.
	unwritten atomic.Int32
	free      chan []catalog.Entity // written batches, for reuse
	written   atomic.Int64
	stats     catalog.WriteStats // owned by the writer goroutine until it ends
	writeErr  error              // likewise
	failed    atomic.Bool
}

var errClosed = errors.New("scan sink used after the scan ended")

func (s *sink) Emit(ctx context.Context, entities ...catalog.Entity) error {
	return s.emit(ctx, entities, nil)
}

// EmitComplete writes entities and the completions of the listings they
// finish in one transaction: a table whose column was dropped is found
// after a crash with its old columns or with its new ones and the dropped
// one marked deleted, never new columns beside a live dropped one.
func (s *sink) EmitComplete(ctx context.Context, entities []catalog.Entity, completed ...catalog.Listing) error {
	done := make([]completion, len(completed))
	for i, l := range completed {
		done[i] = completion{Listing: l, unit: true}
	}
	return s.emit(ctx, entities, done)
}

func (s *sink) emit(ctx context.Context, entities []catalog.Entity, completed []completion) error {
	if s.failed.Load() {
		return fmt.Errorf("catalog write failed earlier in this scan")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	// One Emit is one unit — a table with its columns, an S3 container
	// with its columns — and one unit is never split between two write
	// transactions, so a crash leaves it all as the last scan wrote it or
	// all new, whatever its size. A batch that cannot take the unit whole
	// is sent first; a unit bigger than a batch is a batch of its own. The
	// unit's completions go in the same op: under the lock, so no other
	// worker's Emit can send the unit without them.
	if n := s.next.size(); n > 0 && n+len(entities) > s.batchSize {
		if err := s.sendLocked(ctx, s.takeLocked()); err != nil {
			return err
		}
	}
	// An owner's write publishes the parts staged under it, in the same
	// transaction: they are sent before it, in this op or an earlier one.
	if len(s.staged) > 0 {
		for i := range entities {
			fqn := entities[i].FQN
			if n, ok := s.staged[fqn]; ok {
				delete(s.staged, fqn)
				s.publish = append(s.publish, fqn)
				s.publishing += n
			}
		}
	}
	s.completed = append(s.completed, completed...)
	if len(entities) > s.batchSize {
		o := s.takeLocked()
		o.batch = slices.Clone(entities)
		return s.sendLocked(ctx, o)
	}
	s.next.addBatch(s, entities)
	// A big publication goes now, not when the batch fills: a bucket's
	// inventory is published while its containers are still being read,
	// instead of after the scan's last Emit.
	if s.next.size() < s.batchSize && len(s.completed) < s.batchSize && s.publishing < partsPerOp(s.batchSize) {
		return nil
	}
	return s.sendLocked(ctx, s.takeLocked())
}

// EmitPart stages entities under their owner. Parts are no unit: they may
// be split between write transactions, as nothing reads them until the
// owner's write publishes them all at once.
func (s *sink) EmitPart(ctx context.Context, ownerFQN string, entities ...catalog.Entity) error {
	if s.failed.Load() {
		return fmt.Errorf("catalog write failed earlier in this scan")
	}
	if len(entities) == 0 {
		return nil
	}
	// Sealed copies in a pooled buffer: the op array copies them again
	// under the lock, so the buffer is free once this call returns.
	buf := sealBuffers.Get().(*[]catalog.Entity)
	defer sealBuffers.Put(buf)
	*buf = append((*buf)[:0], entities...)
	entities = *buf
	defer clear(entities)
	seal(entities)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	s.staged[ownerFQN] += len(entities)
	for {
		entities = s.next.addParts(s, ownerFQN, entities)
		if len(entities) == 0 && s.next.size() < s.batchSize && s.next.parts() < partsPerOp(s.batchSize) {
			return nil
		}
		if err := s.sendLocked(ctx, s.takeLocked()); err != nil {
			return err
		}
		if len(entities) == 0 {
			return nil
		}
	}
}

// sealBuffers hold EmitPart's sealed copies of a call's parts.
var sealBuffers = sync.Pool{New: func() any { return new([]catalog.Entity) }}

// seal seals parts (catalog.Entity.Seal) on the calling goroutine,
// outside the sink's lock. A part that does not seal is left unsealed,
// for the store to refuse as it refuses any entity.
func seal(parts []catalog.Entity) {
	for i := range parts {
		_ = parts[i].Seal()
	}
}

// unpublished says how many owners still have staged parts, and one of
// them.
func (s *sink) unpublished() (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for owner := range s.staged {
		return len(s.staged), owner
	}
	return 0, ""
}

func (s *sink) Complete(ctx context.Context, parentFQN string, kinds ...catalog.Kind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	// Completions ride with the next batch rather than flushing a small one:
	// a scan completes one listing per table, and a transaction per table
	// would be slow.
	s.completed = append(s.completed, completion{Listing: catalog.Listing{ParentFQN: parentFQN, Kinds: kinds}})
	if len(s.completed) < s.batchSize {
		return nil
	}
	return s.sendLocked(ctx, s.takeLocked())
}

func (s *sink) Warn(ctx context.Context, err error) {
	if source.IsNotice(err) {
		s.runnerLogger().Info("scan notice", "scan", s.scanID, "err", err)
	} else {
		s.runnerLogger().Warn("scan error", "scan", s.scanID, "err", err)
	}
	s.mu.Lock()
	s.warns = append(s.warns, err)
	s.mu.Unlock()
	s.report()
}

func (s *sink) Progress(kind catalog.Kind, n int) {
	if n <= 0 {
		// A listing that found none (no Athena data catalog beside
		// Glue's) is no progress, and not "0 × data catalog" on a page.
		return
	}
	s.mu.Lock()
	s.seen[kind] += int64(n)
	s.mu.Unlock()
	s.report()
}

// Backlogged says an op waits for the writer while it writes another
// (source.Backlog): the next full op will block its sender. It takes no
// lock, since a blocked sender holds s.mu.
func (s *sink) Backlogged() bool { return s.unwritten.Load() > 1 }

func (s *sink) warnings() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.warns...)
}

// sendLocked hands an op to the writer. Holding the lock while the channel is
// full is deliberate: it is the backpressure that keeps memory flat when
// AWS pages arrive faster than the disk takes them.
func (s *sink) sendLocked(ctx context.Context, o op) error {
	s.unwritten.Add(1)
	select {
	case s.ops <- o:
		return nil
	case <-ctx.Done():
		s.unwritten.Add(-1)
		return ctx.Err()
	}
}

func (s *sink) close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.next.size() > 0 || len(s.publish) > 0 || len(s.completed) > 0 {
		err = s.sendLocked(context.WithoutCancel(ctx), s.takeLocked())
	}
	close(s.ops)
	return err
}

// write drains ops until the channel closes. After the first failure it
// keeps draining (so senders never block forever) but writes nothing more;
// in particular no deletion follows a failed write.
func (s *sink) write(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	var done []catalog.Listing
	for o := range s.ops {
		done = s.writeOp(ctx, wctx, o, done[:0])
		s.unwritten.Add(-1)
	}
}

// writeOp writes one op; done is scratch for its completed listings.
func (s *sink) writeOp(ctx, wctx context.Context, o op, done []catalog.Listing) []catalog.Listing {
	if s.writeErr != nil {
		return done
	}
	for _, c := range o.completed {
		// A cancelled scan may have cut listings short after they were
		// declared complete; deleting nothing is the safe side. A
		// unit's listings came whole with its entities.
		if c.unit || ctx.Err() == nil {
			done = append(done, c.Listing)
		}
	}
	// Publishing is part of the owner's write, whole like a unit's
	// listings: a cancelled scan that wrote the owner wrote its parts.
	w := catalog.ScanWrite{Parts: o.parts, Publish: o.publish, Batch: o.batch, Completed: done}
	if w.Empty() {
		return done
	}
	st, err := s.runner.Store.Write(wctx, s.scanID, w)
	s.recycle(o.array)
	if err != nil {
		s.fail(fmt.Errorf("write %d entities, %d staged parts, %d publications and %d completed listings: %w",
			len(o.batch), o.nParts, len(o.publish), len(done), err))
		return done
	}
	s.stats.Add(st)
	s.written.Add(int64(len(o.batch) + o.nParts))
	s.report()
	return done
}

func (s *sink) fail(err error) {
	s.writeErr = err
	s.failed.Store(true)
}

func (s *sink) report() {
	if s.runner.OnProgress == nil {
		return
	}
	s.mu.Lock()
	p := Progress{Seen: make(map[catalog.Kind]int64, len(s.seen)), Errors: len(s.warns)}
	for k, v := range s.seen {
		p.Seen[k] = v
	}
	s.mu.Unlock()
	p.Written = s.written.Load()
	p.Elapsed = s.now().Sub(s.start)
	s.runner.OnProgress(p)
}

func (s *sink) runnerLogger() *slog.Logger {
	if s.runner.Logger != nil {
		return s.runner.Logger
	}
	return slog.Default()
}
