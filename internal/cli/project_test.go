package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// `lakemap project create/list/show` against a real catalog file, and the
// rule the guide's Security Best Practices ask for: a workflow naming a
// project cannot choose another External ID.
func TestProjectCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	code, out, errOut := run(t, "--db", db, "project", "create", "acme-prod", "--json")
	if code != 0 {
		t.Fatalf("project create: exit %d: %s", code, errOut)
	}
	var created struct{ ID, Name, ExternalID string }
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create --json = %q: %v", out, err)
	}
	if created.Name != "acme-prod" || created.ExternalID != "lakemap-"+created.ID || len(created.ID) != 36 {
		t.Fatalf("created = %+v", created)
	}

	code, out, _ = run(t, "--db", db, "project", "create", "acme-dev")
	if code != 0 || !strings.Contains(out, "External ID  lakemap-") || !strings.Contains(out, "lakemap onboard --service glue") {
		t.Errorf("create (text): exit %d\n%s", code, out)
	}

	code, out, _ = run(t, "--db", db, "project", "list")
	if code != 0 || !strings.Contains(out, "EXTERNAL ID") || strings.Index(out, "acme-dev") > strings.Index(out, "acme-prod") {
		t.Errorf("list: exit %d, want both projects by name:\n%s", code, out)
	}

	for _, ref := range []string{"acme-prod", created.ID} {
		code, out, errOut = run(t, "--db", db, "project", "show", ref, "--json")
		var shown struct {
			ExternalID  string
			Connections []string
		}
		if err := json.Unmarshal([]byte(out), &shown); code != 0 || err != nil || shown.ExternalID != created.ExternalID || shown.Connections == nil {
			t.Errorf("show %s: exit %d %v %s\n%s", ref, code, err, errOut, out)
		}
	}

	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"duplicate name", []string{"project", "create", "acme-prod"}, 6, `a project named "acme-prod"`},
		{"name with a space", []string{"project", "create", "acme prod"}, 2, "use letters, digits"},
		{"name too long", []string{"project", "create", strings.Repeat("p", 65)}, 2, "the limit is 64"},
		{"name shaped like an id", []string{"project", "create", created.ID}, 2, "looks like a project id"},
		{"unknown project", []string{"project", "show", "acme-test"}, 3, `no project "acme-test"`},
		{"no name", []string{"project", "create"}, 2, "accepts 1 arg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, append([]string{"--db", db}, tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("exit %d stderr %q; want exit %d and %q", code, errOut, tc.wantCode, tc.wantErr)
			}
		})
	}

	// A workflow naming the project with some other External ID is refused
	// before any AWS call: the endpoint is a closed port.
	wf := strings.NewReplacer("%ENDPOINT%", "http://127.0.0.1:1",
		"      type: Glue\n", "      type: Glue\n      project: acme-prod\n").Replace(validWorkflow)
	for _, cmd := range [][]string{{"connection", "test"}, {"validate"}} {
		code, _, errOut = run(t, append(append([]string{"--db", db}, cmd...), "-c", writeFile(t, "wf.yaml", wf))...)
		if code != 2 || !strings.Contains(errOut, created.ExternalID) || !strings.Contains(errOut, "acme-5f0c2a8e") {
			t.Errorf("%s with a chosen External ID: exit %d, stderr %q", strings.Join(cmd, " "), code, errOut)
		}
	}
}
