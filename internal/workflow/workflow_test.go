package workflow

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/source"
)

var update = flag.Bool("update", false, "rewrite golden files and the committed schema")

// testEnv is the environment every golden case sees, so the cases do not
// depend on the machine's.
var testEnv = map[string]string{
	"LAKEMAP_TEST_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"LAKEMAP_TEST_KEY_ID":     "AKIAIOSFODNN7EXAMPLE",
	"LAKEMAP_TEST_EMPTY":      "",
}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

func testRegistry() *source.Registry {
	r := source.NewRegistry()
	registerSources(r)
	return r
}

func parseTest(file string, data []byte) (*Workflow, error) {
	return Options{Registry: testRegistry(), LookupEnv: lookupTestEnv}.Parse(file, data)
}

// render is what a golden file holds: the findings, one per line, or the
// notes and the effective workflow (secrets masked).
func render(t *testing.T, wf *Workflow, err error) string {
	t.Helper()
	if err != nil {
		var fs Findings
		if !errors.As(err, &fs) {
			t.Fatalf("Parse returned %T (%v), want Findings", err, err)
		}
		return fs.Error() + "\n"
	}
	var b strings.Builder
	for _, n := range wf.Notes {
		b.WriteString("note: " + n + "\n")
	}
	y, err := wf.YAML()
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("---\n")
	b.Write(y)
	return b.String()
}

// TestGolden parses testdata/<case>/input.yaml and compares the result with
// want.txt. Run with -update after a deliberate change of message.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/input.yaml")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			wf, err := parseTest("input.yaml", data)
			got := render(t, wf, err)
			for _, secret := range testEnv {
				if secret != "" && strings.Contains(got, secret) {
					t.Errorf("output shows the secret %q", secret)
				}
			}
			wantFile := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/workflow -update)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestParseAppliesDefaults(t *testing.T) {
	const in = `
source:
  type: glue
  serviceName: prod_glue
  serviceConnection:
    config:
      awsConfig:
        assumeRoleArn: arn:aws:iam::123456789012:role/lakemap-reader
        assumeRoleExternalId: lakemap-1234
sink:
  type: lakemap
`
	wf, err := parseTest("wf.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	aws := wf.Source.Connection.AWS()
	if aws.Region != "us-east-1" || aws.AssumeRoleSessionName != "lakemap-prod_glue" {
		t.Errorf("awsConfig defaults not applied: region %q, session %q", aws.Region, aws.AssumeRoleSessionName)
	}
	if got := wf.Source.Connection.Access(); got != "ReadOnly" {
		t.Errorf("access level = %q, want ReadOnly", got)
	}
	if wf.Config.LoggerLevel != "INFO" || wf.Sink.Type != "lakemap" || wf.Source.Spec.Type != "glue" {
		t.Errorf("got %+v %+v", wf.Config, wf.Sink)
	}
	if len(wf.Notes) != 0 {
		t.Errorf("notes = %q, want none", wf.Notes)
	}
	if wf.Source.SourceConfig == nil {
		t.Fatal("source config is nil, want the spec's defaults")
	}
}

func TestFindingsAreInvalid(t *testing.T) {
	_, err := parseTest("wf.yaml", []byte("sink: {type: lakemap}\n"))
	if err == nil {
		t.Fatal("want findings")
	}
	if k := apperr.KindOf(err); k != apperr.Invalid {
		t.Errorf("kind = %v, want invalid", k)
	}
	var fs Findings
	if !errors.As(err, &fs) || len(fs) != 1 || fs[0].Path != "source" {
		t.Errorf("findings = %#v", fs)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"), testRegistry())
	if k := apperr.KindOf(err); k != apperr.NotFound {
		t.Errorf("missing file: kind %v (%v), want not_found", k, err)
	}
	path := filepath.Join(dir, "wf.yaml")
	if err := os.WriteFile(path, []byte("source: {type: glue}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path, testRegistry())
	want := path + ":1:1: missing required key \"serviceName\" in source"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want a finding %q", err, want)
	}
}

func TestFindingError(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{File: "a.yaml", Line: 3, Col: 5, Message: "m"}, "a.yaml:3:5: m"},
		{Finding{File: "a.yaml", Line: 3, Message: "m"}, "a.yaml:3: m"},
		{Finding{File: "a.yaml", Message: "m"}, "a.yaml: m"},
	}
	for _, tt := range tests {
		if got := tt.f.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
