package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// run executes the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const validWorkflow = `source:
  type: glue
  serviceName: prod_glue
  serviceConnection:
    config:
      type: Glue
      awsConfig:
        awsRegion: eu-west-1
        endPointURL: %ENDPOINT%
        assumeRoleArn: arn:aws:iam::123456789012:role/GlueAccessRoleForLakemap
        assumeRoleExternalId: acme-5f0c2a8e
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
`

// validate must not touch the network: point the workflow at a listener and
// check nobody ever connects.
func TestValidateOpensNoSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	wf := writeFile(t, "glue.yaml", strings.ReplaceAll(validWorkflow, "%ENDPOINT%", "http://"+ln.Addr().String()))
	code, out, errOut := run(t, "validate", "-c", wf)
	if code != 0 {
		t.Fatalf("validate exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "ok") || !strings.Contains(errOut, "openMetadataServerConfig is ignored") {
		t.Errorf("stdout %q stderr %q", out, errOut)
	}
	if n := accepted.Load(); n != 0 {
		t.Fatalf("validate opened %d connection(s)", n)
	}
}

func TestValidateReportsFindingsWithPositions(t *testing.T) {
	bad := strings.ReplaceAll(validWorkflow, "%ENDPOINT%", "http://127.0.0.1:1")
	bad = strings.Replace(bad, "assumeRoleArn: arn:aws:iam::123456789012:role/GlueAccessRoleForLakemap", "assumeRoleArn: arn:aws:iam::12345:user/x", 1)
	bad = strings.Replace(bad, "type: DatabaseMetadata", "type: DatabaseMetadata\n      tableFilterPatern: {}", 1)
	wf := writeFile(t, "bad.yaml", bad)
	code, out, _ := run(t, "validate", "-c", wf)
	if code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	for _, want := range []string{"bad.yaml:10:24:", "assumeRoleArn", `did you mean "tableFilterPattern"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExitCodesAndMessages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"missing workflow file", []string{"validate", "-c", "/nonexistent/wf.yaml"}, 3, "wf.yaml"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"missing -c", []string{"ingest"}, 2, "config"},
		{"show unknown fqn", []string{"--db", db, "show", "nope.nothing"}, 3, "no entity"},
		{"show bad fqn", []string{"--db", db, "show", `a."b`}, 2, "unbalanced"},
		{"search bad kind", []string{"--db", db, "search", "x", "--kind", "tabel"}, 2, "unknown kind"},
		{"search negative limit", []string{"--db", db, "search", "x", "--limit", "-1"}, 2, "negative"},
		{"bad log level", []string{"--log-level", "loud", "version"}, 2, "log-level"},
		// cobra's usage errors are tagged Invalid where cobra makes them.
		{"unknown command suggests", []string{"serch", "x"}, 2, "did you mean lakemap search?"},
		{"unknown flag", []string{"search", "x", "--nope"}, 2, "unknown flag: --nope"},
		{"unknown subcommand flag", []string{"scans", "--nope"}, 2, "unknown flag"},
		{"bad flag value", []string{"search", "x", "--limit", "many"}, 2, "invalid argument"},
		{"flag needs a value", []string{"search", "x", "--limit"}, 2, "needs an argument"},
		{"too few args", []string{"show"}, 2, "accepts 1 arg"},
		{"too many args", []string{"scans", "extra"}, 2, "unknown command"},
		{"missing -c on validate", []string{"validate"}, 2, "config"},
		// Catalog reads go through the request model.
		{"search offset past the last page", []string{"--db", db, "search", "x", "--offset", "20000"}, 2, "--offset 20000"},
		{"search negative offset", []string{"--db", db, "search", "x", "--offset", "-1"}, 2, "--offset -1"},
		{"scans negative limit", []string{"--db", db, "scans", "--limit", "-1"}, 2, "--limit -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d stderr %q; want exit %d and %q", code, errOut, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestBareCommandPrintsHelp(t *testing.T) {
	code, out, errOut := run(t)
	if code != 0 || !strings.Contains(out, "Available Commands") || errOut != "" {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestSearchKindsAnyCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	if code, _, errOut := run(t, "--db", db, "search", "x", "--kind", "TABLE,Column"); code != 0 {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestSearchAndShowOnEmptyCatalog(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	code, out, errOut := run(t, "--db", db, "search", "orders", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Hits  []any `json:"hits"`
		Total int   `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Total != 0 {
		t.Errorf("search --json = %q (%v)", out, err)
	}
}
