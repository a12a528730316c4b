// Package lineagetest is test support: an in-memory catalog that records
// scans and history like a real backend, with lineage on an in-memory
// SQLite, so that sources and lineage can be tested end to end before and
// apart from the store packages. Only tests import it.
package lineagetest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/lineagesql"
)

// Store is the in-memory catalog.
type Store struct {
	*lineagesql.Store
	db *sql.DB

	mu       sync.Mutex
	entities map[string]catalog.Entity
	history  []catalog.Change
	scans    []catalog.Scan
	upserts  int
	// Now is the clock; tests may move it.
	Now func() time.Time
}

// New returns an empty store, closed when the test ends.
func New(t testing.TB) *Store {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	// One connection: an in-memory database lives as long as it does.
	db.SetMaxOpenConns(1)
	ls, err := lineagesql.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Store{Store: ls, db: db, entities: map[string]catalog.Entity{}, Now: time.Now}
}

// Close implements the stores' Close; the test's cleanup closes the database.
func (s *Store) Close() error { return nil }

// Get implements catalog.EntityReader.
func (s *Store) Get(_ context.Context, fqn string) (catalog.Entity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entities[fqn]
	if !ok {
		return catalog.Entity{}, apperr.New(apperr.NotFound, "no entity %s", fqn)
	}
	return e, nil
}

// List implements catalog.EntityReader.
func (s *Store) List(_ context.Context, q catalog.ListQuery) (catalog.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Entity
	for _, e := range s.entities {
		if e.ParentFQN != q.ParentFQN || q.Service != "" && e.Service != q.Service || e.Deleted && !q.IncludeDeleted || e.FQN <= q.After && q.After != "" {
			continue
		}
		if len(q.Kinds) > 0 && !hasKind(q.Kinds, e.Kind) {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FQN < out[j].FQN })
	limit := catalog.ClampLimit(q.Limit)
	p := catalog.Page{Entities: out}
	if len(out) > limit {
		p.Entities = out[:limit]
		p.Next = out[limit-1].FQN
	}
	return p, nil
}

// Stats implements catalog.EntityReader.
func (s *Store) Stats(_ context.Context, service string) (map[catalog.Kind]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[catalog.Kind]int64{}
	for _, e := range s.entities {
		if !e.Deleted && (service == "" || e.Service == service) {
			out[e.Kind]++
		}
	}
	return out, nil
}

// Live returns the live entities of a kind, by FQN.
func (s *Store) Live(kind catalog.Kind) []catalog.Entity {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Entity
	for _, e := range s.entities {
		if !e.Deleted && e.Kind == kind {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FQN < out[j].FQN })
	return out
}

// Snapshot returns every entity's FQN, deletion and content hash, for
// comparing two catalogs.
func (s *Store) Snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.entities))
	for k, e := range s.entities {
		out[k] = fmt.Sprintf("%v %s", e.Deleted, e.ContentHash())
	}
	return out
}

// Upserts counts the entities written.
func (s *Store) Upserts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upserts
}

func hasKind(kinds []catalog.Kind, k catalog.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

// History implements catalog.HistoryReader.
func (s *Store) History(_ context.Context, fqn string, limit int) ([]catalog.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Change
	for i := len(s.history) - 1; i >= 0; i-- {
		if s.history[i].FQN == fqn {
			out = append(out, s.history[i])
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Changes implements catalog.HistoryReader.
func (s *Store) Changes(_ context.Context, q catalog.ChangesQuery) ([]catalog.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []catalog.Change
	for i := len(s.history) - 1; i >= 0; i-- {
		c := s.history[i]
		if q.ParentFQN != "" && c.ParentFQN != q.ParentFQN || c.At.Before(q.Since) || len(q.Kinds) > 0 && !hasKind(q.Kinds, c.Kind) {
			continue
		}
		if q.Service != "" && !strings.HasPrefix(c.FQN, catalog.QuotePart(q.Service)+".") && c.FQN != catalog.QuotePart(q.Service) {
			continue
		}
		out = append(out, c)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// BeginScan implements catalog.ScanWriter.
func (s *Store) BeginScan(_ context.Context, st catalog.ScanStart) (catalog.Scan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := catalog.Scan{ID: int64(len(s.scans) + 1), Service: st.Service, SourceType: st.SourceType, Status: catalog.ScanRunning, Started: st.Started}
	s.scans = append(s.scans, sc)
	return sc, nil
}

// Upsert implements catalog.ScanWriter.
func (s *Store) Upsert(_ context.Context, scanID int64, batch []catalog.Entity) (catalog.WriteStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	st := catalog.WriteStats{}
	for _, e := range batch {
		if e.FQN == "" || e.Kind == "" {
			return nil, apperr.New(apperr.Invalid, "entity without FQN or kind: %+v", e)
		}
		s.upserts++
		old, ok := s.entities[e.FQN]
		e.LastSeen, e.LastScanID, e.Deleted = now, scanID, false
		switch {
		case !ok:
			e.FirstSeen = now
			st.Of(e.Kind).Added++
			s.record(e, scanID, now, catalog.ChangeAdded, nil)
		case old.Deleted:
			e.FirstSeen = old.FirstSeen
			st.Of(e.Kind).Added++
			s.record(e, scanID, now, catalog.ChangeRestored, catalog.Diff(&old, &e))
		case old.ContentHash() != e.ContentHash():
			e.FirstSeen = old.FirstSeen
			st.Of(e.Kind).Updated++
			s.record(e, scanID, now, catalog.ChangeUpdated, catalog.Diff(&old, &e))
		default:
			e.FirstSeen = old.FirstSeen
			st.Of(e.Kind).Unchanged++
		}
		s.entities[e.FQN] = e
	}
	return st, nil
}

func (s *Store) record(e catalog.Entity, scanID int64, at time.Time, typ catalog.ChangeType, fields []catalog.FieldChange) {
	s.history = append(s.history, catalog.Change{
		ID: int64(len(s.history) + 1), FQN: e.FQN, Kind: e.Kind, ParentFQN: e.ParentFQN, ScanID: scanID, At: at, Type: typ, Fields: fields,
	})
}

// MarkMissing implements catalog.ScanWriter.
func (s *Store) MarkMissing(_ context.Context, scanID int64, parentFQN string, kinds []catalog.Kind) (catalog.WriteStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	st := catalog.WriteStats{}
	var gone []string
	for _, e := range s.entities {
		if e.ParentFQN == parentFQN && !e.Deleted && e.LastScanID != scanID && hasKind(kinds, e.Kind) {
			gone = append(gone, e.FQN)
		}
	}
	for len(gone) > 0 {
		fqn := gone[0]
		gone = gone[1:]
		e := s.entities[fqn]
		if e.Deleted {
			continue
		}
		e.Deleted = true
		s.entities[fqn] = e
		st.Of(e.Kind).Deleted++
		s.record(e, scanID, now, catalog.ChangeDeleted, nil)
		for _, c := range s.entities {
			if c.ParentFQN == fqn && !c.Deleted {
				gone = append(gone, c.FQN)
			}
		}
	}
	return st, nil
}

// FinishScan implements catalog.ScanWriter.
func (s *Store) FinishScan(_ context.Context, scanID int64, r catalog.ScanResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scanID < 1 || int(scanID) > len(s.scans) {
		return apperr.New(apperr.NotFound, "no scan %d", scanID)
	}
	sc := &s.scans[scanID-1]
	sc.Status, sc.Stats, sc.Errors = r.Status, r.Stats, r.Errors
	f := r.Finished
	sc.Finished = &f
	return nil
}
