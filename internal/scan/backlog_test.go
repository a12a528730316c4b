package scan

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// gatedStore is a catalog whose writes wait until the gate opens.
type gatedStore struct {
	*recordingStore
	gate chan struct{}
}

func (s *gatedStore) Write(ctx context.Context, id int64, w catalog.ScanWrite) (catalog.WriteStats, error) {
	<-s.gate
	return s.recordingStore.Write(ctx, id, w)
}

// The sink says its writer is behind once an op waits while another is
// written, before a sender would block on it, and not once it drained.
func TestSinkSaysWhenItsWriterIsBehind(t *testing.T) {
	store := &gatedStore{recordingStore: &recordingStore{}, gate: make(chan struct{})}
	const owner = "svc.bucket"
	var emitted int
	src := scriptSource(func(ctx context.Context, sink source.Sink) error {
		if source.Backlogged(sink) {
			t.Error("the sink says it is behind before anything was emitted")
		}
		for ; !source.Backlogged(sink); emitted++ {
			if emitted > 100 {
				return fmt.Errorf("%d parts emitted to a writer that takes nothing, and the sink never said it was behind", emitted)
			}
			part := catalog.Entity{FQN: fmt.Sprintf("%s.o%d", owner, emitted), Kind: catalog.KindObject, Service: "svc", ParentFQN: owner, Name: "o"}
			if err := sink.EmitPart(ctx, owner, part); err != nil {
				return err
			}
		}
		close(store.gate)
		for deadline := time.Now().Add(10 * time.Second); source.Backlogged(sink); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				return errors.New("the writer took every op, and the sink still says it is behind")
			}
		}
		return sink.Emit(ctx, catalog.Entity{FQN: owner, Kind: catalog.KindBucket, Service: "svc", Name: "bucket"})
	})
	sum, err := (&Runner{Store: store, BatchSize: 8}).Run(context.Background(), "svc", "s3", src)
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("Run: %v, %s %v", err, sum.Status, sum.Errors)
	}
	// Two parts an op at this batch size: the first op is being written,
	// the second waits.
	if emitted != 4 {
		t.Errorf("the sink said it was behind after %d parts, want 4 (two ops of two)", emitted)
	}
}
