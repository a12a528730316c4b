package scanrun

import (
	"maps"
	"sync"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
)

// Event is one message of a scan's server-sent event stream.
type Event struct {
	// Type is the SSE event name: "progress" while the scan runs, "done"
	// once, at its end.
	Type       string `json:"-"`
	ScanID     int64  `json:"scanId"`
	Connection string `json:"connection"`
	ProjectID  string `json:"projectId,omitempty"`
	// Phase is "running" or "done".
	Phase   string                 `json:"phase"`
	Seen    map[catalog.Kind]int64 `json:"seen,omitempty"`
	Written int64                  `json:"written"`
	Errors  int                    `json:"errors"`
	// Calls is the requests sent to AWS so far, retries included.
	Calls          int64   `json:"calls"`
	ElapsedSeconds float64 `json:"elapsedSeconds"`
	// Status is the scan's end status (done events only).
	Status catalog.ScanStatus `json:"status,omitempty"`
	// Error is why a scan failed, for the user (done events only).
	Error string `json:"error,omitempty"`
}

// Event types.
const (
	EventProgress = "progress"
	EventDone     = "done"
)

// keepFinished is how many ended scans the broker remembers, so that a
// client subscribing just after the end still gets its done event.
const keepFinished = 64

// Broker fans a running scan's progress out to its subscribers, in this
// process. Progress is cumulative, so a slow subscriber only ever misses
// intermediate figures: each subscriber holds the latest event alone.
type Broker struct {
	mu       sync.Mutex
	topics   map[int64]*topic
	finished []int64 // ended scan ids, oldest first
	// relay, when set, hears every event of this process's scans, to pass
	// on to the other replicas (Relay). It must not block.
	relay func(Event)
}

type topic struct {
	last Event
	done bool
	// remote: the scan runs on another replica; its events come through
	// the relay.
	remote bool
	subs   map[chan Event]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker { return &Broker{topics: map[int64]*topic{}} }

// Subscribe follows scan id. ok is false when the broker knows nothing of it
// (not running in this process, or ended long ago): read the catalog
// instead. The channel yields events until the done event, then closes;
// cancel stops following.
func (b *Broker) Subscribe(id int64) (events <-chan Event, cancel func(), ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[id]
	if !ok {
		return nil, func() {}, false
	}
	ch := make(chan Event, 1)
	ch <- t.last
	if t.done {
		close(ch)
		return ch, func() {}, true
	}
	t.subs[ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, still := t.subs[ch]; still {
			delete(t.subs, ch)
			close(ch)
		}
	}, true
}

// Running reports whether scan id runs in this process.
func (b *Broker) Running(id int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[id]
	return ok && !t.done
}

func (b *Broker) begin(e Event) {
	e.Type, e.Phase = EventProgress, "running"
	b.mu.Lock()
	defer b.mu.Unlock()
	b.topics[e.ScanID] = &topic{last: e, subs: map[chan Event]struct{}{}}
	if b.relay != nil {
		b.relay(e)
	}
}

func (b *Broker) progress(id int64, p scan.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[id]
	if !ok || t.done {
		return
	}
	e := t.last
	e.Type, e.Phase = EventProgress, "running"
	// The runner may keep writing its map after the callback.
	e.Seen = maps.Clone(p.Seen)
	e.Written, e.Errors, e.Calls, e.ElapsedSeconds = p.Written, p.Errors, p.Calls, p.Elapsed.Seconds()
	b.publishLocked(t, e)
	if b.relay != nil && !t.remote {
		b.relay(e)
	}
}

func (b *Broker) finish(id int64, status catalog.ScanStatus, errMsg string, elapsed time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[id]
	if !ok || t.done {
		return
	}
	e := t.last
	e.Type, e.Phase, e.Status, e.Error = EventDone, "done", status, errMsg
	if elapsed > 0 {
		e.ElapsedSeconds = elapsed.Seconds()
	}
	if b.relay != nil && !t.remote {
		b.relay(e)
	}
	b.endLocked(id, t, e)
}

// endLocked publishes a scan's done event and closes its subscriptions.
func (b *Broker) endLocked(id int64, t *topic, e Event) {
	b.publishLocked(t, e)
	t.done = true
	for ch := range t.subs {
		close(ch)
	}
	t.subs = nil
	b.finished = append(b.finished, id)
	if len(b.finished) > keepFinished {
		delete(b.topics, b.finished[0])
		b.finished = b.finished[1:]
	}
}

// publishLocked replaces each subscriber's pending event with e.
func (b *Broker) publishLocked(t *topic, e Event) {
	t.last = e
	for ch := range t.subs {
		select {
		case <-ch:
		default:
		}
		ch <- e
	}
}

// remote applies an event of a scan another replica runs: subscribers here
// follow it as they follow a local scan. A done event for a scan no one
// here follows is dropped.
func (b *Broker) remote(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.topics[e.ScanID]
	switch {
	case ok && !t.remote:
		return // ours: the relay echoed it back
	case ok && t.done:
		return
	case !ok && e.Type == EventDone:
		return
	case !ok:
		t = &topic{last: e, remote: true, subs: map[chan Event]struct{}{}}
		b.topics[e.ScanID] = t
	}
	if e.Type == EventDone {
		b.endLocked(e.ScanID, t, e)
		return
	}
	b.publishLocked(t, e)
}
