package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scanrun"
)

// scanIDWait is how long a scan start waits for the scan's record, so that
// its answer can name the scan and its event stream. A queue that is full
// answers without them; GET /api/v1/scans then finds the scan.
const scanIDWait = 3 * time.Second

// keepAlive is how often an idle event stream sends a comment, so proxies
// do not close it.
const keepAlive = 15 * time.Second

func scanIDOf(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.Invalid, "scan id %q: want a positive integer", r.PathValue("id"))
	}
	return id, nil
}

// StreamingPatterns are the routes whose responses last: the server mounts
// them without the request deadline.
func (a *API) StreamingPatterns() []string {
	var out []string
	for _, rt := range a.routes() {
		if rt.Pattern == scanEventsPattern {
			out = append(out, rt.Method+" "+rt.Pattern)
		}
	}
	return out
}

const scanEventsPattern = "/api/v1/scans/{id}/events"

// scanEvents streams a scan's progress as server-sent events: "progress"
// events while it runs, then one "done" event, and the stream ends. A scan
// that is not running in this server gets its done event from its record
// at once.
func (a *API) scanEvents(w http.ResponseWriter, r *http.Request) error {
	sc, err := a.readableScan(r)
	if err != nil {
		return err
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return apperr.New(apperr.Internal, "this connection cannot stream events")
	}
	var events <-chan scanrun.Event
	cancel := func() {}
	running := false
	if a.Events != nil {
		events, cancel, running = a.Events.Subscribe(sc.ID)
	}
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !running {
		return a.followRecord(w, r, flusher, sc)
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			flusher.Flush()
		case e, ok := <-events:
			if !ok {
				return nil
			}
			if err := a.writeEvent(w, flusher, e); err != nil || e.Type == scanrun.EventDone {
				return nil
			}
		}
	}
}

// recordPoll is how often a scan that runs elsewhere is read again.
const recordPoll = time.Second

// followRecord streams a scan this process is not running (another
// server's, or one that has ended) from its catalog record: a progress
// event while it is recorded as running, then its done event.
func (a *API) followRecord(w http.ResponseWriter, r *http.Request, f http.Flusher, sc catalog.Scan) error {
	rd, err := a.reader(r)
	if err != nil {
		return err
	}
	tick := time.NewTicker(recordPoll)
	defer tick.Stop()
	var sent time.Time // zero: the first progress event goes out at once
	for sc.Status == catalog.ScanRunning {
		if time.Since(sent) >= keepAlive {
			e := doneFromRecord(sc)
			e.Type, e.Phase, e.Status = scanrun.EventProgress, "running", ""
			if err := a.writeEvent(w, f, e); err != nil {
				return nil
			}
			sent = time.Now()
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
		}
		if sc, err = rd.GetScan(r.Context(), sc.ID); err != nil {
			return nil
		}
	}
	return a.writeEvent(w, f, doneFromRecord(sc))
}

// doneFromRecord is the done event of a scan this server is not running.
func doneFromRecord(sc catalog.Scan) scanrun.Event {
	e := scanrun.Event{Type: scanrun.EventDone, Phase: "done", ScanID: sc.ID, Connection: sc.Service, Status: sc.Status}
	if sc.Finished != nil {
		e.ElapsedSeconds = sc.Finished.Sub(sc.Started).Seconds()
	}
	return e
}

func (a *API) writeEvent(w http.ResponseWriter, f http.Flusher, e scanrun.Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, data); err != nil {
		// The client went away: nothing to report to it.
		return nil
	}
	f.Flush()
	return nil
}
