package scan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// recordingStore logs the writes a scan makes, in order.
type recordingStore struct {
	mu       sync.Mutex
	log      []string
	failAt   int // fail the Nth Upsert (1-based); 0 never
	upserts  int
	commits  []int // len(log) at the end of each Write
	finished catalog.ScanResult
}

func (s *recordingStore) BeginScan(context.Context, catalog.ScanStart) (catalog.Scan, error) {
	return catalog.Scan{ID: 7}, nil
}

func (s *recordingStore) Upsert(_ context.Context, id int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upserts++
	if s.upserts == s.failAt {
		return nil, errors.New("disk full")
	}
	st := catalog.WriteStats{}
	for _, e := range batch {
		s.log = append(s.log, "upsert "+e.FQN)
		st.Of(e.Kind).Added++
	}
	return st, nil
}

func (s *recordingStore) MarkMissing(_ context.Context, id int64, parent string, kinds []catalog.Kind) (catalog.WriteStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf("mark %s %v", parent, kinds))
	return catalog.WriteStats{}, nil
}

// Write logs its stagings, publications, upserts and marks as one
// transaction: the Nth call fails whole when N is failAt.
func (s *recordingStore) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	s.mu.Lock()
	if s.upserts+1 == s.failAt {
		s.upserts++
		s.mu.Unlock()
		return nil, errors.New("disk full")
	}
	for _, p := range w.Parts {
		for _, e := range p.Entities {
			s.log = append(s.log, "stage "+p.Owner+" "+e.FQN)
		}
	}
	for _, owner := range w.Publish {
		s.log = append(s.log, "publish "+owner)
	}
	s.mu.Unlock()
	st, err := s.Upsert(ctx, id, w.Batch)
	if err != nil {
		return nil, err
	}
	for _, l := range w.Completed {
		if _, err := s.MarkMissing(ctx, id, l.ParentFQN, l.Kinds); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.commits = append(s.commits, len(s.log))
	s.mu.Unlock()
	return st, nil
}

func (s *recordingStore) FinishScan(_ context.Context, id int64, r catalog.ScanResult) error {
	s.finished = r
	return nil
}

type scriptSource func(ctx context.Context, sink source.Sink) error

func (f scriptSource) Scan(ctx context.Context, sink source.Sink) error { return f(ctx, sink) }

func entity(fqn string) catalog.Entity {
	return catalog.Entity{FQN: fqn, Kind: catalog.KindTable}
}

func TestCompletionFollowsItsEntities(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st, BatchSize: 2}
	src := scriptSource(func(ctx context.Context, sink source.Sink) error {
		for _, fqn := range []string{"s.a", "s.b", "s.c"} {
			if err := sink.Emit(ctx, entity(fqn)); err != nil {
				return err
			}
		}
		return sink.Complete(ctx, "s", catalog.KindTable)
	})
	sum, err := r.Run(context.Background(), "s", "test", src)
	if err != nil {
		t.Fatal(err)
	}
	want := "upsert s.a|upsert s.b|upsert s.c|mark s [table]"
	if got := strings.Join(st.log, "|"); got != want {
		t.Errorf("write order = %s, want %s", got, want)
	}
	if sum.Status != catalog.ScanSucceeded || sum.Stats[catalog.KindTable].Added != 3 {
		t.Errorf("summary = %+v", sum)
	}
}

func TestWarningMakesScanPartial(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st}
	sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		sink.Warn(ctx, errors.New("listing tables in \"db\": access denied"))
		return sink.Emit(ctx, entity("s.a"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != catalog.ScanPartial || len(sum.Errors) != 1 || st.finished.Status != catalog.ScanPartial {
		t.Errorf("summary = %+v, recorded %+v", sum, st.finished)
	}
}

func TestSourceFailureIsRecorded(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st}
	boom := errors.New("listing Glue databases: access denied")
	sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		_ = sink.Emit(ctx, entity("s.a"))
		return boom
	}))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if sum.Status != catalog.ScanFailed || st.finished.Status != catalog.ScanFailed {
		t.Errorf("status = %s / %s, want failed", sum.Status, st.finished.Status)
	}
	// What was seen before the failure is still written: it is true.
	if len(st.log) != 1 || st.log[0] != "upsert s.a" {
		t.Errorf("writes = %v", st.log)
	}
}

func TestNoDeletionAfterWriteFailure(t *testing.T) {
	st := &recordingStore{failAt: 1}
	r := &Runner{Store: st, BatchSize: 1}
	_, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		_ = sink.Emit(ctx, entity("s.a"))
		_ = sink.Emit(ctx, entity("s.b"))
		_ = sink.Complete(ctx, "s", catalog.KindTable)
		return nil
	}))
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the write failure", err)
	}
	for _, l := range st.log {
		if strings.HasPrefix(l, "mark") {
			t.Fatalf("marked entities deleted after a failed write: %v", st.log)
		}
	}
}

func TestCancelledScanDeletesNothing(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st}
	ctx, cancel := context.WithCancel(context.Background())
	_, _ = r.Run(ctx, "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		_ = sink.Emit(ctx, entity("s.a"))
		cancel()
		_ = sink.Complete(ctx, "s", catalog.KindTable)
		return ctx.Err()
	}))
	for _, l := range st.log {
		if strings.HasPrefix(l, "mark") {
			t.Fatalf("cancelled scan marked entities deleted: %v", st.log)
		}
	}
}

func TestConcurrentEmitters(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st, BatchSize: 7}
	sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 100 {
					_ = sink.Emit(ctx, entity(fmt.Sprintf("s.g%d_%d", g, i)))
					sink.Progress(catalog.KindTable, 1)
				}
			}()
		}
		wg.Wait()
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.Stats[catalog.KindTable].Added; got != 800 {
		t.Errorf("added = %d, want 800", got)
	}
}

// TestEmitIsNeverSplit: the entities of one Emit go to the store in one
// Upsert (one transaction) whatever their number; a batch that cannot take
// them whole is written first.
func TestEmitIsNeverSplit(t *testing.T) {
	st := &batchSizes{}
	r := &Runner{Store: st, BatchSize: 4}
	emits := [][]string{{"s.a"}, {"s.a.1", "s.a.2", "s.a.3", "s.a.4", "s.a.5", "s.a.6"}, {"s.b", "s.b.1"}, {"s.c", "s.c.1", "s.c.2"}, {"s.d"}}
	src := scriptSource(func(ctx context.Context, sink source.Sink) error {
		for _, fqns := range emits {
			es := make([]catalog.Entity, len(fqns))
			for i, f := range fqns {
				es[i] = entity(f)
			}
			if err := sink.Emit(ctx, es...); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := r.Run(context.Background(), "s", "test", src); err != nil {
		t.Fatal(err)
	}
	// {a} is sent before the six that do not fit beside it; {b,b1} waits
	// for {c,c1,c2}, which does not fit, and {c…} waits for {d}.
	if got, want := fmt.Sprint(st.sizes), "[1 6 2 4]"; got != want {
		t.Errorf("Upsert sizes %s, want %s", got, want)
	}
}

type batchSizes struct {
	recordingStore
	sizes []int
}

func (s *batchSizes) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	s.mu.Lock()
	s.sizes = append(s.sizes, len(w.Batch))
	s.mu.Unlock()
	return s.recordingStore.Write(ctx, id, w)
}

// TestCompletionTravelsWithItsUnit: with workers emitting at once and
// batches smaller than a unit, a table's deletions are written in the same
// transaction as its columns, never in a later one.
func TestCompletionTravelsWithItsUnit(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st, BatchSize: 5}
	_, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					fqn := fmt.Sprintf("s.t%d_%d", g, i)
					es := []catalog.Entity{entity(fqn)}
					for c := range i % 8 {
						es = append(es, entity(fmt.Sprintf("%s.c%d", fqn, c)))
					}
					_ = sink.EmitComplete(ctx, es, catalog.Listing{ParentFQN: fqn, Kinds: []catalog.Kind{catalog.KindColumn}})
				}
			}()
		}
		wg.Wait()
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	tx := make([]int, len(st.log)) // the transaction of each log line
	for i, n := 0, 0; i < len(st.log); i++ {
		for n < len(st.commits) && st.commits[n] <= i {
			n++
		}
		tx[i] = n
	}
	upserted := map[string]int{}
	marks := 0
	for i, l := range st.log {
		if fqn, ok := strings.CutPrefix(l, "upsert "); ok {
			upserted[fqn] = tx[i]
			continue
		}
		marks++
		fqn := strings.Fields(strings.TrimPrefix(l, "mark "))[0]
		if got, ok := upserted[fqn]; !ok || got != tx[i] {
			t.Errorf("%s: marked in transaction %d, written in %d (%v)", fqn, tx[i], got, ok)
		}
	}
	if marks != 200 {
		t.Errorf("%d completions written, want 200", marks)
	}
}

// TestPartsPublishWithTheirOwner: parts stream out in batches as they
// come, and their owner's write publishes them in its transaction, with
// the owner and its listings; parts emitted for another owner meanwhile
// wait for theirs.
func TestPartsPublishWithTheirOwner(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st, BatchSize: 8}
	part := func(fqn string) catalog.Entity { return catalog.Entity{FQN: fqn, Kind: catalog.KindPartition} }
	sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		for _, p := range [][]catalog.Entity{{part("s.t.p1"), part("s.t.p2")}, {part("s.t.p3"), part("s.t.p4")}} {
			if err := sink.EmitPart(ctx, "s.t", p...); err != nil {
				return err
			}
		}
		if err := sink.EmitPart(ctx, "s.u", part("s.u.p1")); err != nil {
			return err
		}
		if err := sink.EmitComplete(ctx, []catalog.Entity{entity("s.t")}, catalog.Listing{ParentFQN: "s.t", Kinds: []catalog.Kind{catalog.KindPartition}}); err != nil {
			return err
		}
		return sink.Emit(ctx, entity("s.u"))
	}))
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("scan: %v %+v", err, sum)
	}
	// Parts are no unit and go at a quarter of a batch (2 of 8): {p1 p2},
	// then {p3 p4}. The owners' writes publish their parts, each with its
	// owner and its listings: t's four parts are a quarter of a batch or
	// more, so its write goes at once, with u.p1, not when a batch fills;
	// u's one part waits for the last op.
	want := "stage s.t s.t.p1|stage s.t s.t.p2|" +
		"stage s.t s.t.p3|stage s.t s.t.p4|" +
		"stage s.u s.u.p1|publish s.t|upsert s.t|mark s.t [partition]|" +
		"publish s.u|upsert s.u"
	if got := strings.Join(st.log, "|"); got != want {
		t.Errorf("writes:\n%s\nwant\n%s", got, want)
	}
	if got := fmt.Sprint(st.commits); got != "[2 4 8 10]" {
		t.Errorf("commits after log lines %s, want [2 4 8 10]", got)
	}
}

// TestPartsAreSealedByTheirEmitter: a part reaches the store encoded as
// it would have been unsealed, the source's own entities untouched; one
// that cannot be encoded reaches it as it was, to fail the write there.
func TestPartsAreSealedByTheirEmitter(t *testing.T) {
	var got []catalog.Entity
	st := &partsStore{recordingStore: &recordingStore{}, parts: &got}
	emitted := []catalog.Entity{
		{FQN: "s.t.p=1", Kind: catalog.KindPartition, Attrs: map[string]any{"values": []any{"1"}}},
		{FQN: "s.t.p=2", Kind: catalog.KindPartition, Attrs: map[string]any{"rows": math.Inf(1)}},
	}
	_, err := (&Runner{Store: st}).Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		if err := sink.EmitPart(ctx, "s.t", emitted...); err != nil {
			return err
		}
		return sink.Emit(ctx, entity("s.t"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if emitted[0].Attrs == nil || emitted[0].ParentFQN != "" {
		t.Errorf("the source's part was changed: %+v", emitted[0])
	}
	if len(got) != 2 {
		t.Fatalf("store got %d parts", len(got))
	}
	want := emitted[0]
	if err := want.Prepare(); err != nil {
		t.Fatal(err)
	}
	wantEnc, _ := want.Encode()
	if enc, err := got[0].Encode(); err != nil || enc != wantEnc || got[0].Attrs != nil {
		t.Errorf("staged part encodes %+v, %v (attributes %v); want %+v, none held", enc, err, got[0].Attrs, wantEnc)
	}
	if _, err := got[1].Encode(); err == nil || got[1].Attrs == nil {
		t.Errorf("an unencodable part reached the store encodable: %+v", got[1])
	}
}

// partsStore keeps the parts it is given.
type partsStore struct {
	*recordingStore
	parts *[]catalog.Entity
}

func (s *partsStore) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	for _, p := range w.Parts {
		*s.parts = append(*s.parts, p.Entities...)
	}
	return s.recordingStore.Write(ctx, id, w)
}

// TestPartsWithoutOwnerAreReported: parts whose owner the scan never wrote
// are discarded by the store; the scan says so rather than succeeding.
func TestPartsWithoutOwnerAreReported(t *testing.T) {
	st := &recordingStore{}
	sum, err := (&Runner{Store: st}).Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		return sink.EmitPart(ctx, "s.t", catalog.Entity{FQN: "s.t.p1", Kind: catalog.KindPartition})
	}))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Status != catalog.ScanPartial || len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0], "s.t") {
		t.Errorf("summary = %+v", sum)
	}
}

// TestProgressCountsWhatWasSeen: progress reports running totals per
// kind, and a kind reported with nothing seen does not appear.
func TestProgressCountsWhatWasSeen(t *testing.T) {
	var mu sync.Mutex
	var last Progress
	r := &Runner{Store: &recordingStore{}, OnProgress: func(p Progress) {
		mu.Lock()
		last = p
		mu.Unlock()
	}}
	_, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		sink.Progress(catalog.KindDataCatalog, 0)
		sink.Progress(catalog.KindTable, 2)
		sink.Progress(catalog.KindTable, 3)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(last.Seen) != 1 || last.Seen[catalog.KindTable] != 5 {
		t.Errorf("seen = %v, want 5 tables and nothing else", last.Seen)
	}
}
