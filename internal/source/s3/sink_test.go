package s3

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

// memSink is a source.Sink that keeps the catalog in memory and applies
// Complete as the store's MarkMissing does: live entities of those kinds
// directly under the parent that this scan did not see are deleted, with
// their descendants. Parts wait, as in the store, until their owner is
// emitted; then they are written before it.
type memSink struct {
	mu        sync.Mutex
	entities  map[string]catalog.Entity
	seen      map[string]bool
	warnings  []string
	completes []string
	deleted   []string
	emits     int
	staged    map[string][]catalog.Entity // parts by owner
	// emitted, when set, sees each emitted entity once it is stored.
	emitted func(catalog.Entity)
}

func newMemSink() *memSink {
	return &memSink{entities: map[string]catalog.Entity{}, seen: map[string]bool{}}
}

// rescan starts a new scan over the same catalog.
func (m *memSink) rescan() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = map[string]bool{}
	m.warnings, m.completes, m.deleted, m.staged = nil, nil, nil, nil
}

func (m *memSink) Emit(_ context.Context, ents ...catalog.Entity) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.emits++
	for _, e := range ents {
		if parts, ok := m.staged[e.FQN]; ok {
			delete(m.staged, e.FQN)
			if err := m.putLocked(parts); err != nil {
				return err
			}
		}
	}
	if err := m.putLocked(ents); err != nil {
		return err
	}
	if m.emitted != nil {
		for _, e := range ents {
			m.emitted(e)
		}
	}
	return nil
}

func (m *memSink) putLocked(ents []catalog.Entity) error {
	for _, e := range ents {
		if e.FQN == "" || e.Kind == "" {
			return fmt.Errorf("entity without FQN or kind: %+v", e)
		}
		e.Deleted = false
		m.entities[e.FQN] = e
		m.seen[e.FQN] = true
	}
	return nil
}

func (m *memSink) EmitPart(_ context.Context, owner string, ents ...catalog.Entity) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.staged == nil {
		m.staged = map[string][]catalog.Entity{}
	}
	m.staged[owner] = append(m.staged[owner], ents...)
	return nil
}

func (m *memSink) EmitComplete(ctx context.Context, ents []catalog.Entity, done ...catalog.Listing) error {
	if err := m.Emit(ctx, ents...); err != nil {
		return err
	}
	for _, l := range done {
		if err := m.Complete(ctx, l.ParentFQN, l.Kinds...); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSink) Complete(_ context.Context, parent string, kinds ...catalog.Kind) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.completes = append(m.completes, parent+" "+fmt.Sprint(kinds))
	for fqn, e := range m.entities {
		if e.ParentFQN != parent || e.Deleted || m.seen[fqn] || !containsKind(kinds, e.Kind) {
			continue
		}
		m.deleteTree(fqn)
	}
	return nil
}

func (m *memSink) deleteTree(fqn string) {
	e := m.entities[fqn]
	e.Deleted = true
	m.entities[fqn] = e
	m.deleted = append(m.deleted, fqn)
	for child, c := range m.entities {
		if c.ParentFQN == fqn && !c.Deleted {
			m.deleteTree(child)
		}
	}
}

func containsKind(kinds []catalog.Kind, k catalog.Kind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (m *memSink) Warn(_ context.Context, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.warnings = append(m.warnings, err.Error())
}

func (m *memSink) Progress(catalog.Kind, int) {}

func (m *memSink) get(t testing.TB, fqn string) catalog.Entity {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entities[fqn]
	if !ok {
		var have []string
		for k := range m.entities {
			have = append(have, k)
		}
		sort.Strings(have)
		t.Fatalf("no entity %s; have:\n%s", fqn, strings.Join(have, "\n"))
	}
	return e
}

func (m *memSink) has(fqn string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entities[fqn]
	return ok && !e.Deleted
}

// children lists the live children of parent of kind, as "name" or
// "name type" for columns.
func (m *memSink) children(parent string, kind catalog.Kind) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, e := range m.entities {
		if e.ParentFQN != parent || e.Kind != kind || e.Deleted {
			continue
		}
		if kind == catalog.KindColumn {
			out = append(out, fmt.Sprintf("%d:%s %s", e.Attrs["ordinal"], e.Name, e.Attrs["dataType"]))
		} else {
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (m *memSink) count(kind catalog.Kind) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.entities {
		if e.Kind == kind && !e.Deleted {
			n++
		}
	}
	return n
}

func (m *memSink) warningsText() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.warnings, "\n")
}
