package glue

import (
	"reflect"
	"testing"
)

func TestStructFields(t *testing.T) {
	tests := []struct {
		typ     string
		want    []hiveField
		wantErr bool
	}{
		{typ: "string"},
		{typ: "decimal(10,2)"},
		{typ: "array<string>"},
		{typ: "struct<a:int,b:string>", want: []hiveField{{"a", "int"}, {"b", "string"}}},
		{typ: "STRUCT<a:INT>", want: []hiveField{{"a", "INT"}}},
		{typ: "struct<price:decimal(10,2),tags:array<string>>", want: []hiveField{{"price", "decimal(10,2)"}, {"tags", "array<string>"}}},
		{typ: "array<struct<sku:string,qty:int>>", want: []hiveField{{"sku", "string"}, {"qty", "int"}}},
		{typ: "map<string,struct<x:double>>", want: []hiveField{{"x", "double"}}},
		{typ: "map<string,int>"},
		{typ: "struct<`weird:name`:int, spaced : string>", want: []hiveField{{"weird:name", "int"}, {"spaced", "string"}}},
		{typ: "struct<a:struct<b:int>>", want: []hiveField{{"a", "struct<b:int>"}}},
		{typ: "struct<a:int", wantErr: true},
		{typ: "struct<a>", wantErr: true},
		{typ: "map<string>", wantErr: true},
		{typ: "struct<a:array<int>>>", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			got, err := structFields(tt.typ)
			if (err != nil) != tt.wantErr {
				t.Fatalf("structFields(%q) error = %v, wantErr %v", tt.typ, err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("structFields(%q) = %#v, want %#v", tt.typ, got, tt.want)
			}
		})
	}
}
