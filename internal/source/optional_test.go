package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

type warnings []error

func (w *warnings) Emit(context.Context, ...catalog.Entity) error           { return nil }
func (w *warnings) Complete(context.Context, string, ...catalog.Kind) error { return nil }
func (w *warnings) EmitComplete(context.Context, []catalog.Entity, ...catalog.Listing) error {
	return nil
}
func (w *warnings) EmitPart(context.Context, string, ...catalog.Entity) error { return nil }
func (w *warnings) Warn(_ context.Context, err error)                         { *w = append(*w, err) }
func (w *warnings) Progress(catalog.Kind, int)                                {}

// TestOptionalDeadline: a call cut by its own deadline turns the
// enrichment off with one notice; one cut because the scan itself ended
// does not (the scan is being cancelled, not degraded).
func TestOptionalDeadline(t *testing.T) {
	o := &Optional{Operation: "Glue GetColumnStatisticsForTable", Option: "includeColumnStatistics: false", Deadline: 10 * time.Millisecond}
	var sink warnings
	ctx := context.Background()
	callCtx, cancel := o.Context(ctx)
	<-callCtx.Done()
	cancel()
	err := fmt.Errorf("reading statistics: %w", callCtx.Err())
	if !o.TurnOffOn(ctx, &sink, err) || o.On() {
		t.Fatal("a call past its deadline did not turn the enrichment off")
	}
	o.TurnOffOn(ctx, &sink, err)
	if len(sink) != 1 || !IsNotice(sink[0]) || !strings.Contains(sink[0].Error(), "did not answer within 10ms") ||
		!strings.Contains(sink[0].Error(), "includeColumnStatistics: false") {
		t.Errorf("warnings %v, want one notice naming the deadline and the option", sink)
	}

	scanCtx, stop := context.WithTimeout(ctx, time.Millisecond)
	defer stop()
	<-scanCtx.Done()
	other := &Optional{Operation: "op", Option: "opt"}
	if other.TurnOffOn(scanCtx, &sink, fmt.Errorf("x: %w", context.DeadlineExceeded)) || !other.On() {
		t.Error("the scan's own end turned an enrichment off")
	}
	if other.TurnOffOn(ctx, &sink, errors.New("throttled")) {
		t.Error("an ordinary failure turned an enrichment off")
	}
}
