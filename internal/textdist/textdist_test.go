package textdist

import "testing"

func TestNearest(t *testing.T) {
	known := []string{"databaseFilterPattern", "tableFilterPattern", "includeViews", "glue"}
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"databaseFilterPatern", "databaseFilterPattern", true},
		{"TABLEFILTERPATTERN", "tableFilterPattern", true},
		{"glu", "glue", true},
		{"mysql", "", false},
		{"x", "", false},
	}
	for _, tt := range tests {
		got, ok := Nearest(tt.got, known)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Nearest(%q) = %q, %v; want %q, %v", tt.got, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Nearest("a", nil); ok {
		t.Error("Nearest with no candidates must not suggest")
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"sorce", "source", 1}, {"é", "e", 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
