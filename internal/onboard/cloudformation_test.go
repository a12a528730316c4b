package onboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCloudFormationLint runs cfn-lint over every template. Errors fail the
// test; warnings are logged (see TestCloudFormationLintWarnings for the ones
// the vendor guide's policies cause).
func TestCloudFormationLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not on PATH; pip install cfn-lint")
		}
		t.Skip("cfn-lint is not on PATH; pip install cfn-lint")
	}
	dir := t.TempDir()
	for _, spec := range services {
		t.Run(spec.Name, func(t *testing.T) {
			data, err := CloudFormation(spec.Name)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, spec.templateFile())
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(lint, "--format", "parseable", "--", path).CombinedOutput()
			// cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatalf("running cfn-lint: %v", err)
			}
			if code&^(4|8) != 0 {
				t.Fatalf("cfn-lint exit code %d on %s:\n%s", code, spec.templateFile(), out)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if line == "" {
					continue
				}
				if !knownLintWarning(spec.Name, line) {
					t.Errorf("unexpected cfn-lint finding on %s: %s", spec.templateFile(), line)
				}
			}
		})
	}
}

// knownLintWarning accepts the warnings the vendor guide's own policy
// causes: its DataZone ReadWrite statement names three actions IAM does not
// define (W3037). The seed is the contract, so they stay; IAM accepts unknown
// action names, which simply grant nothing.
func knownLintWarning(service, line string) bool {
	if service != DataZone || !strings.Contains(line, ":W3037:") {
		return false
	}
	for _, action := range []string{"'updateasset'", "'createlisting'", "'updatelisting'"} {
		if strings.Contains(line, action+" is not one of") {
			return true
		}
	}
	return false
}

// TestCloudFormationPolicies checks the template's policies are the ones
// PermissionPolicy prints, and the parameters the vendor guide names.
func TestCloudFormationPolicies(t *testing.T) {
	for _, spec := range services {
		t.Run(spec.Name, func(t *testing.T) {
			data, err := CloudFormation(spec.Name)
			if err != nil {
				t.Fatal(err)
			}
			var tpl struct {
				Parameters map[string]map[string]any `yaml:"Parameters"`
				Conditions map[string]any            `yaml:"Conditions"`
				Resources  map[string]struct {
					Type       string         `yaml:"Type"`
					Condition  string         `yaml:"Condition"`
					Properties map[string]any `yaml:"Properties"`
				} `yaml:"Resources"`
				Outputs map[string]any `yaml:"Outputs"`
			}
			if err := yaml.Unmarshal(data, &tpl); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"LakemapAccountId", "ExternalId", "RoleName", "AccessLevel"} {
				if tpl.Parameters[p] == nil {
					t.Errorf("parameter %s missing", p)
				}
			}
			if got := tpl.Parameters["RoleName"]["Default"]; got != spec.defaultRoleName() {
				t.Errorf("RoleName default = %v, want %s", got, spec.defaultRoleName())
			}
			if got := tpl.Parameters["AccessLevel"]["Default"]; got != ReadOnly {
				t.Errorf("AccessLevel default = %v", got)
			}
			if tpl.Conditions[cfnIsReadWrite] == nil {
				t.Errorf("condition %s missing", cfnIsReadWrite)
			}
			for _, o := range []string{"RoleArn", "ExternalId"} {
				if tpl.Outputs[o] == nil {
					t.Errorf("output %s missing", o)
				}
			}
			role := tpl.Resources[cfnRole]
			if role.Type != "AWS::IAM::Role" || role.Condition != "" {
				t.Fatalf("%s = %s condition %q", cfnRole, role.Type, role.Condition)
			}
			policies := role.Properties["Policies"].([]any)
			if len(policies) != 1 {
				t.Fatalf("role has %d inline policies, want the ReadOnly one", len(policies))
			}
			ro := policies[0].(map[string]any)
			checkSamePolicy(t, ro["PolicyName"], ro["PolicyDocument"], spec, ReadOnly)

			rw := tpl.Resources[cfnReadWritePolicy]
			if rw.Type != "AWS::IAM::RolePolicy" || rw.Condition != cfnIsReadWrite {
				t.Fatalf("%s = %s condition %q, want AWS::IAM::RolePolicy on %s", cfnReadWritePolicy, rw.Type, rw.Condition, cfnIsReadWrite)
			}
			checkSamePolicy(t, rw.Properties["PolicyName"], rw.Properties["PolicyDocument"], spec, ReadWrite)
		})
	}
}

func checkSamePolicy(t *testing.T, name, doc any, spec serviceSpec, access string) {
	t.Helper()
	if name != spec.policyName(access) {
		t.Errorf("policy name %v, want %s", name, spec.policyName(access))
	}
	want, err := PermissionPolicy(spec.Name, access, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wantDoc any
	if err := json.Unmarshal(want, &wantDoc); err != nil {
		t.Fatal(err)
	}
	// Round-trip the YAML document through JSON so both sides hold the same types.
	got, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var gotDoc any
	if err := json.Unmarshal(got, &gotDoc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotDoc, wantDoc) {
		t.Errorf("%s policy in the template:\n%s\nwant:\n%s", access, got, want)
	}
}

func TestCloudFormationTrust(t *testing.T) {
	data, err := CloudFormation("S3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Fn::Sub: arn:${AWS::Partition}:iam::${LakemapAccountId}:root",
		"sts:ExternalId:\n                  Ref: ExternalId",
		"Action: sts:AssumeRole",
		"MaxSessionDuration: 3600",
		`AllowedPattern: ^\d{12}$`,
	} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("template lacks %q", want)
		}
	}
}
