package scanrun

import (
	"context"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Start(m) }

// next waits for ev's next event, or fails after a bounded wait.
func next(t *testing.T, ev <-chan Event) (Event, bool) {
	t.Helper()
	select {
	case e, ok := <-ev:
		return e, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no scan event within 10s")
	}
	return Event{}, false
}

// A scan running on one replica streams from another: its progress, then
// its done event; and a scan whose replica died ends with "interrupted".
func TestRelayCarriesProgressBetweenReplicas(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runs, sees := NewBroker(), NewBroker()
	for _, b := range []*Broker{runs, sees} {
		r, err := StartRelay(ctx, url, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Close)
	}
	runs.begin(Event{ScanID: 7, Connection: "glue_prod"})
	// The first progress reaching the other replica opens the scan there.
	var ev <-chan Event
	for i := 0; ev == nil; i++ {
		runs.progress(7, scan.Progress{Written: int64(i)})
		if e, stop, ok := sees.Subscribe(7); ok {
			ev, cancel = e, stop
			defer cancel()
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the other replica never heard of scan 7")
		}
		time.Sleep(50 * time.Millisecond)
	}
	runs.progress(7, scan.Progress{Written: 500, Seen: map[catalog.Kind]int64{catalog.KindTable: 9}})
	for {
		e, ok := next(t, ev)
		if !ok {
			t.Fatal("stream ended before progress 500")
		}
		if e.Written == 500 {
			if e.Type != EventProgress || e.Seen[catalog.KindTable] != 9 || e.Connection != "glue_prod" {
				t.Fatalf("relayed progress: %+v", e)
			}
			break
		}
	}
	runs.finish(7, catalog.ScanSucceeded, "", time.Second)
	for {
		e, ok := next(t, ev)
		if !ok {
			t.Fatal("stream closed without a done event")
		}
		if e.Type == EventDone {
			if e.Status != catalog.ScanSucceeded {
				t.Fatalf("done: %+v", e)
			}
			break
		}
	}

	// A dead replica's scan: the survivor that reaps it tells everyone.
	runs.begin(Event{ScanID: 8, Connection: "glue_dev"})
	runs.progress(8, scan.Progress{Written: 1})
	var ev8 <-chan Event
	for ev8 == nil {
		if e, stop, ok := sees.Subscribe(8); ok {
			ev8 = e
			defer stop()
		} else if ctx.Err() != nil {
			t.Fatal("the other replica never heard of scan 8")
		}
		time.Sleep(20 * time.Millisecond)
	}
	reaper := NewBroker()
	r, err := StartRelay(ctx, url, reaper, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Interrupted(8, "glue_dev")
	for {
		e, ok := next(t, ev8)
		if !ok {
			t.Fatal("stream of scan 8 closed without a done event")
		}
		if e.Type == EventDone {
			if e.Status != jobs.ScanInterrupted {
				t.Fatalf("done of the dead replica's scan: %+v", e)
			}
			break
		}
	}
}
