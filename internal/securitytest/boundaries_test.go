package securitytest

import (
	"context"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/secrets"
)

// checkBoundary asserts what the recorder saw since the last Clear: at
// least min AssumeRole requests, each for the connection's role with its
// project's External ID, and no AWS call outside an assumed role.
func (l *lab) checkBoundary(t *testing.T, p catalog.Project, min int) {
	t.Helper()
	ars := l.rec.AssumeRoles()
	if len(ars) < min {
		t.Fatalf("%d AssumeRole request(s) recorded, want at least %d", len(ars), min)
	}
	for _, ar := range ars {
		if ar.RoleARN != l.cust.RoleARN || ar.ExternalID != p.ExternalID {
			t.Errorf("AssumeRole RoleArn=%s ExternalId=%q, want %s with project %s's %q", ar.RoleARN, ar.ExternalID, l.cust.RoleARN, p.Name, p.ExternalID)
		}
	}
	for _, c := range l.rec.Calls() {
		if c.Role == "" && c.Op != "AssumeRole" {
			t.Errorf("%s went out with the base credentials, not the project's role", c.Action)
		}
		if c.Role != "" && c.Role != l.cust.RoleARN {
			t.Errorf("%s was signed by role %s, not the connection's", c.Action, c.Role)
		}
	}
}

// Every way to reach AWS — a scan of each source, the S3 manifest's own
// credentials, the connection test, the live MCP tools — assumes the
// connection's role with its project's External ID, whether the workflow
// leaves the External ID out or repeats the project's.
func TestEveryPathAssumesTheProjectRoleWithItsExternalID(t *testing.T) {
	l := newLab(t)
	alpha := l.project(t, "alpha")
	l.project(t, "beta") // another tenant in the same catalog
	ctx := context.Background()

	t.Run("scans", func(t *testing.T) {
		for _, src := range []string{"glue", "athena", "s3", "datazone"} {
			t.Run(src, func(t *testing.T) {
				l.rec.Clear()
				w := workflowSpec{Source: src, Access: "ReadOnly", Project: "alpha"}
				if _, err := ingest.Run(ctx, l.store, l.workflow(t, w), ingest.Options{AWS: fastAWS}); err != nil {
					t.Fatal(err)
				}
				min := 1
				if src == "s3" {
					min = 2 // the connection's session and the manifest's securityConfig
				}
				l.checkBoundary(t, alpha, min)
			})
		}
	})
	t.Run("connection test", func(t *testing.T) {
		for _, src := range []string{"glue", "s3", "datazone"} {
			t.Run(src, func(t *testing.T) {
				l.rec.Clear()
				l.connectionTest(t, l.workflow(t, workflowSpec{Source: src, Access: "ReadWrite", Project: "alpha"}), nil)
				l.checkBoundary(t, alpha, 1)
			})
		}
	})
	t.Run("live MCP tools", func(t *testing.T) {
		box, err := secrets.NewBox("securitytest-passphrase")
		if err != nil {
			t.Fatal(err)
		}
		w := workflowSpec{Source: "glue", Access: "ReadWrite", Project: "alpha"}
		if err := ingest.Remember(ctx, l.store, l.workflow(t, w), box); err != nil {
			t.Fatal(err)
		}
		cs := l.mcpClient(t, box, nil)
		l.rec.Clear()
		callLiveTools(t, cs, w.connName())
		l.checkBoundary(t, alpha, 1)
	})
}
