package mcpserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// LineageInput is get_lineage's arguments.
type LineageInput struct {
	FQN       string `json:"fqn" jsonschema:"FQN of a table, view, bucket or container"`
	Direction string `json:"direction,omitempty" jsonschema:"upstream (where its data comes from), downstream (where it goes) or both (default)"`
	Depth     int    `json:"depth,omitempty" jsonschema:"hops to follow; default 3, at most 20"`
	Limit     int    `json:"limit,omitempty" jsonschema:"edges per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor    string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// EdgeView is one lineage edge.
type EdgeView struct {
	From     string              `json:"from"`
	To       string              `json:"to"`
	Kind     catalog.EdgeKind    `json:"kind" jsonschema:"view (a view reads from), query (an Athena query read from and wrote to) or storage (a table keeps its data in)"`
	Hop      int                 `json:"hop" jsonschema:"1 for edges touching the asked entity, 2 for the next ring..."`
	Evidence string              `json:"evidence,omitempty"`
	Columns  map[string][]string `json:"columns,omitempty" jsonschema:"downstream column to upstream columns, when known"`
	At       time.Time           `json:"at"`
	SQL      string              `json:"sql,omitempty" jsonschema:"the query's or view's SQL (clipped)"`
	Catalog  string              `json:"catalog,omitempty" jsonschema:"the query's data catalog"`
}

// LineageOutput is a page of lineage edges, nearest first.
type LineageOutput struct {
	FQN        string            `json:"fqn"`
	Direction  catalog.Direction `json:"direction"`
	Depth      int               `json:"depth"`
	Edges      []EdgeView        `json:"edges"`
	Total      int               `json:"total"`
	Truncated  bool              `json:"truncated"`
	NextCursor string            `json:"nextCursor,omitempty"`
}

func getLineage(ctx context.Context, s *session, in LineageInput) (LineageOutput, string, error) {
	var out LineageOutput
	dir, err := catalog.ParseDirection(strings.ToLower(strings.TrimSpace(in.Direction)))
	if err != nil {
		return out, "", apperr.Wrap(apperr.Invalid, err, "direction")
	}
	depth, _, err := limitArg("depth", in.Depth, catalog.DefaultLineageDepth, catalog.MaxLineageDepth)
	if err != nil {
		return out, "", err
	}
	limit, _, err := limitArg("limit", in.Limit, catalog.DefaultLimit, catalog.MaxLimit)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	e, err := s.entity(ctx, "fqn", in.FQN)
	if err != nil {
		return out, "", err
	}
	edges, err := s.srv.opts.Store.Edges(ctx, e.FQN, dir, depth)
	if err != nil {
		return out, "", fmt.Errorf("reading lineage of %q: %w", e.FQN, err)
	}
	// Edges reaching into connections outside the session's scope are not
	// shown: their ends do not exist for it.
	visible := edges[:0:0]
	for _, ed := range edges {
		if s.scope.allows(serviceOf(ed.From)) && s.scope.allows(serviceOf(ed.To)) {
			visible = append(visible, ed)
		}
	}
	out = LineageOutput{FQN: e.FQN, Direction: dir, Depth: depth, Total: len(visible), Edges: []EdgeView{}}
	page, _ := pageByOffset(visible, cur.Offset, limit)
	origins := map[string]catalog.Entity{}
	for _, ed := range page {
		v := EdgeView{From: ed.From, To: ed.To, Kind: ed.Kind, Hop: ed.Hop,
			Evidence: clipped(ed.Evidence, descriptionClip), Columns: clipColumns(ed.Columns), At: ed.At}
		// The evidence entity carries what an agent asks next: the SQL.
		if ed.Origin != "" && (ed.Kind == catalog.EdgeQuery || ed.Kind == catalog.EdgeView) {
			o, seen := origins[ed.Origin]
			if !seen {
				o, _ = s.get(ctx, ed.Origin)
				origins[ed.Origin] = o
			}
			if ed.Kind == catalog.EdgeQuery {
				v.SQL, v.Catalog = clipped(str(o.Attrs, "query"), edgeSQLClip), str(o.Attrs, "catalog")
			} else {
				v.SQL = clipped(viewSQL(o.Attrs), edgeSQLClip)
			}
		}
		out.Edges = append(out.Edges, v)
	}
	b := answerBudget()
	out.Edges = out.Edges[:fitCount(out.Edges, b.json-300)]
	if shown := cur.Offset + len(out.Edges); shown < len(visible) {
		out.Truncated = true
		out.NextCursor = cursor{Offset: shown}.encode()
	}
	t := newText(b.text)
	t.line("lineage of %s (%s, depth %d): %d edges", e.FQN, dir, depth, len(visible))
	for _, ed := range out.Edges {
		t.line("- hop %d: %s → %s (%s%s%s)%s", ed.Hop, ed.From, ed.To, ed.Kind, prefixed(": ", clipped(ed.Evidence, 100)),
			prefixed(", catalog ", ed.Catalog), prefixed("; SQL: ", clipped(strings.Join(strings.Fields(ed.SQL), " "), 200)))
	}
	if len(visible) == 0 {
		t.line("(no lineage known: it comes from views, Athena queries and table storage locations seen by scans)")
	}
	pageNote(t, cur.Offset+len(out.Edges), len(visible), true, out.NextCursor)
	return out, t.String(), nil
}

// edgeSQLClip bounds the SQL shown on one lineage edge.
const edgeSQLClip = 600

func serviceOf(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil {
		return ""
	}
	return parts[0]
}

// clipColumns keeps column mappings small: wide CTAS queries map hundreds.
func clipColumns(m map[string][]string) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, k := range sortedKeys(m) {
		if len(out) == 20 {
			break
		}
		v := m[k]
		if len(v) > 10 {
			v = v[:10]
		}
		out[k] = v
	}
	return out
}
