package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// The README's walkthrough, as written: its seed script, its example
// workflow (every option at its default, although moto lacks two of the
// operations they call) and its commands, in its order.
func TestReadmeWalkthrough(t *testing.T) {
	srv := moto.Start(t)
	root, err := filepath.Abs(repoPath())
	if err != nil {
		t.Fatal(err)
	}
	// The seed script needs boto3, which comes with moto's Python; a
	// developer's moto may live in another one.
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil && os.Getenv("CI") != "true" {
		t.Skipf("the README's seed script needs python3 with boto3 (pip install boto3): %v", err)
	}
	seed := exec.Command(filepath.Join(root, "scripts", "demo-seed.sh"), srv.URL())
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("scripts/demo-seed.sh: %v\n%s", err, out)
	}
	t.Setenv("LAKEMAP_DEMO_ENDPOINT", srv.URL())
	wf := filepath.Join(root, "examples", "glue-moto.yaml")
	db := filepath.Join(t.TempDir(), "lakemap.db")

	step := func(want string, args ...string) string {
		t.Helper()
		code, out, errOut := run(t, append([]string{"--db", db}, args...)...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("lakemap %s: exit %d, want 0 and %q in\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out
	}
	step("ok (source glue, service demo_glue)", "validate", "-c", wf)
	step("4 passed, 0 failed, 0 unproven", "connection", "test", "-c", wf)

	var sum scan.Summary
	if err := json.Unmarshal([]byte(step(`"status"`, "ingest", "-q", "--json", "-c", wf)), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Status != catalog.ScanSucceeded || len(sum.Errors) != 0 {
		t.Errorf("ingest: %s, errors %q", sum.Status, sum.Errors)
	}
	if got := sum.Stats[catalog.KindTable]; got == nil || got.Added != 4 {
		t.Errorf("tables: %+v", got)
	}
	// moto implements neither: one warning each, naming the option.
	joined := strings.Join(sum.Warnings, "\n")
	for _, want := range []string{"GetColumnStatisticsForTable", "includeColumnStatistics: false", "GetUserDefinedFunctions", "includeFunctions: false"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
	if len(sum.Warnings) != 2 {
		t.Errorf("%d warnings, want 2:\n%s", len(sum.Warnings), joined)
	}

	step("demo_glue.sales.orders", "search", "orders")
	step("One row per order", "show", "demo_glue.sales.orders")
	var found struct {
		Hits []struct {
			FQN  string       `json:"fqn"`
			Kind catalog.Kind `json:"kind"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(step("demo_glue.sales.orders.customer_id", "search", "customer", "--kind", "column", "--json")), &found); err != nil {
		t.Fatal(err)
	}
	for _, h := range found.Hits {
		if h.Kind != catalog.KindColumn {
			t.Errorf("search customer --kind column found %s, a %s", h.FQN, h.Kind)
		}
	}
}

// repoPath is a path in the repository, from this package's directory
// (where go test runs its tests).
func repoPath(elem ...string) string {
	return filepath.Join(append([]string{"..", ".."}, elem...)...)
}
