// Package schemahist answers "how did this table's schema change?" from the
// catalog's own change history: every scan records columns added, deleted
// and updated, so the columns added, removed and retyped between scans
// follow without asking AWS. (Glue's GetTableVersions would tell the same
// for Glue's own edits, but the vendor guide's policies do not grant it.)
package schemahist

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Reader is what the history needs from the catalog.
type Reader interface {
	catalog.EntityReader
	catalog.HistoryReader
}

// Column is a column as a change saw it.
type Column struct {
	Name     string `json:"name"`
	DataType string `json:"dataType,omitempty"`
}

// Retype is a column whose type changed.
type Retype struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// ScanChanges is what one scan found changed in a table's columns.
type ScanChanges struct {
	ScanID  int64     `json:"scanId"`
	At      time.Time `json:"at"`
	Added   []Column  `json:"added,omitempty"`
	Removed []Column  `json:"removed,omitempty"`
	Retyped []Retype  `json:"retyped,omitempty"`
}

// DefaultLimit bounds the column changes read.
const DefaultLimit = 1000

// Table returns the schema changes of the table at tableFQN since a time,
// newest scan first. Only top-level columns count: a struct's fields
// changing shows as the struct column retyped. The first scan that saw the
// table reports every column as added.
func Table(ctx context.Context, r Reader, tableFQN string, since time.Time, limit int) ([]ScanChanges, error) {
	table, err := r.Get(ctx, tableFQN)
	if err != nil {
		return nil, err
	}
	if table.Kind != catalog.KindTable && table.Kind != catalog.KindContainer {
		return nil, apperr.New(apperr.Invalid, "%s is a %s, not a table", tableFQN, table.Kind)
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	// No Service filter: the parent FQN names the service already, and
	// with one SQLite plans the query on (service, at) and reads every
	// change of the service (a million rows in a large catalog) instead
	// of the table's own.
	changes, err := r.Changes(ctx, catalog.ChangesQuery{
		ParentFQN: tableFQN, Since: since, Kinds: []catalog.Kind{catalog.KindColumn}, Limit: limit,
	})
	if err != nil {
		return nil, fmt.Errorf("reading the column history of %s: %w", tableFQN, err)
	}
	types := typesAfter(ctx, r, tableFQN, changes)
	byScan := map[int64]*ScanChanges{}
	var out []*ScanChanges
	for i, c := range changes {
		s := byScan[c.ScanID]
		if s == nil {
			s = &ScanChanges{ScanID: c.ScanID, At: c.At}
			byScan[c.ScanID] = s
			out = append(out, s)
		}
		if c.At.After(s.At) {
			s.At = c.At
		}
		name := columnName(c.FQN)
		switch c.Type {
		case catalog.ChangeAdded, catalog.ChangeRestored:
			s.Added = append(s.Added, Column{Name: name, DataType: types[i]})
		case catalog.ChangeDeleted:
			s.Removed = append(s.Removed, Column{Name: name, DataType: types[i]})
		case catalog.ChangeUpdated:
			if old, new, ok := retype(c); ok {
				s.Retyped = append(s.Retyped, Retype{Name: name, From: old, To: new})
			}
		}
	}
	result := make([]ScanChanges, 0, len(out))
	for _, s := range out {
		if len(s.Added)+len(s.Removed)+len(s.Retyped) == 0 {
			continue
		}
		sort.Slice(s.Added, func(i, j int) bool { return s.Added[i].Name < s.Added[j].Name })
		sort.Slice(s.Removed, func(i, j int) bool { return s.Removed[i].Name < s.Removed[j].Name })
		sort.Slice(s.Retyped, func(i, j int) bool { return s.Retyped[i].Name < s.Retyped[j].Name })
		result = append(result, *s)
	}
	sort.SliceStable(result, func(i, j int) bool { return result[i].ScanID > result[j].ScanID })
	return result, nil
}

// typesAfter works out each change's column type right after it. Backends
// need not record fields for additions and deletions, so a column's type at
// a change is the old side of its next retype, else its type now (deleted
// entities keep their last attributes). changes are newest first.
func typesAfter(ctx context.Context, r Reader, tableFQN string, changes []catalog.Change) []string {
	out := make([]string, len(changes))
	now := typesNow(ctx, r, tableFQN)
	next := map[string]string{} // column FQN -> type after the changes seen so far (newer ones)
	for i, c := range changes {
		t, ok := next[c.FQN]
		if !ok {
			if t, ok = now[c.FQN]; !ok {
				if e, err := r.Get(ctx, c.FQN); err == nil {
					t, _ = e.Attrs["dataType"].(string)
				}
			}
		}
		if old, new, ok := retype(c); ok {
			t = new
			out[i] = t
			next[c.FQN] = old
			continue
		}
		out[i] = t
		next[c.FQN] = t
	}
	return out
}

// typesNow reads the table's columns' types, deleted ones included, in one
// listing rather than one read per change (a first scan adds every column).
// A listing that fails or is cut short leaves the rest to single reads.
func typesNow(ctx context.Context, r Reader, tableFQN string) map[string]string {
	out := map[string]string{}
	page, err := r.List(ctx, catalog.ListQuery{ParentFQN: tableFQN, Kinds: []catalog.Kind{catalog.KindColumn}, IncludeDeleted: true, Limit: catalog.MaxLimit})
	if err != nil {
		return out
	}
	for _, e := range page.Entities {
		t, _ := e.Attrs["dataType"].(string)
		out[e.FQN] = t
	}
	return out
}

// retype reads a dataType change from an update or restore.
func retype(c catalog.Change) (old, new string, ok bool) {
	for _, f := range c.Fields {
		if f.Field == "attributes.dataType" {
			return fmt.Sprint(orEmpty(f.Old)), fmt.Sprint(orEmpty(f.New)), true
		}
	}
	return "", "", false
}

func columnName(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) == 0 {
		return fqn
	}
	return parts[len(parts)-1]
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}
