package schemadrift

import (
	"fmt"
	"testing"
)

func TestCompare(t *testing.T) {
	glue := []Column{{Name: "id", Type: "bigint"}, {Name: "amount", Type: "decimal(10,2)"}, {Name: "note", Type: "varchar(20)"},
		{Name: "dt", Type: "string", PartitionKey: true}}
	cases := []struct {
		name, format string
		glue, files  []Column
		want         string
	}{
		{"same", "parquet", glue, []Column{{Name: "ID", Type: "BIGINT"}, {Name: "amount", Type: "decimal(10, 2)"}, {Name: "note", Type: "string"},
			{Name: "dt", Type: "string", PartitionKey: true}}, "Glue columns match the files"},
		{"added, removed, retyped", "parquet", glue, []Column{{Name: "id", Type: "int"}, {Name: "amount", Type: "decimal(10,2)"},
			{Name: "coupon", Type: "string"}, {Name: "dt", Type: "string", PartitionKey: true}},
			"missing from files: note; only in files: coupon; id is bigint in Glue, int in files"},
		{"partition keys", "parquet", glue, []Column{{Name: "id", Type: "bigint"}, {Name: "amount", Type: "decimal(10,2)"}, {Name: "note", Type: "string"},
			{Name: "dt", Type: "string", PartitionKey: true}, {Name: "region", Type: "string", PartitionKey: true}},
			"partition keys [dt] in Glue, [dt region] in files"},
		// A partition column the writer also keeps in the files is neither
		// missing nor extra.
		{"key kept in files", "parquet", []Column{{Name: "id", Type: "bigint"}, {Name: "dt", Type: "string", PartitionKey: true}},
			[]Column{{Name: "id", Type: "bigint"}, {Name: "dt", Type: "string"}, {Name: "dt", Type: "string", PartitionKey: true}}, "Glue columns match the files"},
		// Text files: values read as the Glue type unless Glue asks for
		// something narrower than the text holds.
		{"csv loose", "csv", []Column{{Name: "a", Type: "string"}, {Name: "b", Type: "double"}, {Name: "c", Type: "int"}},
			[]Column{{Name: "a", Type: "bigint"}, {Name: "b", Type: "bigint"}, {Name: "c", Type: "bigint"}}, "Glue columns match the files"},
		{"csv narrower", "csv", []Column{{Name: "a", Type: "bigint"}}, []Column{{Name: "a", Type: "string"}}, "a is bigint in Glue, string in files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Compare(c.glue, c.files, c.format)
			if got := d.Summary(); got != c.want {
				t.Errorf("Compare = %q (%+v), want %q", got, d, c.want)
			}
			if d.Empty() != (c.want == "Glue columns match the files") {
				t.Errorf("Empty() = %v for %s", d.Empty(), fmt.Sprint(d))
			}
		})
	}
}
