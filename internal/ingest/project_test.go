package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/workflow"
)

const testRole = "arn:aws:iam::210987654321:role/LakemapAccess"

// projectWorkflow is a Glue workflow; project and externalID are left out
// when empty.
func projectWorkflow(t *testing.T, service, project, externalID string) *workflow.Workflow {
	t.Helper()
	projectLine, idLine := "", ""
	if project != "" {
		projectLine = "\n      project: " + project
	}
	if externalID != "" {
		idLine = "\n        assumeRoleExternalId: " + externalID
	}
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: %s
  serviceConnection:
    config:
      type: Glue%s
      awsConfig:
        awsAccessKeyId: AKIAVENDOR0000000000
        awsSecretAccessKey: vendor-secret-value
        assumeRoleArn: %s%s
sink:
  type: lakemap
`, service, projectLine, testRole, idLine)
	wf, err := workflow.Parse("wf.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		t.Fatalf("parse workflow: %v\n%s", err, yaml)
	}
	return wf
}

func createProject(t *testing.T, st catalog.ProjectStore, name string) catalog.Project {
	t.Helper()
	p, err := catalog.NewProject(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateProject(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBindProject(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	alpha := createProject(t, st, "alpha")
	beta := createProject(t, st, "beta")
	box, err := secrets.NewBox("test key")
	if err != nil {
		t.Fatal(err)
	}
	// "owned" is registered under alpha before the cases run.
	if err := ingest.Remember(ctx, st, projectWorkflow(t, "owned", "alpha", ""), box); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, service, project, externalID string
		wantProject                        string // "" means none
		wantExternalID                     string
		kind                               apperr.Kind
		wantErr                            []string
	}{
		{name: "no project keeps the workflow's External ID", service: "free", externalID: "customer-chosen",
			wantExternalID: "customer-chosen"},
		{name: "no project may not use a project's External ID", service: "free2", externalID: alpha.ExternalID,
			kind: apperr.Invalid, wantErr: []string{`awsConfig.assumeRoleExternalId "` + alpha.ExternalID + `" has the form of a lakemap project's External ID, but the connection names no project`}},
		{name: "no project may not use any External ID of the lakemap- form", service: "free3", externalID: "lakemap-made-up",
			kind: apperr.Invalid, wantErr: []string{`"lakemap-made-up" has the form of a lakemap project's External ID`}},
		{name: "project by name fills in its External ID", service: "a1", project: "alpha",
			wantProject: alpha.ID, wantExternalID: alpha.ExternalID},
		{name: "project by id", service: "a2", project: alpha.ID,
			wantProject: alpha.ID, wantExternalID: alpha.ExternalID},
		{name: "the project's own External ID may be written out", service: "a3", project: "beta", externalID: beta.ExternalID,
			wantProject: beta.ID, wantExternalID: beta.ExternalID},
		{name: "a registered connection stays in its project", service: "owned",
			wantProject: alpha.ID, wantExternalID: alpha.ExternalID},
		{name: "External ID differs from the project's", service: "a4", project: "alpha", externalID: "lakemap-chosen-by-caller",
			kind: apperr.Invalid, wantErr: []string{`assumeRoleExternalId "lakemap-chosen-by-caller" differs from the External ID of project alpha, "` + alpha.ExternalID + `"`}},
		{name: "External ID differs from the registered connection's project", service: "owned", externalID: beta.ExternalID,
			kind: apperr.Invalid, wantErr: []string{`"` + beta.ExternalID + `" differs from the External ID of project alpha`}},
		{name: "unknown project", service: "a5", project: "gamma",
			kind: apperr.NotFound, wantErr: []string{`source.serviceConnection.config.project: connection "a5" names project "gamma"`, `no project "gamma"`}},
		{name: "re-registering under another project", service: "owned", project: "beta",
			kind: apperr.Conflict, wantErr: []string{`connection "owned" belongs to project alpha (` + alpha.ID + `); a workflow naming project beta (` + beta.ID + `) cannot register it again`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wf := projectWorkflow(t, tc.service, tc.project, tc.externalID)
			p, ok, err := ingest.BindProject(ctx, st, wf)
			if tc.wantErr != nil {
				if !apperr.Is(err, tc.kind) {
					t.Fatalf("err = %v (kind %v), want kind %v", err, apperr.KindOf(err), tc.kind)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				// Remember refuses the same way: nothing is stored.
				if rerr := ingest.Remember(ctx, st, projectWorkflow(t, tc.service, tc.project, tc.externalID), box); !apperr.Is(rerr, tc.kind) {
					t.Errorf("Remember = %v, want kind %v", rerr, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tc.wantProject != "") || p.ID != tc.wantProject {
				t.Errorf("BindProject = %+v, %v; want project %q", p, ok, tc.wantProject)
			}
			if got := wf.Source.Connection.AWS().AssumeRoleExternalID; got != tc.wantExternalID {
				t.Errorf("External ID = %q, want %q", got, tc.wantExternalID)
			}
			if err := ingest.Remember(ctx, st, projectWorkflow(t, tc.service, tc.project, tc.externalID), box); err != nil {
				t.Fatal(err)
			}
			c, err := st.GetConnection(ctx, tc.service)
			if err != nil {
				t.Fatal(err)
			}
			if c.ProjectID != tc.wantProject || c.ExternalID != tc.wantExternalID {
				t.Errorf("remembered project %q External ID %q, want %q %q", c.ProjectID, c.ExternalID, tc.wantProject, tc.wantExternalID)
			}
		})
	}
}
