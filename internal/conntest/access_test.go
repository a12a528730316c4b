package conntest_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/workflow"
)

const externalID = "vendor-6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8"

// statuses maps each check to its status, for comparing reports.
func statuses(rep conntest.Report) map[string]conntest.Status {
	m := map[string]conntest.Status{}
	for _, r := range rep.Results {
		m[r.Check] = r.Status
	}
	return m
}

func result(t *testing.T, rep conntest.Report, check string) conntest.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Check == check {
			return r
		}
	}
	t.Fatalf("no check %q in %+v", check, rep.Results)
	return conntest.Result{}
}

func printed(rep conntest.Report) string {
	var b bytes.Buffer
	rep.Print(&b)
	return b.String()
}

// A ReadOnly role made from onboard's policy scans, and is refused writes;
// a ReadWrite role may write. The connection test says so group by group.
func TestRolesFromOnboardPolicies(t *testing.T) {
	c := newCustomer(t, externalID)
	ctx := context.Background()
	ro, rw := c.roles[catalog.ReadOnly], c.roles[catalog.ReadWrite]

	t.Run("ReadOnly role scans", func(t *testing.T) {
		wf := scanWorkflow(t, c, ro)
		st, err := sqlite.Open(ctx, t.TempDir()+"/lakemap.db")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
		if err != nil || sum.Status != catalog.ScanSucceeded {
			t.Fatalf("ingest = %+v, %v", sum, err)
		}
		if n := sum.Stats.Of(catalog.KindTable).Added; n != 1 {
			t.Errorf("tables added = %d, want 1", n)
		}
	})

	glueRO := []string{"GlueCatalogReadAccess", "AthenaQueryRead", "S3ReadAccess"}
	rwWrites := []string{"GlueDataQualityAccess", "GlueColumnStatisticsAccess", "AthenaWorkGroupAccess", "AthenaDataCatalogAccess", "AthenaQueryAccess"}
	for _, tc := range []struct {
		name   string
		role   string
		access catalog.AccessLevel
		want   map[string]conntest.Status
	}{
		{"ReadOnly role at ReadOnly", ro, catalog.ReadOnly, statusMap(conntest.Pass, glueRO...)},
		{"ReadOnly role at ReadWrite", ro, catalog.ReadWrite, merge(
			statusMap(conntest.Pass, "GlueCatalogReadAccess"),
			statusMap(conntest.Fail, rwWrites...),
			statusMap(conntest.Unproven, "S3AccessForAthenaResults"))},
		{"ReadWrite role at ReadWrite", rw, catalog.ReadWrite, merge(
			statusMap(conntest.Pass, "GlueCatalogReadAccess"),
			statusMap(conntest.Pass, rwWrites...),
			statusMap(conntest.Unproven, "S3AccessForAthenaResults"))},
	} {
		t.Run("connection test: "+tc.name, func(t *testing.T) {
			rep := conntest.Run(ctx, conntest.Target{Connection: "prod_glue", Service: "glue", Access: tc.access, Session: c.session(t, tc.role, externalID)})
			got := statuses(rep)
			if got["assume role "+tc.role] != conntest.Pass {
				t.Fatalf("assume role: %+v", rep.Results[0])
			}
			delete(got, "assume role "+tc.role)
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %s, want %s", k, got[k], v)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("checks = %v, want %v", got, tc.want)
			}
			t.Logf("report (go test -v shows it):\n%s", printed(rep))
			checkDetails(t, rep, tc.access, tc.role == ro)
		})
	}
	assertUnchanged(t, c.srv)

	// One write per service the ReadWrite policy grants and ReadOnly does not.
	writes := []struct {
		name string
		call func(s *awsconn.Session) error
	}{
		{"athena:StartQueryExecution", func(s *awsconn.Session) error {
			_, err := athena.NewFromConfig(s.AWS()).StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("primary")})
			return err
		}},
		{"s3:PutObject", func(s *awsconn.Session) error {
			_, err := s3.NewFromConfig(s.AWS(), func(o *s3.Options) { o.UsePathStyle = true }).PutObject(ctx,
				&s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("athena-results/x.csv"), Body: strings.NewReader("x")})
			return err
		}},
	}
	for _, w := range writes {
		t.Run("ReadOnly role is refused "+w.name, func(t *testing.T) {
			err := awsconn.Classify(w.call(c.session(t, ro, externalID)), "writing")
			if !apperr.Is(err, apperr.AccessDenied) {
				t.Errorf("err = %v (kind %v), want access denied", err, apperr.KindOf(err))
			}
		})
		t.Run("ReadWrite role may "+w.name, func(t *testing.T) {
			if err := w.call(c.session(t, rw, externalID)); err != nil {
				t.Errorf("err = %v", awsconn.Classify(err, "writing"))
			}
		})
	}
	t.Run("neither role may create a Glue database", func(t *testing.T) {
		for _, role := range []string{ro, rw} {
			_, err := glue.NewFromConfig(c.session(t, role, externalID).AWS()).CreateDatabase(ctx,
				&glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("nope")}})
			if err := awsconn.Classify(err, "creating"); !apperr.Is(err, apperr.AccessDenied) {
				t.Errorf("%s: err = %v, want access denied", role, err)
			}
		}
	})
}

// checkDetails checks what the report says beyond the statuses.
func checkDetails(t *testing.T, rep conntest.Report, access catalog.AccessLevel, readOnlyRole bool) {
	t.Helper()
	id := rep.Results[0]
	if !strings.Contains(id.Detail, ":assumed-role/Glue") || !strings.Contains(id.Detail, "session lakemap-prod_glue") || !strings.Contains(id.Detail, "expires ") {
		t.Errorf("assume role detail = %q", id.Detail)
	}
	catalogRead := result(t, rep, "GlueCatalogReadAccess")
	if !slices.Equal(catalogRead.Proven, []string{"glue:GetDatabases", "glue:GetTables"}) {
		t.Errorf("GlueCatalogReadAccess proved %v", catalogRead.Proven)
	}
	if access == catalog.ReadOnly {
		s3read := result(t, rep, "S3ReadAccess")
		if !slices.Equal(s3read.Proven, []string{"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"}) {
			t.Errorf("S3ReadAccess proved %v", s3read.Proven)
		}
		return
	}
	results := result(t, rep, "S3AccessForAthenaResults")
	if !slices.Equal(results.Unproven, []string{"s3:PutObject"}) || !strings.Contains(strings.Join(results.Notes, "\n"), "IAM policy simulation was not available") {
		t.Errorf("S3AccessForAthenaResults: unproven %v, notes %q", results.Unproven, results.Notes)
	}
	dq := result(t, rep, "GlueDataQualityAccess")
	if !readOnlyRole {
		if !slices.Contains(dq.Proven, "glue:CreateDataQualityRuleset") {
			t.Errorf("GlueDataQualityAccess proved %v", dq.Proven)
		}
		return
	}
	// The ReadOnly role at ReadWrite: the statement to add, and the advice.
	if !slices.Contains(dq.Denied, "glue:CreateDataQualityRuleset") || len(dq.Missing) != 10 || dq.Missing[0] != "glue:CreateDataQualityRuleset" {
		t.Errorf("GlueDataQualityAccess denied %v, missing %v", dq.Denied, dq.Missing)
	}
	if !slices.Contains(dq.Advice, awsconn.AdvicePermissionPolicy) {
		t.Errorf("advice = %q", dq.Advice)
	}
	out := printed(rep)
	for _, want := range []string{
		"FAIL      GlueDataQualityAccess",
		"denied: glue:ListDataQualityRulesets, glue:CreateDataQualityRuleset",
		"add to the role (statement AthenaQueryAccess): athena:StartQueryExecution, athena:GetQueryExecution",
		"not proven: s3:PutObject",
		"- " + awsconn.AdvicePermissionPolicy,
		"2 passed, 5 failed, 1 unproven",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestWrongExternalID(t *testing.T) {
	c := newCustomer(t, externalID)
	role := c.roles[catalog.ReadOnly]
	rep := conntest.Run(context.Background(), conntest.Target{Connection: "prod_glue", Service: "glue", Access: catalog.ReadOnly,
		Session: c.session(t, role, "lakemap-someone-else")})
	if len(rep.Results) != 1 {
		t.Fatalf("results after a refused AssumeRole: %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Check != "assume role "+role || r.Status != conntest.Fail || !strings.Contains(r.Error, "STS AssumeRole returned AccessDenied") {
		t.Errorf("result = %+v", r)
	}
	if !slices.Contains(r.Advice, awsconn.AdviceExternalID) || !slices.Contains(r.Advice, awsconn.AdviceTrustPolicy) {
		t.Errorf("advice = %q", r.Advice)
	}
	if out := printed(rep); !strings.Contains(out, "FAIL      assume role "+role) || !strings.Contains(out, "- "+awsconn.AdviceExternalID) {
		t.Errorf("printed:\n%s", out)
	}
}

func scanWorkflow(t *testing.T, c *customer, role string) *workflow.Workflow {
	t.Helper()
	cfg := c.config(role, externalID)
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: prod_glue
  serviceConnection:
    config:
      type: Glue
      awsConfig:
        awsAccessKeyId: %s
        awsSecretAccessKey: %s
        endPointURL: %s
        assumeRoleArn: %s
        assumeRoleExternalId: %s
  sourceConfig:
    config:
      type: DatabaseMetadata
      # moto lacks these operations; the test is about IAM, not them.
      includeColumnStatistics: false
      includeFunctions: false
      includeAthena: false
sink:
  type: lakemap
`, cfg.AccessKeyID, cfg.SecretAccessKey, cfg.EndpointURL, cfg.AssumeRoleARN, cfg.AssumeRoleExternalID)
	wf, err := workflow.Parse("glue.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return wf
}

func statusMap(s conntest.Status, checks ...string) map[string]conntest.Status {
	m := map[string]conntest.Status{}
	for _, c := range checks {
		m[c] = s
	}
	return m
}

func merge(ms ...map[string]conntest.Status) map[string]conntest.Status {
	out := map[string]conntest.Status{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
