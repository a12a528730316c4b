package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/workflow"
)

// `lakemap connection list/show/export` print the service's read model and
// never a secret; export prints a workflow that parses again.
func TestConnectionListShowExport(t *testing.T) {
	const secret = "cli-secret-value-never-printed"
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := catalog.NewProject("acme", time.Now())
	if err := st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.NewBox("cli test key")
	_, err = connections.New(st, all.NewRegistry(), box).Create(ctx, p.ID, connections.Input{
		Name: "prod_glue", SourceType: "glue", RoleARN: "arn:aws:iam::210987654321:role/LakemapAccess",
		SourceConfig: map[string]any{"includeAthena": false},
		Credentials:  connections.Credentials{Type: connections.StaticKeys, AccessKeyID: "AKIACLITEST000000000", SecretAccessKey: secret},
		Schedule:     connections.Schedule{Interval: "2h"},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, "--db", db, "connection", "list", "--json")
	var list []connections.View
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) != 1 || list[0].Credentials.SecretAccessKey != connections.Set {
		t.Fatalf("list --json: exit %d %v %s\n%s", code, err, errOut, out)
	}
	code, table, _ := run(t, "--db", db, "connection", "list")
	if code != 0 || !strings.Contains(table, "acme") || !strings.Contains(table, "every 2h0m0s") || !strings.Contains(table, "static") {
		t.Errorf("list: exit %d\n%s", code, table)
	}
	code, shown, _ := run(t, "--db", db, "connection", "show", "prod_glue")
	if code != 0 || !strings.Contains(shown, p.ExternalID) || !strings.Contains(shown, `{"includeAthena":false}`) {
		t.Errorf("show: exit %d\n%s", code, shown)
	}
	code, shownJSON, _ := run(t, "--db", db, "connection", "show", "prod_glue", "--json")
	if code != 0 || !strings.Contains(shownJSON, `"secretAccessKey": "set"`) {
		t.Errorf("show --json: exit %d\n%s", code, shownJSON)
	}
	code, exported, errOut := run(t, "--db", db, "connection", "export", "prod_glue")
	if code != 0 {
		t.Fatalf("export: exit %d %s", code, errOut)
	}
	if _, err := workflow.Parse("export.yaml", []byte(exported), all.NewRegistry()); err != nil {
		t.Errorf("export does not parse: %v\n%s", err, exported)
	}
	for what, text := range map[string]string{"list": out + table, "show": shown + shownJSON, "export": exported} {
		if strings.Contains(text, secret) || strings.Contains(text, "AKIACLITEST") {
			t.Errorf("%s prints a secret:\n%s", what, text)
		}
	}
	if code, _, errOut := run(t, "--db", db, "connection", "show", "nope"); code != 3 || !strings.Contains(errOut, `no connection "nope"`) {
		t.Errorf("show unknown: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "--db", db, "connection", "test"); code != 2 || !strings.Contains(errOut, "give a workflow file") {
		t.Errorf("test without -c or NAME: exit %d %s", code, errOut)
	}
}
