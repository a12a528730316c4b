package onboard

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seeds live outside the module; testdata/seed keeps copies of their
// JSON blocks so the tests run without them. When a seed is there,
// TestSeedCopies checks the copies are current (and -update rewrites them).
var seedFiles = map[string]string{
	"vendor":       "000_d77dd2258ccbda60.txt",
	"openmetadata": "002_fbba957d4dfc89ae.txt",
}

// seedBlock names a ```json block of a seed by the headings above it.
type seedBlock struct {
	File     string   // testdata/seed/<File>
	Doc      string   // "vendor" or "openmetadata"
	Headings []string // each must be an open heading (any level), in order
	// Fragment picks the block that is not a JSON document: the guide's
	// "Restrict to Specific Resources" snippets ("Resource": [...]).
	Fragment bool
}

var seedBlocks = []seedBlock{
	{"trust-policy.json", "vendor", []string{"Authentication Setup", "Step 1: Create IAM Role in Your AWS Account"}, false},
	{"glue-readonly.json", "vendor", []string{"AWS Glue Data Catalog", "ReadOnly Access"}, false},
	{"glue-readwrite.json", "vendor", []string{"AWS Glue Data Catalog", "ReadWrite Access"}, false},
	{"datazone-readonly.json", "vendor", []string{"AWS DataZone", "ReadOnly Access"}, false},
	{"datazone-readwrite.json", "vendor", []string{"AWS DataZone", "ReadWrite Access"}, false},
	{"s3-readonly.json", "vendor", []string{"AWS S3", "ReadOnly Access"}, false},
	{"s3-readwrite.json", "vendor", []string{"AWS S3", "ReadWrite Access"}, false},
	{"s3-cloudwatch.json", "openmetadata", []string{"CloudWatch Permissions"}, false},
	{"glue-restrict.fragment", "vendor", []string{"AWS Glue Data Catalog", "ReadWrite Access"}, true},
	{"s3-restrict.fragment", "vendor", []string{"AWS S3", "ReadWrite Access"}, true},
}

// markdownJSONBlocks returns each ```json block of a Markdown document with
// the headings open above it, outermost first.
func markdownJSONBlocks(doc string) (blocks []struct {
	Headings []string
	Body     string
}) {
	var open []string // open[i] is the heading of level i+1
	var body *strings.Builder
	var headings []string
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case body != nil && trimmed == "```":
			blocks = append(blocks, struct {
				Headings []string
				Body     string
			}{headings, body.String()})
			body = nil
		case body != nil:
			body.WriteString(line + "\n")
		case trimmed == "```json":
			body = &strings.Builder{}
			headings = nil
			for _, h := range open {
				if h != "" {
					headings = append(headings, h)
				}
			}
		case strings.HasPrefix(line, "#"):
			level := len(line) - len(strings.TrimLeft(line, "#"))
			title := strings.TrimSpace(line[level:])
			for len(open) < level {
				open = append(open, "")
			}
			open = append(open[:level-1], title)
		}
	}
	return blocks
}

// extractSeed finds the block under the given headings.
func extractSeed(t *testing.T, doc string, sb seedBlock) []byte {
	t.Helper()
	want := sb.Headings
	var found []string
	for _, b := range markdownJSONBlocks(doc) {
		if hasInOrder(b.Headings, want) && json.Valid([]byte(b.Body)) != sb.Fragment {
			found = append(found, b.Body)
		}
	}
	if len(found) != 1 {
		t.Fatalf("found %d ```json blocks under %q, want 1", len(found), want)
	}
	return []byte(found[0])
}

func hasInOrder(headings, want []string) bool {
	i := 0
	for _, h := range headings {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

// readSeedDoc returns the seed document, or "" when this checkout lacks it.
func readSeedDoc(t *testing.T, name string) string {
	t.Helper()
	file := seedFiles[name]
	candidates := []string{
		filepath.Join("..", "..", "..", "shared", "seeds", file),
		filepath.Join("/work", "shared", "seeds", file),
	}
	for _, p := range candidates {
		if data, err := os.ReadFile(p); err == nil {
			return string(data)
		}
	}
	return ""
}

func TestSeedCopies(t *testing.T) {
	for _, sb := range seedBlocks {
		t.Run(sb.File, func(t *testing.T) {
			doc := readSeedDoc(t, sb.Doc)
			if doc == "" {
				t.Skipf("seed document %q not in this checkout; testdata/seed is used as is", sb.Doc)
			}
			block := extractSeed(t, doc, sb)
			path := filepath.Join(testdataDir, "seed", sb.File)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, block, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			copied, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/onboard -update)", err)
			}
			if !bytes.Equal(copied, block) {
				t.Errorf("%s differs from the seed; run go test ./internal/onboard -update and review the policy change", path)
			}
		})
	}
}

func TestMarkdownJSONBlocks(t *testing.T) {
	doc := "# A\n## B\n```json\n{\"x\": 1}\n```\n### C\n```json\n[]\n```\n## D\n```bash\nls\n```\n```json\n{}\n```\n"
	got := markdownJSONBlocks(doc)
	want := []struct {
		headings string
		body     string
	}{
		{"A/B", "{\"x\": 1}\n"},
		{"A/B/C", "[]\n"},
		{"A/D", "{}\n"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d blocks, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if h := strings.Join(got[i].Headings, "/"); h != w.headings || got[i].Body != w.body {
			t.Errorf("block %d = %q %q, want %q %q", i, h, got[i].Body, w.headings, w.body)
		}
	}
}

func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdataDir, "seed", name))
	if err != nil {
		t.Fatalf("%v (run go test ./internal/onboard -update with the seeds present)", err)
	}
	return data
}
