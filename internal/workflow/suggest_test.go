package workflow

import "testing"

func TestSuggest(t *testing.T) {
	keys := []string{"type", "databaseFilterPattern", "schemaFilterPattern", "includeViews", "awsRegion", "serviceName"}
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"databaseFilterPatern", "databaseFilterPattern", true},
		{"DatabaseFilterPattern", "databaseFilterPattern", true},
		{"servicename", "serviceName", true},
		{"includeView", "includeViews", true},
		{"awsRegin", "awsRegion", true},
		{"region", "awsRegion", true},
		{"name", "serviceName", true},
		{"Pattern", "", false}, // two candidates contain it
		{"colour", "", false},
		{"x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.got, func(t *testing.T) {
			got, ok := suggest(tt.got, keys)
			if ok != tt.ok || ok && got != tt.want {
				t.Errorf("suggest(%q) = %q, %v; want %q, %v", tt.got, got, ok, tt.want, tt.ok)
			}
		})
	}
}
