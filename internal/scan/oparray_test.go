package scan

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// TestOpArrayShares: an op's batch and parts share one array that grows as
// the op does; parts moved by its growth keep their owners and their
// order, a part call split between two ops loses nothing, and a unit
// bigger than a batch is an op of its own.
func TestOpArrayShares(t *testing.T) {
	st := &recordingStore{}
	r := &Runner{Store: st, BatchSize: 8} // parts go at 2
	part := func(fqn string) catalog.Entity { return catalog.Entity{FQN: fqn, Kind: catalog.KindPartition} }
	var big []catalog.Entity
	for i := range 10 {
		big = append(big, entity(fmt.Sprintf("s.big.c%d", i)))
	}
	sum, err := r.Run(context.Background(), "s", "test", scriptSource(func(ctx context.Context, sink source.Sink) error {
		steps := []func() error{
			func() error { return sink.Emit(ctx, entity("s.a1")) }, // array of 2
			func() error { return sink.EmitPart(ctx, "s.o", part("s.o.p1")) },
			func() error { return sink.Emit(ctx, entity("s.a2"), entity("s.a3")) }, // grows to 4, p1 moves back
			// Grows to 8: p2..p4 join p1 and the op goes, parts at 4.
			func() error { return sink.EmitPart(ctx, "s.o", part("s.o.p2"), part("s.o.p3"), part("s.o.p4")) },
			func() error { return sink.Emit(ctx, entity("s.a4")) },
			// Seven batch entities leave room for one part: the call is split.
			func() error {
				return sink.Emit(ctx, entity("s.a5"), entity("s.a6"), entity("s.a7"), entity("s.a8"), entity("s.a9"), entity("s.a10"))
			},
			func() error { return sink.EmitPart(ctx, "s.q", part("s.q.p1"), part("s.q.p2"), part("s.q.p3")) },
			func() error { return sink.Emit(ctx, big...) },
			func() error { return sink.Emit(ctx, entity("s.o"), entity("s.q")) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil || sum.Status != catalog.ScanSucceeded {
		t.Fatalf("scan: %v %+v", err, sum)
	}
	var ops []string
	from := 0
	for _, to := range st.commits {
		ops = append(ops, strings.Join(st.log[from:to], ","))
		from = to
	}
	bigOp := make([]string, len(big))
	for i, e := range big {
		bigOp[i] = "upsert " + e.FQN
	}
	want := []string{
		"stage s.o s.o.p1,stage s.o s.o.p2,stage s.o s.o.p3,stage s.o s.o.p4,upsert s.a1,upsert s.a2,upsert s.a3",
		"stage s.q s.q.p1,upsert s.a4,upsert s.a5,upsert s.a6,upsert s.a7,upsert s.a8,upsert s.a9,upsert s.a10",
		"stage s.q s.q.p2,stage s.q s.q.p3", // the rest of the call: two parts go
		strings.Join(bigOp, ","),
		"publish s.o,publish s.q,upsert s.o,upsert s.q",
	}
	if got, w := strings.Join(ops, "\n"), strings.Join(want, "\n"); got != w {
		t.Errorf("ops:\n%s\nwant\n%s", got, w)
	}
}
