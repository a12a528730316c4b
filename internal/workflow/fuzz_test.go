package workflow

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes the parser panic or return neither a
// workflow nor findings. Seeds are the golden inputs.
func FuzzParse(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*/input.yaml")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// Hostile shapes: an alias bomb, deep nesting, a huge scalar.
	f.Add([]byte("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nsource: *d\n"))
	f.Add([]byte("source: " + strings.Repeat("[", 500) + strings.Repeat("]", 500) + "\n"))
	f.Add([]byte("source:\n  serviceName: " + strings.Repeat("x", 1<<16) + "\n"))
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		wf, err := Options{Registry: reg, LookupEnv: lookupTestEnv}.Parse("fuzz.yaml", data)
		var fs Findings
		switch {
		case err == nil && wf == nil:
			t.Fatal("no workflow and no error")
		case err != nil && !errors.As(err, &fs):
			t.Fatalf("error is not Findings: %v", err)
		case err != nil && len(fs) == 0:
			t.Fatal("empty Findings")
		case err == nil:
			if _, err := wf.YAML(); err != nil {
				t.Fatalf("YAML: %v", err)
			}
		}
	})
}
