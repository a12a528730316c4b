package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validate checks a workflow's project and External ID as ingest will,
// as far as it can without creating a catalog: a file that validate
// passes is not refused by ingest for its binding.
func TestValidateChecksTheProjectBinding(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.db")
	base := strings.ReplaceAll(validWorkflow, "%ENDPOINT%", "http://127.0.0.1:1")
	unbound := writeFile(t, "unbound.yaml", strings.Replace(base, "acme-5f0c2a8e", "lakemap-5f0c2a8e", 1))
	named := writeFile(t, "named.yaml", strings.NewReplacer("      type: Glue\n", "      type: Glue\n      project: acme-prod\n",
		"        assumeRoleExternalId: acme-5f0c2a8e\n", "").Replace(base))

	code, _, errOut := run(t, "--db", missing, "validate", "-c", unbound)
	if code != 2 || !strings.Contains(errOut, `"lakemap-5f0c2a8e" has the form of a lakemap project's External ID`) {
		t.Errorf("an unbound connection with a project's External ID: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := run(t, "--db", missing, "validate", "-c", named)
	if code != 0 || !strings.Contains(out, "ok") || !strings.Contains(errOut, `project "acme-prod" is looked up in the catalog when the workflow runs`) {
		t.Errorf("a named project and no catalog: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("validate created a catalog")
	}

	// A PostgreSQL catalog is not reached (no network), and its URL, which
	// may hold a password, is never printed.
	const pg = "postgres://lakemap:pg-secret-never-printed@127.0.0.1:1/catalog"
	code, out, errOut = run(t, "--db", pg, "validate", "-c", named)
	if code != 0 || !strings.Contains(errOut, "checked against the PostgreSQL catalog when the workflow runs") || strings.Contains(out+errOut, "pg-secret") {
		t.Errorf("a PostgreSQL catalog: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	// With a catalog, the project is looked up as ingest would.
	db := filepath.Join(dir, "catalog.db")
	if code, _, errOut := run(t, "--db", db, "project", "create", "other"); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut = run(t, "--db", db, "validate", "-c", named)
	if code != 3 || !strings.Contains(errOut, `names project "acme-prod"`) {
		t.Errorf("a project the catalog lacks: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run(t, "--db", db, "project", "create", "acme-prod"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := run(t, "--db", db, "validate", "-c", named); code != 0 {
		t.Errorf("the project created: exit %d, stderr %q", code, errOut)
	}
}

// Every example the README points to validates as shipped.
func TestExamplesValidate(t *testing.T) {
	files, err := filepath.Glob(repoPath("examples", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	db := filepath.Join(t.TempDir(), "none.db")
	for _, f := range files {
		if code, out, errOut := run(t, "--db", db, "validate", "-c", f); code != 0 {
			t.Errorf("%s: exit %d\n%s%s", f, code, out, errOut)
		}
	}
}

// Every workflow the README shows validates as printed: a reader who
// copies one gets a file lakemap accepts.
func TestReadmeWorkflowsValidate(t *testing.T) {
	readme, err := os.ReadFile(repoPath("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "none.db")
	n := 0
	for _, block := range strings.Split(string(readme), "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.HasPrefix(body, "source:") {
			continue
		}
		n++
		f := writeFile(t, "readme.yaml", body)
		if code, out, errOut := run(t, "--db", db, "validate", "-c", f); code != 0 {
			t.Errorf("README workflow %d: exit %d\n%s%s\n%s", n, code, out, errOut, body)
		}
	}
	if n < 3 {
		t.Errorf("found %d workflows in the README, want the Glue, S3 and DataZone ones at least", n)
	}
}
