package mcpserver

import (
	"context"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// One listing tool for every kind an agent browses: five near-identical
// list_* tools cost tools/list more than they told an agent. Each kind keeps
// its own listing (facts, totals) below.

// ListEntitiesInput is list_entities' arguments.
type ListEntitiesInput struct {
	Kind       string `json:"kind" jsonschema:"database, table, bucket, container or workgroup"`
	Connection string `json:"connection,omitempty" jsonschema:"databases, buckets, workgroups: only this connection (serviceName); default every one"`
	Parent     string `json:"parent,omitempty" jsonschema:"tables: the database's FQN, e.g. prod.sales; containers: the bucket's or container's FQN"`
	Limit      int    `json:"limit,omitempty" jsonschema:"items per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor     string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// listedKinds are the kinds list_entities lists: per connection, or under a
// parent of the given kinds.
var listedKinds = []struct {
	kind      catalog.Kind
	title     string         // per-connection kinds: the plural in the text
	parents   []catalog.Kind // per-parent kinds
	countAttr string
}{
	{kind: catalog.KindDatabase, title: "databases"},
	{kind: catalog.KindTable, parents: []catalog.Kind{catalog.KindDatabase}, countAttr: "tableCount"},
	{kind: catalog.KindBucket, title: "buckets"},
	{kind: catalog.KindContainer, parents: []catalog.Kind{catalog.KindBucket, catalog.KindContainer}},
	{kind: catalog.KindWorkgroup, title: "workgroups"},
}

func listEntities(ctx context.Context, s *session, in ListEntitiesInput) (ListOutput, string, error) {
	want := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in.Kind)), "s")
	var names []string
	for _, k := range listedKinds {
		names = append(names, string(k.kind))
		if string(k.kind) != want {
			continue
		}
		if k.parents == nil {
			if in.Parent != "" {
				return ListOutput{}, "", apperr.New(apperr.Invalid, "%s are listed per connection: give connection, not parent", k.title)
			}
			return listUnderService(k.kind, k.title)(ctx, s, ConnectionListInput{Connection: in.Connection, Limit: in.Limit, Cursor: in.Cursor})
		}
		if in.Parent == "" {
			return ListOutput{}, "", apperr.New(apperr.Invalid, "%ss are listed under a parent: give parent, the FQN of a %s (kind %s lists those)",
				k.kind, kindList(k.parents), k.parents[0])
		}
		if in.Connection != "" {
			return ListOutput{}, "", apperr.New(apperr.Invalid, "%ss are listed under a parent, which names the connection: give parent alone", k.kind)
		}
		return listUnderParent(k.kind, k.parents, k.countAttr)(ctx, s, ParentListInput{Parent: in.Parent, Limit: in.Limit, Cursor: in.Cursor})
	}
	return ListOutput{}, "", apperr.New(apperr.Invalid, "kind %q: list_entities lists %s (search_catalog with kinds lists any other kind)", in.Kind, strings.Join(names, ", "))
}
