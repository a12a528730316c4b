package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
	"github.com/lakemap/lakemap/internal/schemadrift"
)

// maxColumns bounds the columns read for one table; wider tables say so.
const maxColumns = 20_000

// EntityInput is get_entity's arguments.
type EntityInput struct {
	FQN    string `json:"fqn" jsonschema:"fully qualified name, e.g. prod.sales.orders; parts with dots may be quoted (prod.sales.\"my.table\") or not when unambiguous"`
	Limit  int    `json:"limit,omitempty" jsonschema:"children (columns of a table, tables of a database...) per page; default 50, at most 1000"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page of children"`
}

// EntityOutput is get_entity's result: the entity and a page of its children.
type EntityOutput struct {
	Entity        EntityView      `json:"entity"`
	Children      []EntitySummary `json:"children"`
	ChildrenTotal *int            `json:"childrenTotal,omitempty" jsonschema:"children in all, when known"`
	Truncated     bool            `json:"truncated" jsonschema:"true when more children exist than this page shows"`
	NextCursor    string          `json:"nextCursor,omitempty"`
}

func getEntity(ctx context.Context, s *session, in EntityInput) (EntityOutput, string, error) {
	var out EntityOutput
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
	b := answerBudget()
	out.Entity = viewWithin(e, b.json/2)
	used := jsonSize(out.Entity)
	if hasColumns(e.Kind) {
		cols, complete, err := s.columns(ctx, e.FQN)
		if err != nil {
			return out, "", err
		}
		page, next := pageByOffset(cols, cur.Offset, limit)
		out.Children = make([]EntitySummary, len(page))
		for i, c := range page {
			out.Children[i] = summarize(c)
		}
		out.Children = out.Children[:fitCount(out.Children, b.json-used-300)]
		total := len(cols)
		out.ChildrenTotal = &total
		if shown := cur.Offset + len(out.Children); shown < len(cols) || (!complete && next == 0) {
			out.Truncated = true
			out.NextCursor = cursor{Offset: shown}.encode()
		}
	} else {
		list, _, err := s.listChildren(ctx, e.FQN, nil, limit, in.Cursor)
		if err != nil {
			return out, "", err
		}
		out.Children = list.Items[:fitCount(list.Items, b.json-used-300)]
		if len(out.Children) < len(list.Items) {
			list.NextCursor = cursor{Token: out.Children[len(out.Children)-1].FQN}.encode()
		}
		out.Truncated, out.NextCursor = list.NextCursor != "", list.NextCursor
	}

	t := newText(b.text)
	v := out.Entity
	t.line("%s %s (connection %s)%s", v.Kind, v.FQN, v.Service, deletedNote(v.Deleted))
	if v.Description != "" {
		t.line("description: %s", clipped(v.Description, 500))
	}
	for _, k := range sortedKeys(v.Attributes) {
		t.line("%s: %s", k, compactValue(v.Attributes[k], 200))
	}
	if len(v.ClippedFields) > 0 {
		t.line("clipped to fit: %v", v.ClippedFields)
	}
	if len(out.Children) > 0 {
		t.line("children:")
	}
	for _, c := range out.Children {
		renderSummary(t, c)
	}
	total := 0
	if out.ChildrenTotal != nil {
		total = *out.ChildrenTotal
	}
	pageNote(t, cur.Offset+len(out.Children), total, out.ChildrenTotal != nil, out.NextCursor)
	return out, t.String(), nil
}

// viewWithin clips an entity's values harder until its view fits n bytes.
func viewWithin(e catalog.Entity, n int) EntityView {
	v := viewOf(e)
	for clipAt := valueClip / 2; jsonSize(v) > n && clipAt >= 60; clipAt /= 2 {
		attrs, cut := clipAttrs(e.Attrs, clipAt)
		v.Attributes, v.ClippedFields = attrs, cut
		v.Description = clipped(e.Description, clipAt)
		if len(e.Description) > clipAt {
			v.ClippedFields = append([]string{"description"}, cut...)
		}
	}
	return v
}

func hasColumns(k catalog.Kind) bool { return k == catalog.KindTable || k == catalog.KindContainer }

// columns reads a table's top-level columns in their table order.
func (s *session) columns(ctx context.Context, parent string) ([]catalog.Entity, bool, error) {
	var out []catalog.Entity
	after := ""
	for len(out) < maxColumns {
		page, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{ParentFQN: parent, Kinds: []catalog.Kind{catalog.KindColumn}, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return nil, false, fmt.Errorf("listing columns of %q: %w", parent, err)
		}
		out = append(out, page.Entities...)
		if page.Next == "" {
			sortColumns(out)
			return out, true, nil
		}
		after = page.Next
	}
	sortColumns(out)
	return out, false, nil
}

func sortColumns(cols []catalog.Entity) {
	sort.SliceStable(cols, func(i, j int) bool {
		oi, iok := intAttr(cols[i].Attrs, "ordinal")
		oj, jok := intAttr(cols[j].Attrs, "ordinal")
		if iok && jok && oi != oj {
			return oi < oj
		}
		return cols[i].Name < cols[j].Name
	})
}

// pageByOffset returns items[offset:offset+limit] and the next offset (0 at the end).
func pageByOffset[T any](items []T, offset, limit int) ([]T, int) {
	start := min(offset, len(items))
	end := min(start+limit, len(items))
	if end < len(items) {
		return items[start:end], end
	}
	return items[start:end], 0
}

// SchemaInput is get_table_schema's arguments.
type SchemaInput struct {
	FQN     string `json:"fqn" jsonschema:"FQN of a table (or of an S3 container with a schema), e.g. prod.sales.orders"`
	Limit   int    `json:"limit,omitempty" jsonschema:"columns per page; default 200, at most 1000 (cut to fit the response size)"`
	Cursor  string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page of columns"`
	Compact bool   `json:"compact,omitempty" jsonschema:"columns as name and type only: wide tables in fewer pages"`
}

// ColumnView is one column of a schema.
type ColumnView struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Comment      string `json:"comment,omitempty"`
	Ordinal      int    `json:"ordinal,omitempty" jsonschema:"position from 0 (absent for 0 and in compact mode)"`
	PartitionKey bool   `json:"partitionKey,omitempty"`
}

// SchemaOutput is get_table_schema's result.
type SchemaOutput struct {
	FQN           string       `json:"fqn"`
	Kind          catalog.Kind `json:"kind"`
	Description   string       `json:"description,omitempty"`
	TableType     string       `json:"tableType,omitempty"`
	Format        string       `json:"format,omitempty"`
	Location      string       `json:"location,omitempty"`
	IsView        bool         `json:"isView,omitempty"`
	ViewSQL       string       `json:"viewSql,omitempty" jsonschema:"the view's SQL, decoded from Athena's Presto View encoding"`
	PartitionKeys []string     `json:"partitionKeys,omitempty"`
	Partitions    int          `json:"partitionCount,omitempty" jsonschema:"partitions seen in the last scan"`
	Newest        string       `json:"newestPartition,omitempty" jsonschema:"newest partition, e.g. dt=2024-01-01 (list_partitions lists them)"`
	NewestCreated string       `json:"newestPartitionCreated,omitempty"`
	Columns       []ColumnView `json:"columns"`
	ColumnsTotal  int          `json:"columnsTotal"`
	Truncated     bool         `json:"truncated" jsonschema:"true when more columns exist than this page shows"`
	NextCursor    string       `json:"nextCursor,omitempty"`
	ClippedFields []string     `json:"clippedFields,omitempty"`
	Deleted       bool         `json:"deleted,omitempty"`
	// Drift is set when the table's files disagree with it.
	Drift *schemadrift.Drift `json:"schemaDrift,omitempty" jsonschema:"how the Glue columns disagree with the S3 files' inferred schema"`
}

const defaultSchemaLimit = 200

func getTableSchema(ctx context.Context, s *session, in SchemaInput) (SchemaOutput, string, error) {
	var out SchemaOutput
	limit, _, err := limitArg("limit", in.Limit, defaultSchemaLimit, catalog.MaxLimit)
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
	if !hasColumns(e.Kind) {
		return out, "", apperr.New(apperr.Invalid, "%q is a %s, not a table: get_entity describes it; list_entities lists a database's tables", e.FQN, e.Kind)
	}
	out = SchemaOutput{FQN: e.FQN, Kind: e.Kind, Deleted: e.Deleted,
		TableType: str(e.Attrs, "tableType"), Format: str(e.Attrs, "format"), Location: str(e.Attrs, "location")}
	out.IsView, _ = e.Attrs["isView"].(bool)
	var cut bool
	if out.Description, cut = clip(e.Description, descriptionClip*3); cut {
		out.ClippedFields = append(out.ClippedFields, "description")
	}
	if out.ViewSQL, cut = clip(viewSQL(e.Attrs), longTextClip/2); cut {
		out.ClippedFields = append(out.ClippedFields, "viewSql")
	}
	out.Partitions, _ = intAttr(e.Attrs, "partitionCount")
	out.Newest, out.NewestCreated = str(e.Attrs, "newestPartition"), str(e.Attrs, "newestPartitionCreated")
	cols, complete, err := s.columns(ctx, e.FQN)
	if err != nil {
		return out, "", err
	}
	for _, c := range cols {
		if pk, _ := c.Attrs["isPartitionKey"].(bool); pk {
			out.PartitionKeys = append(out.PartitionKeys, c.Name)
		}
	}
	if len(out.PartitionKeys) == 0 {
		out.PartitionKeys = partitionKeyNames(e.Attrs)
	}
	if d, ok, err := schemadrift.Of(ctx, s.srv.opts.Store, e); err != nil {
		return out, "", err
	} else if ok && !d.Empty() {
		if out.Drift, cut = clipDrift(d); cut {
			out.ClippedFields = append(out.ClippedFields, "schemaDrift")
		}
	}
	b := answerBudget()
	room := b.json - jsonSize(out) - 300
	page, _ := pageByOffset(cols, cur.Offset, limit)
	out.Columns = make([]ColumnView, len(page))
	for i, c := range page {
		ord, _ := intAttr(c.Attrs, "ordinal")
		pk, _ := c.Attrs["isPartitionKey"].(bool)
		out.Columns[i] = ColumnView{Name: c.Name, Type: clipped(str(c.Attrs, "dataType"), valueClip), Comment: clipped(c.Description, descriptionClip), Ordinal: ord, PartitionKey: pk}
		if in.Compact {
			out.Columns[i] = ColumnView{Name: c.Name, Type: out.Columns[i].Type}
		}
	}
	out.Columns = out.Columns[:fitCount(out.Columns, room)]
	out.ColumnsTotal = len(cols)
	if shown := cur.Offset + len(out.Columns); shown < len(cols) || !complete {
		out.Truncated = true
		out.NextCursor = cursor{Offset: shown}.encode()
	}

	t := newText(b.text)
	t.line("%s %s%s", e.Kind, e.FQN, deletedNote(e.Deleted))
	for _, kv := range [][2]string{{"type", out.TableType}, {"format", out.Format}, {"location", out.Location}, {"description", clipped(out.Description, 300)}} {
		if kv[1] != "" {
			t.line("%s: %s", kv[0], kv[1])
		}
	}
	if len(out.PartitionKeys) > 0 {
		t.line("partitioned by: %v", out.PartitionKeys)
	}
	if out.Partitions > 0 || out.Newest != "" {
		t.line("partitions: %d; newest %s %s", out.Partitions, orDash(out.Newest), out.NewestCreated)
	}
	if out.ViewSQL != "" {
		t.line("view SQL: %s", clipped(out.ViewSQL, 500))
	}
	if out.Drift != nil {
		t.line("schema drift against files in %s: %s", out.Drift.Container, clipped(out.Drift.Summary(), 1000))
	}
	t.line("columns (%d):", len(cols))
	for i, c := range out.Columns {
		line := fmt.Sprintf("  %d. %s %s", cur.Offset+i, c.Name, clipped(c.Type, 200))
		if c.PartitionKey {
			line += " (partition key)"
		}
		if c.Comment != "" {
			line += " — " + clipped(c.Comment, 100)
		}
		t.line("%s", line)
	}
	pageNote(t, cur.Offset+len(out.Columns), len(cols), complete, out.NextCursor)
	return out, t.String(), nil
}

// viewSQL is a view's SQL as written: Athena's "/* Presto View: <base64> */"
// decoded to its originalSql, else Glue's text as stored.
func viewSQL(attrs map[string]any) string {
	original := str(attrs, "viewOriginalText")
	if original == "" {
		return ""
	}
	v, err := sqlparse.DecodeView(original, str(attrs, "viewExpandedText"))
	if err != nil {
		return original
	}
	return v.SQL
}

// partitionKeyNames reads the table's partitionKeys attribute
// ([{name, type, comment}]) when its columns do not flag them.
func partitionKeyNames(attrs map[string]any) []string {
	keys, _ := attrs["partitionKeys"].([]any)
	var out []string
	for _, k := range keys {
		if m, ok := k.(map[string]any); ok {
			if n, _ := m["name"].(string); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

func str(attrs map[string]any, k string) string {
	s, _ := attrs[k].(string)
	return s
}

func jsonSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

func deletedNote(deleted bool) string {
	if deleted {
		return " (deleted: gone from AWS since a scan)"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compactValue renders an attribute value on one line.
func compactValue(v any, n int) string {
	if s, ok := v.(string); ok {
		return clipped(s, n)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clipped(string(b), n)
}
