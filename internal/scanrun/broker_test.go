package scanrun

import (
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
)

func TestBrokerFollowsAScanToItsEnd(t *testing.T) {
	b := NewBroker()
	if _, _, ok := b.Subscribe(1); ok {
		t.Fatal("an unknown scan has a stream")
	}
	b.begin(Event{ScanID: 1, Connection: "lake"})
	events, cancel, ok := b.Subscribe(1)
	if !ok || !b.Running(1) {
		t.Fatal("a begun scan has no stream")
	}
	defer cancel()
	if e := <-events; e.Type != EventProgress || e.Phase != "running" {
		t.Errorf("first event %+v", e)
	}
	seen := map[catalog.Kind]int64{catalog.KindTable: 3}
	b.progress(1, scan.Progress{Seen: seen, Written: 3})
	b.progress(1, scan.Progress{Seen: seen, Written: 5})
	seen[catalog.KindTable] = 99 // the runner's map, changed after the call
	// Progress is cumulative: a slow subscriber gets the latest alone.
	if e := <-events; e.Written != 5 || e.Seen[catalog.KindTable] != 3 {
		t.Errorf("progress %+v", e)
	}
	b.finish(1, catalog.ScanSucceeded, "", time.Second)
	e, ok := <-events
	if !ok || e.Type != EventDone || e.Status != catalog.ScanSucceeded || e.Written != 5 {
		t.Errorf("done %+v", e)
	}
	if _, open := <-events; open {
		t.Error("the stream stays open after done")
	}
	// A late subscriber still gets the done event.
	late, _, ok := b.Subscribe(1)
	if e := <-late; !ok || e.Type != EventDone {
		t.Errorf("late subscriber got %+v", e)
	}
	if b.Running(1) {
		t.Error("an ended scan runs")
	}
}

func TestBrokerForgetsOldScans(t *testing.T) {
	b := NewBroker()
	for id := int64(1); id <= keepFinished+1; id++ {
		b.begin(Event{ScanID: id})
		b.finish(id, catalog.ScanSucceeded, "", 0)
	}
	if _, _, ok := b.Subscribe(1); ok {
		t.Error("the oldest ended scan is still kept")
	}
	if _, _, ok := b.Subscribe(keepFinished + 1); !ok {
		t.Error("the latest ended scan is forgotten")
	}
}

func TestUnsubscribe(t *testing.T) {
	b := NewBroker()
	b.begin(Event{ScanID: 1})
	events, cancel, _ := b.Subscribe(1)
	cancel()
	<-events // the first event was queued before cancel
	if _, open := <-events; open {
		t.Error("a cancelled subscription stays open")
	}
	b.progress(1, scan.Progress{Written: 1}) // must not block or panic
	b.finish(1, catalog.ScanFailed, "boom", 0)
}
