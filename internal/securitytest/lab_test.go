package securitytest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/cli"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/awsrecord"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/workflow"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

// customerAccount is the simulated customer; its role is LakemapAccess.
const customerAccount = "210987654321"

// baseKey is the vendor's own access key; the DataZone fake refuses
// DataZone calls signed with it (they must go through the role).
const baseKey = "AKIAVENDORBASE000001"

// lab is a customer account seeded with a little of every source, behind
// the recorder: recorder -> DataZone fake -> Glue pager -> moto.
type lab struct {
	pager *moto.Pager
	srv   *moto.Server
	cust  moto.Customer
	rec   *awsrecord.Recorder
	dz    *datazonefake.Fake
	store *sqlite.Store
	path  string // the catalog file
	dir   string // where workflow files go
}

func newLab(t *testing.T) *lab {
	t.Helper()
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := moto.CustomerRole(t, srv, customerAccount)
	pager := moto.NewGluePager(t, srv.URL(), 2)
	dz := datazonefake.New(t, pager.URL(), 50, baseKey)
	dz.Edit(customerAccount, func(e *datazonefake.Estate) { *e = *datazonefake.Seed(customerAccount) })
	l := &lab{pager: pager, srv: srv, cust: cust, rec: awsrecord.New(t, dz.URL()), dz: dz, dir: t.TempDir()}
	l.path = filepath.Join(t.TempDir(), "lakemap.db")
	st, err := sqlite.Open(context.Background(), l.path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	l.store = st
	l.seed(t)
	return l
}

// seed creates a Glue database with a partitioned table over S3 data, the
// data and manifest buckets.
func (l *lab) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	g := glue.NewFromConfig(l.cust.AWS)
	if _, err := g.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("sales")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &gluetypes.TableInput{
		Name: aws.String("orders"), TableType: aws.String("EXTERNAL_TABLE"), Parameters: map[string]string{"classification": "csv"},
		StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake-data/sales/orders/"),
			Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
		PartitionKeys: []gluetypes.Column{{Name: aws.String("dt"), Type: aws.String("string")}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &gluetypes.TableInput{
		Name: aws.String("big_orders"), TableType: aws.String("VIRTUAL_VIEW"), ViewOriginalText: aws.String("SELECT * FROM sales.orders"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	s3c := awsconn.NewS3Client(l.cust.AWS, true)
	for _, b := range []string{"lake-data", "lake-manifests", "bad-manifests", "athena-results"} {
		if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for key, body := range map[string]string{
		"lake-data/sales/orders/dt=2024-01-01/part-0.csv":   "order_id\n1\n",
		"lake-manifests/openmetadata_storage_manifest.json": `{"entries":[{"containerName":"lake-data","dataPath":"sales/orders","structureFormat":"csv"}]}`,
		"bad-manifests/openmetadata_storage_manifest.json":  `{"entries":[{"containerName":5,`,
	} {
		bucket, k, _ := strings.Cut(key, "/")
		if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
}

// project creates a project and returns it.
func (l *lab) project(t *testing.T, name string) catalog.Project {
	t.Helper()
	p, err := catalog.NewProject(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.store.CreateProject(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// secretsOf are the values of a workflow's secret fields; the canary sweep
// fills them with canaries, the other suites with plain test values.
type secretsOf struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

func (s secretsOf) orDefaults() secretsOf {
	if s.AccessKeyID == "" {
		s.AccessKeyID = baseKey
	}
	if s.SecretAccessKey == "" {
		s.SecretAccessKey = "vendor-secret-value"
	}
	return s
}

// workflowSpec says which workflow to write.
type workflowSpec struct {
	Source  string // glue, athena, s3, datazone
	Access  string // ReadOnly, ReadWrite
	Project string
	Secrets secretsOf
	// Manifest holds the secrets of the S3 manifest's securityConfig.
	Manifest secretsOf
	// Overrides for forced errors: "" keeps the lab's.
	Endpoint, RoleARN, ManifestBucket, Name string
}

// yaml renders the workflow: every source reads through the recorder, with
// the customer's role; the S3 one reads its manifest with a securityConfig
// of its own.
func (l *lab) yaml(w workflowSpec) string {
	endpoint, role, manifests := cmp.Or(w.Endpoint, l.rec.URL()), cmp.Or(w.RoleARN, l.cust.RoleARN), cmp.Or(w.ManifestBucket, "lake-manifests")
	awsBlock := func(s secretsOf) string {
		s = s.orDefaults()
		return fmt.Sprintf(`awsAccessKeyId: %s
        awsSecretAccessKey: %s
        awsSessionToken: %q
        awsRegion: us-east-1
        endPointURL: %s
        assumeRoleArn: %s`, s.AccessKeyID, s.SecretAccessKey, s.SessionToken, endpoint, role)
	}
	aws := awsBlock(w.Secrets)
	var typ, extra, src string
	switch w.Source {
	case "glue":
		typ, src = "Glue", `type: DatabaseMetadata
      includeAthena: true`
	case "athena":
		typ, extra, src = "Athena", "\n      s3StagingDir: s3://athena-results/out/\n      workgroup: primary", "type: DatabaseMetadata"
	case "s3":
		typ, extra = "S3", "\n      bucketNames: [lake-data]"
		src = fmt.Sprintf(`type: StorageMetadata
      includeMetrics: true
      storageMetadataConfigSource:
        prefixConfig:
          containerName: %s
        securityConfig:
          %s`, manifests, strings.ReplaceAll(awsBlock(w.Manifest), "\n        ", "\n          "))
	case "datazone":
		typ, src = "DataZone", "type: DataZoneMetadata\n      useSearch: true"
	}
	project := ""
	if w.Project != "" {
		project = "\n      project: " + w.Project
	}
	return fmt.Sprintf(`source:
  type: %s
  serviceName: %s
  serviceConnection:
    config:
      type: %s
      accessLevel: %s%s%s
      awsConfig:
        %s
  sourceConfig:
    config:
      %s
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: DEBUG
`, w.Source, w.connName(), typ, w.Access, project, extra, aws, src)
}

// workflow parses the workflow of w, written to a file in the lab.
func (l *lab) workflow(t *testing.T, w workflowSpec) *workflow.Workflow {
	t.Helper()
	file := l.writeWorkflow(t, w)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.Parse(file, data, all.NewRegistry())
	if err != nil {
		t.Fatalf("parse workflow: %v\n%s", err, data)
	}
	return wf
}

func (l *lab) writeWorkflow(t *testing.T, w workflowSpec) string {
	t.Helper()
	file := filepath.Join(l.dir, w.connName()+".yaml")
	if err := os.WriteFile(file, []byte(l.yaml(w)), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// grants is the least-privilege expectation of a lab workflow: its role
// holds the onboard policy of the workflow's service and access level.
func (l *lab) grants(w workflowSpec) map[string]awsrecord.Grant {
	service := w.Source
	if service == "athena" {
		service = "glue" // Athena connections are onboarded with the Glue role
	}
	return map[string]awsrecord.Grant{l.cust.RoleARN: {Service: service, Access: w.Access}}
}

// connName is the connection (serviceName) of a lab workflow.
func (w workflowSpec) connName() string {
	return cmp.Or(w.Name, w.Source+"_"+strings.ToLower(w.Access))
}

// cli runs lakemap's CLI in-process on the lab's catalog.
func (l *lab) cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Main(context.Background(), append([]string{"--db", l.path}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// mcpClient connects an in-memory MCP client to a server over the lab's
// catalog, whose live tools open connections with box.
func (l *lab) mcpClient(t *testing.T, box *secrets.Box, logger *slog.Logger) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	srv := mcpserver.New(mcpserver.Options{Store: l.store, Secrets: box, Logger: logger, AWS: fastAWS, QueryWait: time.Second})
	ms, err := srv.ForScope(ctx, mcpserver.Scope{Name: "securitytest"})
	if err != nil {
		t.Fatal(err)
	}
	st, ct := mcp.NewInMemoryTransports()
	ss, err := ms.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "securitytest", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Close() })
	return cs
}

// connectionTest runs `lakemap connection test` as the CLI does (project
// binding, session, conntest.RunSource), with fast retries: moto answers
// iam:SimulatePrincipalPolicy with a 500, which the CLI's default retryer
// would retry for minutes.
func (l *lab) connectionTest(t *testing.T, wf *workflow.Workflow, logger *slog.Logger) conntest.Report {
	t.Helper()
	ctx := context.Background()
	if _, _, err := ingest.BindProject(ctx, l.store, wf); err != nil {
		t.Fatalf("bind project: %v", err)
	}
	p, err := ingest.Params(ctx, wf, ingest.Options{Logger: logger, AWS: fastAWS})
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	return conntest.RunSource(ctx, wf.Source.ServiceName, wf.Source.Spec, wf.Source.Connection, p.AWS)
}

// cliStreams runs the CLI with the given streams (MCP over stdio).
func (l *lab) cliStreams(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) int {
	return cli.Main(ctx, append([]string{"--db", l.path}, args...), stdin, stdout, stderr)
}
