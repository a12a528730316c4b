package onboard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/source"
)

func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return out.String(), err
}

func TestCommand(t *testing.T) {
	t.Setenv(VendorAccountEnv, "")
	tests := []struct {
		name string
		env  string
		args []string
		want func(t *testing.T) []byte
	}{
		{
			name: "trust policy from flags",
			args: []string{"--service", "glue", "--vendor-account", testVendor, "--external-id", testExternalID, "--format", "trust-policy"},
			want: func(t *testing.T) []byte { return must(t)(TrustPolicy(testVendor, testExternalID)) },
		},
		{
			name: "vendor account from the environment",
			env:  "999988887777",
			args: []string{"--service", "s3", "--access", "ReadWrite", "--external-id", testExternalID, "--format", "console-url"},
			want: func(t *testing.T) []byte {
				u, err := ConsoleURL(Options{Service: S3, Access: ReadWrite, VendorAccount: "999988887777", ExternalID: testExternalID})
				return must(t)([]byte(u+"\n"), err)
			},
		},
		{
			name: "flag beats the environment",
			env:  "999988887777",
			args: []string{"--service", "glue", "--vendor-account", testVendor, "--external-id", testExternalID, "--format", "trust-policy"},
			want: func(t *testing.T) []byte { return must(t)(TrustPolicy(testVendor, testExternalID)) },
		},
		{
			name: "permissions need no identity",
			args: []string{"--service", "s3", "--format", "permissions", "--resources", "arn:aws:s3:::b1,arn:aws:s3:::b1/*"},
			want: func(t *testing.T) []byte {
				return must(t)(PermissionPolicy(S3, ReadOnly, []string{"arn:aws:s3:::b1", "arn:aws:s3:::b1/*"}))
			},
		},
		{
			name: "template needs no identity",
			args: []string{"--service", "datazone", "--format", "cloudformation"},
			want: func(t *testing.T) []byte { return must(t)(CloudFormation(DataZone)) },
		},
		{
			name: "checklist is the default format",
			args: []string{"--service", "glue", "--vendor-account", testVendor, "--external-id", testExternalID},
			want: func(t *testing.T) []byte { return must(t)(Checklist(goldenOptions(Glue, ReadOnly))) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(VendorAccountEnv, tc.env)
			got, err := runCommand(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := string(tc.want(t)); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func must(t *testing.T) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func TestCommandMissingVendorAccount(t *testing.T) {
	t.Setenv(VendorAccountEnv, "")
	_, err := runCommand(t, "--service", "glue", "--external-id", testExternalID, "--format", "trust-policy")
	if err == nil || !strings.Contains(err.Error(), "--vendor-account is required") || !strings.Contains(err.Error(), VendorAccountEnv) {
		t.Fatalf("error %v, want one naming --vendor-account and %s", err, VendorAccountEnv)
	}
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("kind %v, want invalid", apperr.KindOf(err))
	}
}

func TestCommandCLIWritesFiles(t *testing.T) {
	t.Setenv(VendorAccountEnv, testVendor)
	out := filepath.Join(t.TempDir(), "my policies")
	got, err := runCommand(t, "--service", "datazone", "--access", "ReadWrite", "--external-id", testExternalID,
		"--format", "cli", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{TrustPolicyFile, "datazone-readonly-permissions.json", "datazone-readwrite-permissions.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
		// The path has a space, so the argument is quoted for the shell.
		if want := "'file://" + filepath.ToSlash(filepath.Join(out, name)) + "'"; !strings.Contains(got, want) {
			t.Errorf("commands do not read %s:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "--policy-name DataZoneReadWriteAccess") || !strings.Contains(got, "--role-name DataZoneAccessRoleForLakemap") {
		t.Errorf("commands:\n%s", got)
	}
}

// TestWorkflowSnippet checks the checklist's workflow decodes into the
// shared connection block and passes its validation once the customer's
// account is filled in.
func TestWorkflowSnippet(t *testing.T) {
	for _, spec := range services {
		t.Run(spec.Name, func(t *testing.T) {
			opts := Options{Service: spec.Name, Access: ReadWrite, VendorAccount: testVendor,
				ExternalID: "lakemap-a:b/c@d", Region: "ap-southeast-2"}.WithDefaults()
			data, err := workflowSnippet(spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.ReplaceAll(data, []byte(accountPlaceholder), []byte("111122223333"))
			var wf struct {
				Source struct {
					Type              string
					ServiceName       string `yaml:"serviceName"`
					ServiceConnection struct {
						Config source.AWSConnection
					} `yaml:"serviceConnection"`
				}
				Sink struct{ Type string }
			}
			if err := yaml.Unmarshal(data, &wf); err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
			conn := wf.Source.ServiceConnection.Config
			if wf.Source.Type != spec.Name || conn.Type != spec.ConnectionType || string(conn.AccessLevel) != ReadWrite || wf.Sink.Type != "metadata-rest" {
				t.Errorf("workflow:\n%s", data)
			}
			cfg := conn.AWSConfig
			if cfg.AssumeRoleExternalID != opts.ExternalID || cfg.Region != opts.Region ||
				cfg.AssumeRoleARN != "arn:aws:iam::111122223333:role/"+opts.RoleName {
				t.Errorf("awsConfig = %+v", cfg)
			}
			if err := cfg.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}
