package mcpserver

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// ChangesInput is get_recent_changes' arguments.
type ChangesInput struct {
	Since      string   `json:"since,omitempty" jsonschema:"how far back: an RFC 3339 time (2025-01-31T00:00:00Z) or a duration back from now (90m, 24h, 7d); default 24h"`
	Connection string   `json:"connection,omitempty" jsonschema:"only this connection (serviceName)"`
	Parent     string   `json:"parent,omitempty" jsonschema:"only changes directly under this FQN (e.g. a table's columns)"`
	Kinds      []string `json:"kinds,omitempty" jsonschema:"only these kinds, e.g. [\"table\",\"column\"]"`
	Limit      int      `json:"limit,omitempty" jsonschema:"changes per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor     string   `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// ChangeView is one change of one entity in one scan.
type ChangeView struct {
	FQN          string             `json:"fqn"`
	Kind         catalog.Kind       `json:"kind"`
	Type         catalog.ChangeType `json:"type" jsonschema:"added, updated, deleted or restored"`
	At           time.Time          `json:"at"`
	ScanID       int64              `json:"scanId"`
	SchemaChange bool               `json:"schemaChange,omitempty" jsonschema:"true for column changes and table changes to columns or partition keys"`
	Fields       []FieldChangeView  `json:"fields,omitempty"`
}

// FieldChangeView is one changed field, values rendered and clipped.
type FieldChangeView struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// ChangesOutput is a page of changes, newest first.
type ChangesOutput struct {
	Since      time.Time      `json:"since"`
	Changes    []ChangeView   `json:"changes"`
	Counts     map[string]int `json:"counts" jsonschema:"changes in the whole window (not only this page) by type, plus schemaChanges"`
	Total      int            `json:"total" jsonschema:"changes in the window"`
	AtLeast    bool           `json:"atLeast,omitempty" jsonschema:"true when the window holds more changes than were counted (1000 per connection)"`
	Truncated  bool           `json:"truncated" jsonschema:"true when older changes exist beyond this page"`
	NextCursor string         `json:"nextCursor,omitempty"`
}

func getRecentChanges(ctx context.Context, s *session, in ChangesInput) (ChangesOutput, string, error) {
	var out ChangesOutput
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	// The parent is resolved below (s.entity), not only normalised: an
	// agent's unquoted FQN may still name one entity.
	req, err := catalog.SurfaceMCP.ParseRead(catalog.ReadChanges, catalog.ReadArgs{Since: in.Since, Kinds: in.Kinds,
		Limit: in.Limit, Offset: cur.Offset}, time.Now())
	if err != nil {
		return out, "", err
	}
	limit, since, kinds := req.Limit, req.Since, req.Kinds
	services := s.scope.services()
	if svc, err := s.service(ctx, in.Connection); err != nil {
		return out, "", err
	} else if svc != "" {
		services = []string{svc}
	}
	parent := ""
	if in.Parent != "" {
		p, err := s.entity(ctx, "parent", in.Parent)
		if err != nil {
			return out, "", err
		}
		parent = p.FQN
	}
	// The history has no cursor of its own: read the window (at most
	// MaxLimit per connection), count it, and page by offset within it.
	want := catalog.MaxLimit
	if cur.Offset >= catalog.MaxLimit {
		return out, "", apperr.New(apperr.Invalid, "get_recent_changes pages through at most %d changes; narrow since, connection, parent or kinds", catalog.MaxLimit)
	}
	var all []catalog.Change
	if services == nil {
		services = []string{""}
	}
	for _, svc := range services {
		ch, err := s.srv.opts.Store.Changes(ctx, catalog.ChangesQuery{Service: svc, ParentFQN: parent, Since: since, Kinds: kinds, Limit: want})
		if err != nil {
			return out, "", fmt.Errorf("reading changes since %s: %w", since.Format(time.RFC3339), err)
		}
		all = append(all, ch...)
		out.AtLeast = out.AtLeast || len(ch) >= want
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	page, _ := pageByOffset(all, cur.Offset, limit)
	out.Since = since
	out.Changes = make([]ChangeView, len(page))
	for i, c := range page {
		out.Changes[i] = changeView(c)
	}
	b := answerBudget()
	out.Changes = out.Changes[:fitCount(out.Changes, b.json-400)]
	if shown := cur.Offset + len(out.Changes); shown < len(all) {
		out.Truncated = true
		if shown < catalog.MaxLimit {
			out.NextCursor = cursor{Offset: shown}.encode()
		}
	}
	out.Counts = map[string]int{}
	out.Total = len(all)
	for _, c := range all {
		out.Counts[string(c.Type)]++
		if changeView(c).SchemaChange {
			out.Counts["schemaChanges"]++
		}
	}

	t := newText(b.text)
	atLeast := ""
	if out.AtLeast {
		atLeast = "at least "
	}
	t.line("%s%d changes since %s, newest first: %s", atLeast, out.Total, since.Format(time.RFC3339), countsLine(out.Counts))
	for _, c := range out.Changes {
		line := fmt.Sprintf("- %s %s %s [%s]", c.At.Format(time.RFC3339), c.Type, c.FQN, c.Kind)
		if c.SchemaChange {
			line += " schema"
		}
		var fs []string
		for _, f := range c.Fields {
			fs = append(fs, fmt.Sprintf("%s: %s → %s", f.Field, orDash(clipped(f.Old, 60)), orDash(clipped(f.New, 60))))
		}
		if len(fs) > 0 {
			line += " (" + strings.Join(fs, "; ") + ")"
		}
		t.line("%s", line)
	}
	if len(out.Changes) == 0 {
		t.line("(no changes)")
	}
	pageNote(t, cur.Offset+len(out.Changes), out.Total, !out.AtLeast, out.NextCursor)
	if out.Truncated && out.NextCursor == "" {
		t.line("truncated: more than %d changes; narrow since, connection, parent or kinds", catalog.MaxLimit)
	}
	return out, t.String(), nil
}

func changeView(c catalog.Change) ChangeView {
	v := ChangeView{FQN: c.FQN, Kind: c.Kind, Type: c.Type, At: c.At, ScanID: c.ScanID}
	v.SchemaChange = c.Kind == catalog.KindColumn
	for i, f := range c.Fields {
		if i == 10 {
			v.Fields = append(v.Fields, FieldChangeView{Field: fmt.Sprintf("… %d more fields", len(c.Fields)-10)})
			break
		}
		if c.Kind == catalog.KindTable && (f.Field == "attributes.columnCount" || f.Field == "attributes.partitionKeys") {
			v.SchemaChange = true
		}
		fv := FieldChangeView{Field: f.Field}
		if f.Old != nil {
			fv.Old = compactValue(f.Old, 200)
		}
		if f.New != nil {
			fv.New = compactValue(f.New, 200)
		}
		v.Fields = append(v.Fields, fv)
	}
	return v
}

func countsLine(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}
