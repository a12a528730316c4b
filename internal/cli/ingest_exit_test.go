package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// workflowFor renders an OpenMetadata-shaped workflow with every option at
// its default: column statistics, functions, Athena, metrics all on.
func workflowFor(sourceType, connType, configType, endpoint, key, secret, extra string) string {
	return fmt.Sprintf(`source:
  type: %s
  serviceName: svc_%s
  serviceConnection:
    config:
      type: %s
      awsConfig:
        awsAccessKeyId: %s
        awsSecretAccessKey: %s
        awsRegion: us-east-1
        endPointURL: %s
%s  sourceConfig:
    config:
      type: %s
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: INFO
`, sourceType, sourceType, connType, key, secret, endpoint, extra, configType)
}

func seedGlue(t *testing.T, srv *moto.Server) {
	t.Helper()
	ctx := context.Background()
	g := glue.NewFromConfig(srv.AWSConfig(t, "", ""))
	for _, db := range []string{"sales", "finance"} {
		if _, err := g.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(db)}}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := g.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(db), TableInput: &gluetypes.TableInput{
				Name: aws.String(fmt.Sprintf("t%d", i)), TableType: aws.String("EXTERNAL_TABLE"),
				StorageDescriptor: &gluetypes.StorageDescriptor{Columns: []gluetypes.Column{
					{Name: aws.String("id"), Type: aws.String("bigint")}, {Name: aws.String("name"), Type: aws.String("string")}}},
			}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func seedS3(t *testing.T, srv *moto.Server) {
	t.Helper()
	ctx := context.Background()
	c := s3.NewFromConfig(srv.AWSConfig(t, "", ""), func(o *s3.Options) { o.UsePathStyle = true })
	put := func(bucket, key, body string) {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range []string{"good-data", "broken-manifest"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		put(b, "orders/part-0.csv", "id,amount\n1,2\n")
	}
	put("broken-manifest", "openmetadata.json", "{ this is not JSON")
	// Query history for the Athena scans: moto lacks BatchGetQueryExecution.
	a := athena.NewFromConfig(srv.AWSConfig(t, "", ""))
	for range 3 {
		if _, err := a.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("primary"),
			ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String("s3://good-data/athena/")}}); err != nil {
			t.Fatal(err)
		}
	}
}

type ingestResult struct {
	code   int
	stdout string
	stderr string
	took   time.Duration
	sum    scan.Summary
}

func runIngest(t *testing.T, db, wf string, flags ...string) ingestResult {
	t.Helper()
	path := writeFile(t, "wf.yaml", wf)
	start := time.Now()
	var out, errb bytes.Buffer
	args := append([]string{"--db", db, "ingest", "-q", "--json", "-c", path}, flags...)
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	r := ingestResult{code: code, stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	t.Logf("exit %d in %s", code, r.took.Round(time.Millisecond))
	_ = json.Unmarshal(out.Bytes(), &r.sum)
	return r
}

// The exit-status contract of `lakemap ingest`, one case each, against a
// plain moto_server: it lacks column statistics, user-defined functions,
// BatchGetQueryExecution and more, which must cost one warning each and
// seconds, not minutes.
func TestIngestExitStatusAgainstPlainMoto(t *testing.T) {
	srv := moto.Start(t)
	seedGlue(t, srv)
	seedS3(t, srv)
	dir := t.TempDir()
	glueWF := workflowFor("glue", "Glue", "DatabaseMetadata", srv.URL(), "test", "test", "")

	t.Run("glue at defaults: 0 with warnings, in seconds", func(t *testing.T) {
		r := runIngest(t, filepath.Join(dir, "glue.db"), glueWF)
		if r.code != 0 {
			t.Fatalf("exit %d, stderr %s\nstdout %s", r.code, r.stderr, r.stdout)
		}
		if r.took > 30*time.Second {
			t.Errorf("took %s", r.took)
		}
		if r.sum.Status != catalog.ScanSucceeded || len(r.sum.Errors) != 0 {
			t.Errorf("status %s, errors %q", r.sum.Status, r.sum.Errors)
		}
		joined := strings.Join(r.sum.Warnings, "\n")
		for _, want := range []string{"GetColumnStatisticsForTable", "includeColumnStatistics: false", "GetUserDefinedFunctions", "includeFunctions: false"} {
			if !strings.Contains(joined, want) {
				t.Errorf("warnings lack %q:\n%s", want, joined)
			}
		}
		if n := strings.Count(joined, "GetColumnStatisticsForTable, so it is skipped"); n != 1 {
			t.Errorf("%d statistics warnings, want 1:\n%s", n, joined)
		}
		if got := r.sum.Stats[catalog.KindTable]; got == nil || got.Added != 6 {
			t.Errorf("tables: %+v", got)
		}
		// lakemap scans shows the warnings stored with the scan.
		code, out, _ := run(t, "--db", filepath.Join(dir, "glue.db"), "scans", "--json")
		var scans []catalog.Scan
		if err := json.Unmarshal([]byte(out), &scans); code != 0 || err != nil || len(scans) != 1 || len(scans[0].Warnings) != len(r.sum.Warnings) {
			t.Errorf("scans (exit %d): %s", code, out)
		}
	})
	t.Run("glue at defaults with --strict: warnings exit 8", func(t *testing.T) {
		r := runIngest(t, filepath.Join(dir, "strict.db"), glueWF, "--strict")
		if r.code != scan.ExitWarnings || !strings.Contains(r.stderr, "--strict") {
			t.Errorf("exit %d, stderr %s", r.code, r.stderr)
		}
	})
	t.Run("athena at defaults: 0", func(t *testing.T) {
		r := runIngest(t, filepath.Join(dir, "athena.db"), workflowFor("athena", "Athena", "DatabaseMetadata", srv.URL(), "test", "test",
			"        \n      s3StagingDir: s3://good-data/athena/\n      workgroup: primary\n"))
		if r.code != 0 || r.took > 30*time.Second {
			t.Errorf("exit %d in %s, stderr %s\nstdout %s", r.code, r.took, r.stderr, r.stdout)
		}
		if got := r.sum.Stats[catalog.KindQuery]; got == nil || got.Added != 3 {
			t.Errorf("queries: %+v (warnings %q)", got, r.sum.Warnings)
		}
	})
	t.Run("s3 with one broken openmetadata.json: 0 with a warning", func(t *testing.T) {
		r := runIngest(t, filepath.Join(dir, "s3.db"), workflowFor("s3", "S3", "StorageMetadata", srv.URL(), "test", "test", ""))
		if r.code != 0 {
			t.Fatalf("exit %d, stderr %s\nstdout %s", r.code, r.stderr, r.stdout)
		}
		if !strings.Contains(strings.Join(r.sum.Warnings, "\n"), `bucket "broken-manifest": openmetadata.json is not usable`) {
			t.Errorf("warnings %q", r.sum.Warnings)
		}
	})
	t.Run("a denied listing: partial, exit 7", func(t *testing.T) {
		// GetTables denied: every database's table listing fails.
		u := moto.CreateUser(t, srv, "no-tables", moto.Policy("*", "glue:GetDatabases", "glue:GetDatabase", "glue:GetUserDefinedFunctions",
			"athena:*", "sts:GetCallerIdentity"))
		srv.SetAuth(t, true)
		t.Cleanup(func() { srv.SetAuth(t, false) })
		r := runIngest(t, filepath.Join(dir, "denied.db"), workflowFor("glue", "Glue", "DatabaseMetadata", srv.URL(), u.AccessKeyID, u.SecretAccessKey, ""))
		srv.SetAuth(t, false)
		if r.code != scan.ExitPartial || r.sum.Status != catalog.ScanPartial || !strings.Contains(r.stderr, "partial") {
			t.Errorf("exit %d, status %s, stderr %s", r.code, r.sum.Status, r.stderr)
		}
	})
	t.Run("AWS unavailable: 5", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := "http://" + ln.Addr().String()
		ln.Close()
		r := runIngest(t, filepath.Join(dir, "down.db"), workflowFor("glue", "Glue", "DatabaseMetadata", closed, "test", "test", ""))
		if r.code != 5 {
			t.Errorf("exit %d, stderr %s", r.code, r.stderr)
		}
	})
}
