package source

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	f, err := FilterPattern{Includes: []string{"sales.*", "FIN"}, Excludes: []string{".*_tmp$"}}.Compile("tableFilterPattern")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"sales_orders": true, "Sales": true, "finance": true, "sales_tmp": false,
		"marketing": false, "presales": false,
	} {
		if got := f.Allows(name); got != want {
			t.Errorf("Allows(%q) = %v, want %v", name, got, want)
		}
	}
	if !(Filter{}).Allows("anything") {
		t.Error("zero Filter must allow everything")
	}
}

func TestFilterRejectsBadPatterns(t *testing.T) {
	for _, p := range []string{"(", "a)|(b", "[z-a]", "*x"} {
		_, err := FilterPattern{Excludes: []string{"ok", p}}.Compile("tableFilterPattern")
		if err == nil || !strings.Contains(err.Error(), "tableFilterPattern.excludes[1]") || !strings.Contains(err.Error(), p) {
			t.Errorf("Compile(%q) err = %v, want one naming the field and the pattern", p, err)
		}
	}
}
