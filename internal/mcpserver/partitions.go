package mcpserver

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// maxPartitionPages bounds the partitions list_partitions reads to order
// them newest first; a table with more says its order covers those read.
const maxPartitionPages = 50

// PartitionsInput is list_partitions' arguments.
type PartitionsInput struct {
	FQN    string `json:"fqn" jsonschema:"FQN of a partitioned table, e.g. prod.sales.orders"`
	Filter string `json:"filter,omitempty" jsonschema:"pairs of key=value separated by / or spaces; a value matches by prefix, e.g. dt=2024-01 region=eu"`
	Limit  int    `json:"limit,omitempty" jsonschema:"partitions per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// PartitionView is one partition.
type PartitionView struct {
	Name     string `json:"name" jsonschema:"Hive path, e.g. dt=2024-01-01/region=eu"`
	Location string `json:"location,omitempty"`
	Created  string `json:"created,omitempty"`
}

// PartitionsOutput is a page of partitions, newest first.
type PartitionsOutput struct {
	FQN        string          `json:"fqn"`
	Keys       []string        `json:"partitionKeys"`
	Partitions []PartitionView `json:"partitions"`
	Total      int             `json:"total" jsonschema:"partitions matching the filter among those read"`
	AtLeast    bool            `json:"atLeast,omitempty" jsonschema:"true when the table has more partitions than were read (50,000)"`
	Truncated  bool            `json:"truncated"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

func listPartitions(ctx context.Context, s *session, in PartitionsInput) (PartitionsOutput, string, error) {
	out := PartitionsOutput{Partitions: []PartitionView{}}
	limit, _, err := limitArg("limit", in.Limit, catalog.DefaultLimit, catalog.MaxLimit)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	filter, err := parsePartitionFilter(in.Filter)
	if err != nil {
		return out, "", err
	}
	e, err := s.entity(ctx, "fqn", in.FQN)
	if err != nil {
		return out, "", err
	}
	if e.Kind != catalog.KindTable {
		return out, "", apperr.New(apperr.Invalid, "%q is a %s; list_partitions lists a table's partitions", e.FQN, e.Kind)
	}
	out.FQN, out.Keys = e.FQN, partitionKeyNames(e.Attrs)
	var parts []catalog.Entity
	after := ""
	for page := 0; ; page++ {
		if page == maxPartitionPages {
			out.AtLeast = true
			break
		}
		p, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{ParentFQN: e.FQN, Kinds: []catalog.Kind{catalog.KindPartition}, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return out, "", fmt.Errorf("listing partitions of %q: %w", e.FQN, err)
		}
		for _, pe := range p.Entities {
			if filter.matches(pe.Name) {
				parts = append(parts, pe)
			}
		}
		if after = p.Next; after == "" {
			break
		}
	}
	// Newest first: by creation time, then by name (Hive paths of dates
	// sort by time too).
	sort.SliceStable(parts, func(i, j int) bool {
		ci, cj := parts[i].SourceCreated, parts[j].SourceCreated
		if ci != nil && cj != nil && !ci.Equal(*cj) {
			return ci.After(*cj)
		}
		return parts[i].Name > parts[j].Name
	})
	out.Total = len(parts)
	page, _ := pageByOffset(parts, cur.Offset, limit)
	for _, p := range page {
		v := PartitionView{Name: p.Name, Location: clipped(str(p.Attrs, "location"), valueClip/2)}
		if p.SourceCreated != nil {
			v.Created = p.SourceCreated.UTC().Format("2006-01-02T15:04:05Z")
		}
		out.Partitions = append(out.Partitions, v)
	}
	b := answerBudget()
	out.Partitions = out.Partitions[:fitCount(out.Partitions, b.json-400)]
	if shown := cur.Offset + len(out.Partitions); shown < len(parts) {
		out.Truncated = true
		out.NextCursor = cursor{Offset: shown}.encode()
	}
	t := newText(b.text)
	more := ""
	if out.AtLeast {
		more = " (of the first 50,000 read)"
	}
	t.line("partitions of %s by %v, newest first: %d%s", e.FQN, out.Keys, out.Total, more)
	for _, p := range out.Partitions {
		t.line("- %s %s %s", p.Name, p.Created, p.Location)
	}
	if out.Total == 0 {
		if in.Filter != "" {
			t.line("(no partition matches %q)", in.Filter)
		} else {
			t.line("(no partitions catalogued: the table is unpartitioned, or the scan did not read partitions)")
		}
	}
	pageNote(t, cur.Offset+len(out.Partitions), out.Total, true, out.NextCursor)
	return out, t.String(), nil
}

// partitionFilter is key → value prefix.
type partitionFilter map[string]string

func parsePartitionFilter(s string) (partitionFilter, error) {
	f := partitionFilter{}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ' ' || r == ',' }) {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k == "" {
			return nil, apperr.New(apperr.Invalid, "filter %q: each part is key=value, e.g. dt=2024-01", clipped(s, 80))
		}
		f[strings.ToLower(k)] = v
	}
	return f, nil
}

func (f partitionFilter) matches(name string) bool {
	if len(f) == 0 {
		return true
	}
	got := map[string]string{}
	for _, seg := range strings.Split(name, "/") {
		if k, v, ok := strings.Cut(seg, "="); ok {
			got[strings.ToLower(k)] = v
		}
	}
	for k, prefix := range f {
		v, ok := got[k]
		if !ok || !strings.HasPrefix(v, prefix) {
			return false
		}
	}
	return true
}
