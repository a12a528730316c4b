// Package schemadrift answers "does this Glue table still describe its
// files?": it compares a table's columns and partition keys with the schema
// lakemap inferred from the S3 files at the table's location (the S3
// container the storage lineage links it to). Both sides are already in the
// catalog, so the comparison makes no AWS call.
package schemadrift

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
)

// Reader is what the comparison reads from the catalog.
type Reader interface {
	catalog.EntityReader
	catalog.LineageReader
}

// TypeChange is a column whose Glue type disagrees with its files'.
type TypeChange struct {
	Column string `json:"column"`
	Glue   string `json:"glue"`
	Files  string `json:"files"`
}

// Keys is a partition key disagreement: the keys in Glue and in the files'
// paths, in order.
type Keys struct {
	Glue  []string `json:"glue"`
	Files []string `json:"files"`
}

// Drift is how a Glue table and its files disagree.
type Drift struct {
	Table     string `json:"table"`
	Container string `json:"container" jsonschema:"the S3 container holding the table's files"`
	Format    string `json:"format,omitempty" jsonschema:"the files' format"`
	// Missing are Glue columns no sampled file has; Extra are file columns
	// Glue does not declare.
	Missing     []string     `json:"missing,omitempty"`
	Extra       []string     `json:"extra,omitempty"`
	TypeChanged []TypeChange `json:"typeChanged,omitempty"`
	Partitions  *Keys        `json:"partitionKeys,omitempty"`
}

// Empty reports whether the table agrees with its files.
func (d Drift) Empty() bool {
	return len(d.Missing) == 0 && len(d.Extra) == 0 && len(d.TypeChanged) == 0 && d.Partitions == nil
}

// Summary is the drift on one line, for people and agents.
func (d Drift) Summary() string {
	if d.Empty() {
		return "Glue columns match the files"
	}
	var parts []string
	if len(d.Missing) > 0 {
		parts = append(parts, "missing from files: "+strings.Join(d.Missing, ", "))
	}
	if len(d.Extra) > 0 {
		parts = append(parts, "only in files: "+strings.Join(d.Extra, ", "))
	}
	for _, c := range d.TypeChanged {
		parts = append(parts, fmt.Sprintf("%s is %s in Glue, %s in files", c.Column, c.Glue, c.Files))
	}
	if d.Partitions != nil {
		parts = append(parts, fmt.Sprintf("partition keys %v in Glue, %v in files", d.Partitions.Glue, d.Partitions.Files))
	}
	return strings.Join(parts, "; ")
}

// Column is one column of either side.
type Column struct {
	Name, Type   string
	PartitionKey bool
}

// maxColumns bounds the columns read per side: wider tables are compared
// on their first maxColumns.
const maxColumns = 5000

// Of compares table with the container its files live in. ok is false when
// there is nothing to compare: not a table with an S3 location, a view, no
// catalogued container at exactly that location, or one without a schema.
func Of(ctx context.Context, r Reader, table catalog.Entity) (Drift, bool, error) {
	if table.Kind != catalog.KindTable || table.Deleted {
		return Drift{}, false, nil
	}
	if view, _ := table.Attrs["isView"].(bool); view {
		return Drift{}, false, nil
	}
	location, _ := table.Attrs["location"].(string)
	bucket, prefix, ok := lineage.ParseS3(location)
	if !ok {
		return Drift{}, false, nil
	}
	container, ok, err := containerAt(ctx, r, table.FQN, bucket, prefix)
	if err != nil || !ok {
		return Drift{}, false, err
	}
	files, err := columns(ctx, r, container.FQN)
	if err != nil || len(files) == 0 {
		return Drift{}, false, err
	}
	glue, err := columns(ctx, r, table.FQN)
	if err != nil {
		return Drift{}, false, err
	}
	if len(glue) == 0 {
		return Drift{}, false, nil
	}
	format, _ := container.Attrs["format"].(string)
	d := Compare(glue, files, format)
	d.Table, d.Container, d.Format = table.FQN, container.FQN, format
	return d, true, nil
}

// containerAt finds, among the storage lineage of table, the container
// catalogued at exactly the table's location: a container higher up holds
// other data too, and its schema is not the table's.
func containerAt(ctx context.Context, r Reader, table, bucket, prefix string) (catalog.Entity, bool, error) {
	edges, err := r.Edges(ctx, table, catalog.Upstream, 1)
	if err != nil {
		return catalog.Entity{}, false, fmt.Errorf("reading the storage of %q: %w", table, err)
	}
	want := strings.TrimSuffix(prefix, "/")
	for _, e := range edges {
		if e.Kind != catalog.EdgeStorage || e.To != table {
			continue
		}
		c, err := r.Get(ctx, e.From)
		if err != nil {
			return catalog.Entity{}, false, fmt.Errorf("reading container %q: %w", e.From, err)
		}
		if c.Kind != catalog.KindContainer || c.Deleted {
			continue
		}
		path, _ := c.Attrs["path"].(string)
		if strings.TrimSuffix(path, "/") == want && bucketOf(c) == bucket {
			return c, true, nil
		}
	}
	return catalog.Entity{}, false, nil
}

// bucketOf is a container's bucket: the FQN part after the service.
func bucketOf(c catalog.Entity) string {
	parts, err := catalog.SplitFQN(c.FQN)
	if err != nil || len(parts) < 2 {
		return ""
	}
	return parts[1]
}

func columns(ctx context.Context, r Reader, parent string) ([]Column, error) {
	var out []Column
	after := ""
	for len(out) < maxColumns {
		page, err := r.List(ctx, catalog.ListQuery{ParentFQN: parent, Kinds: []catalog.Kind{catalog.KindColumn}, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("listing columns of %q: %w", parent, err)
		}
		for _, e := range page.Entities {
			typ, _ := e.Attrs["dataType"].(string)
			pk, _ := e.Attrs["isPartitionKey"].(bool)
			out = append(out, Column{Name: e.Name, Type: typ, PartitionKey: pk})
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	return out, nil
}

// Compare returns how the Glue columns disagree with the files' columns.
// Names compare case-insensitively, as Athena reads them. Types compare
// exactly (after spelling) for self-describing formats (Parquet, Avro,
// ORC); for text formats (CSV, JSON) the files' types are guesses from
// values, so only a Glue type the values cannot be read as counts.
func Compare(glue, files []Column, format string) Drift {
	var d Drift
	loose := textFormats[strings.ToLower(format)]
	glueData, glueKeys := split(glue)
	fileData, fileKeys := split(files)
	if !slices.EqualFunc(names(glueKeys), names(fileKeys), strings.EqualFold) {
		d.Partitions = &Keys{Glue: names(glueKeys), Files: names(fileKeys)}
	}
	isKey := func(cols []Column, name string) bool {
		return slices.ContainsFunc(cols, func(c Column) bool { return strings.EqualFold(c.Name, name) })
	}
	fileByName := map[string]Column{}
	for _, c := range fileData {
		fileByName[strings.ToLower(c.Name)] = c
	}
	glueByName := map[string]bool{}
	for _, g := range glueData {
		glueByName[strings.ToLower(g.Name)] = true
		f, ok := fileByName[strings.ToLower(g.Name)]
		switch {
		case !ok:
			// A partition column some writers also keep in the files is
			// not missing.
			if !isKey(fileKeys, g.Name) {
				d.Missing = append(d.Missing, g.Name)
			}
		case !sameType(g.Type, f.Type, loose):
			d.TypeChanged = append(d.TypeChanged, TypeChange{Column: g.Name, Glue: g.Type, Files: f.Type})
		}
	}
	for _, f := range fileData {
		if !glueByName[strings.ToLower(f.Name)] && !isKey(glueKeys, f.Name) {
			d.Extra = append(d.Extra, f.Name)
		}
	}
	return d
}

var textFormats = map[string]bool{"csv": true, "tsv": true, "json": true, "jsonl": true, "text": true}

func split(cols []Column) (data, keys []Column) {
	for _, c := range cols {
		if c.PartitionKey {
			keys = append(keys, c)
		} else {
			data = append(data, c)
		}
	}
	return data, keys
}

func names(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

var lengthSuffix = regexp.MustCompile(`^(var)?char\(\d+\)$`)

// spell writes a type the one way Glue and the inference both could.
func spell(t string) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), ""))
	switch {
	case t == "integer":
		return "int"
	case t == "long":
		return "bigint"
	case t == "real":
		return "float"
	case lengthSuffix.MatchString(t) || t == "varchar" || t == "char":
		return "string"
	}
	return t
}

// family groups the types values written as text can be read as.
func family(t string) string {
	switch t = spell(t); {
	case t == "tinyint" || t == "smallint" || t == "int" || t == "bigint":
		return "int"
	case t == "float" || t == "double":
		return "float"
	case strings.HasPrefix(t, "decimal"):
		return "decimal"
	case strings.HasPrefix(t, "struct<") || strings.HasPrefix(t, "array<") || strings.HasPrefix(t, "map<"):
		return "complex"
	}
	return t
}

func sameType(glue, files string, loose bool) bool {
	if spell(glue) == spell(files) {
		return true
	}
	if !loose {
		return false
	}
	g, f := family(glue), family(files)
	// Any text reads as a string; integers read as floats and decimals.
	return g == f || g == "string" || (g == "float" || g == "decimal") && f == "int"
}
