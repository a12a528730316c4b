package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/workflow"
)

// otherRole is a role of another customer a workflow may try to reach
// through the manifest's securityConfig.
const otherRole = "arn:aws:iam::999988887777:role/OtherCustomerRole"

// s3ManifestWorkflow is an S3 workflow whose global manifest is read with a
// securityConfig of its own; project and the securityConfig's External ID
// are left out when empty.
func s3ManifestWorkflow(t *testing.T, endpoint, role, project, manifestExternalID string) *workflow.Workflow {
	t.Helper()
	projectLine, idLine := "", ""
	if project != "" {
		projectLine = "\n      project: " + project
	}
	if manifestExternalID != "" {
		idLine = "\n          assumeRoleExternalId: " + manifestExternalID
	}
	yaml := fmt.Sprintf(`source:
  type: s3
  serviceName: lake_s3
  serviceConnection:
    config:
      type: S3%s
      bucketNames: [lake-data]
      awsConfig:
        awsAccessKeyId: AKIAVENDOR0000000000
        awsSecretAccessKey: vendor-secret-value
        awsRegion: us-east-1
        endPointURL: %s
        assumeRoleArn: %s
  sourceConfig:
    config:
      type: StorageMetadata
      includeMetrics: false
      storageMetadataConfigSource:
        prefixConfig:
          containerName: lake-manifests
        securityConfig:
          awsAccessKeyId: AKIAVENDOR0000000000
          awsSecretAccessKey: vendor-secret-value
          awsRegion: us-east-1
          endPointURL: %s
          assumeRoleArn: %s%s
sink:
  type: lakemap
`, projectLine, endpoint, role, endpoint, otherRole, idLine)
	wf, err := workflow.Parse("s3.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		t.Fatalf("parse workflow: %v\n%s", err, yaml)
	}
	return wf
}

// Finding 1 of issue 15: the manifest's securityConfig is bound to the
// project like the connection's awsConfig. No AssumeRole ever carries an
// External ID other than the project's, and a refused workflow sends
// nothing at all.
func TestManifestCredentialsAreBoundToTheProject(t *testing.T) {
	ctx := context.Background()
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	s3c := awss3.NewFromConfig(cust.AWS, func(o *awss3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"lake-data", "lake-manifests"} {
		if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("lake-manifests"), Key: aws.String("openmetadata_storage_manifest.json"),
		Body: strings.NewReader(`{"entries":[{"containerName":"lake-data","dataPath":"sales"}]}`)}); err != nil {
		t.Fatal(err)
	}
	st, _ := openStore(t)
	alpha := createProject(t, st, "alpha")
	opts := ingest.Options{AWS: awsconn.Options{MaxAttempts: 1}}

	for _, tc := range []struct {
		name, project, externalID string
		wantErr                   string // "" means the scan runs
	}{
		{name: "foreign External ID in a bound workflow", project: "alpha", externalID: "attacker-chosen-id",
			wantErr: `source.sourceConfig.config.storageMetadataConfigSource.securityConfig.assumeRoleExternalId "attacker-chosen-id" differs from the External ID of project alpha`},
		{name: "another project's External ID in a bound workflow", project: "alpha", externalID: "lakemap-00000000-0000-0000-0000-000000000000",
			wantErr: `differs from the External ID of project alpha`},
		{name: "project External ID in an unbound workflow", externalID: alpha.ExternalID,
			wantErr: `storageMetadataConfigSource.securityConfig.assumeRoleExternalId "` + alpha.ExternalID + `" has the form of a lakemap project's External ID, but the connection names no project`},
		{name: "no External ID: the project's is filled in", project: "alpha"},
		{name: "the project's own External ID", project: "alpha", externalID: alpha.ExternalID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pager := moto.NewGluePager(t, srv.URL(), 1000)
			wf := s3ManifestWorkflow(t, pager.URL(), cust.RoleARN, tc.project, tc.externalID)
			_, err := ingest.Run(ctx, st, wf, opts)
			if tc.wantErr != "" {
				if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Run = %v (kind %v), want Invalid with %q", err, apperr.KindOf(err), tc.wantErr)
				}
				if reqs := pager.Requests(); len(reqs) != 0 {
					t.Fatalf("a refused workflow sent %d AWS request(s), first %s %s", len(reqs), reqs[0].Service, reqs[0].Op)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			roles := map[string]bool{}
			for _, r := range pager.Requests() {
				if r.Service != "sts" || r.Op != "AssumeRole" {
					continue
				}
				f := r.Form()
				roles[f.Get("RoleArn")] = true
				if got := f.Get("ExternalId"); got != alpha.ExternalID {
					t.Errorf("AssumeRole %s sent ExternalId %q, want the project's %q", f.Get("RoleArn"), got, alpha.ExternalID)
				}
			}
			if !roles[cust.RoleARN] || !roles[otherRole] {
				t.Errorf("roles assumed = %v, want the connection's and the manifest's", roles)
			}
		})
	}
}
