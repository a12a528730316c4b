// Package schema infers the columns of data files in S3 from a bounded
// prefix (CSV, TSV, JSON, JSON Lines, Avro) or from the footer (Parquet) of
// each file, read with range requests: it never reads a whole large file.
//
// Types are spelled the way Glue and Hive spell them (bigint, double,
// string, struct<a:int,b:string>, array<string>, map<string,bigint>,
// decimal(10,2)...), so that a container's schema compares directly with
// the Glue table over the same prefix.
package schema

import (
	"fmt"
	"strings"
)

// Column is one inferred column. Children are the fields of a struct, or
// of the struct inside an array (array<struct<...>>).
type Column struct {
	Name     string
	Type     string
	Children []Column
}

// Limits bound what one inference may produce, whatever the file holds.
const (
	// MaxDepth is the deepest nesting of struct fields kept as children;
	// deeper structure stays in the type string only.
	MaxDepth = 6
	// MaxColumns bounds the columns (nested fields included) of one file.
	MaxColumns = 2000
	// MaxTypeLength bounds a rendered type string.
	MaxTypeLength = 4000
)

func structType(fields []Column) string {
	var b strings.Builder
	b.WriteString("struct<")
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name)
		b.WriteByte(':')
		b.WriteString(f.Type)
		if b.Len() > MaxTypeLength {
			// Wide or deep structs would make a type string nobody reads;
			// the children still carry every field.
			return "struct<...>"
		}
	}
	b.WriteByte('>')
	return b.String()
}

// Count returns the number of columns including nested children.
func Count(cols []Column) int {
	n := 0
	for _, c := range cols {
		n += 1 + Count(c.Children)
	}
	return n
}

// Drift is how one sampled file's schema differs from the reference one.
type Drift struct {
	Key     string   `json:"key"`
	Added   []string `json:"added,omitempty"`   // columns only in this file
	Missing []string `json:"missing,omitempty"` // reference columns absent here
	Changed []string `json:"changed,omitempty"` // "name: refType -> thisType"
}

// Empty reports whether the schemas agree.
func (d Drift) Empty() bool { return len(d.Added) == 0 && len(d.Missing) == 0 && len(d.Changed) == 0 }

// Compare returns how other differs from ref, top-level columns only:
// a changed nested field shows as a change of its top-level type.
func Compare(key string, ref, other []Column) Drift {
	d := Drift{Key: key}
	refTypes := make(map[string]string, len(ref))
	for _, c := range ref {
		refTypes[c.Name] = c.Type
	}
	seen := make(map[string]bool, len(other))
	for _, c := range other {
		seen[c.Name] = true
		t, ok := refTypes[c.Name]
		switch {
		case !ok:
			d.Added = append(d.Added, c.Name)
		case t != c.Type:
			d.Changed = append(d.Changed, fmt.Sprintf("%s: %s -> %s", c.Name, t, c.Type))
		}
	}
	for _, c := range ref {
		if !seen[c.Name] {
			d.Missing = append(d.Missing, c.Name)
		}
	}
	return d
}

// uniqueNames renames duplicate and empty column names (a CSV header with
// two "id" columns, an empty header cell) so that every column has its own
// FQN: the second "id" becomes "id_2", an empty name "col_<position>".
func uniqueNames(cols []Column) []Column {
	seen := make(map[string]bool, len(cols))
	for i := range cols {
		name := strings.TrimSpace(cols[i].Name)
		if name == "" {
			name = fmt.Sprintf("col_%d", i)
		}
		base := name
		for n := 2; seen[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s_%d", base, n)
		}
		seen[strings.ToLower(name)] = true
		cols[i].Name = name
	}
	return cols
}
