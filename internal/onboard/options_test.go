package onboard

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestBadOptions(t *testing.T) {
	good := goldenOptions(Glue, ReadOnly)
	with := func(change func(*Options)) Options {
		o := good
		change(&o)
		return o
	}
	tests := []struct {
		name   string
		opts   Options
		format string
		want   string
	}{
		{"no service", with(func(o *Options) { o.Service = "" }), "checklist", "--service is required: glue, s3 or datazone"},
		{"unknown service", with(func(o *Options) { o.Service = "redshift" }), "permissions", `--service: unknown service "redshift"; use glue, s3 or datazone`},
		{"athena", with(func(o *Options) { o.Service = "athena" }), "cloudformation", `--service: "athena" is covered by --service glue`},
		{"unknown access", with(func(o *Options) { o.Access = "Admin" }), "permissions", `--access: unknown access level "Admin"; use ReadOnly or ReadWrite`},
		{"no vendor account", with(func(o *Options) { o.VendorAccount = "" }), "trust-policy", "--vendor-account is required: pass lakemap's 12-digit AWS account ID (ask the lakemap team) or set LAKEMAP_VENDOR_ACCOUNT_ID"},
		{"vendor account 11 digits", with(func(o *Options) { o.VendorAccount = "12345678901" }), "console-url", `--vendor-account: "12345678901" is not an AWS account ID: expected exactly 12 digits`},
		{"vendor account 13 digits", with(func(o *Options) { o.VendorAccount = "1234567890123" }), "cli", `--vendor-account: "1234567890123" is not an AWS account ID`},
		{"vendor account letters", with(func(o *Options) { o.VendorAccount = "12345678901a" }), "checklist", `--vendor-account: "12345678901a" is not an AWS account ID`},
		{"vendor account on permissions", with(func(o *Options) { o.VendorAccount = "x" }), "permissions", `--vendor-account: "x" is not an AWS account ID`},
		{"no external id", with(func(o *Options) { o.ExternalID = "" }), "trust-policy", "--external-id is required: use your project's external ID, lakemap-<project-uuid>"},
		{"external id too short", with(func(o *Options) { o.ExternalID = "x" }), "trust-policy", "--external-id: must be 2-1224 characters of letters, digits and +=,.@:/-_ (got 1 characters)"},
		{"external id too long", with(func(o *Options) { o.ExternalID = strings.Repeat("a", 1225) }), "checklist", "--external-id: must be 2-1224 characters of letters, digits and +=,.@:/-_ (got 1225 characters)"},
		{"external id space", with(func(o *Options) { o.ExternalID = "lakemap project" }), "console-url", "--external-id: must be 2-1224 characters"},
		{"external id ampersand", with(func(o *Options) { o.ExternalID = "lakemap&x" }), "cli", "--external-id: must be 2-1224 characters"},
		{"external id non-ASCII", with(func(o *Options) { o.ExternalID = "lakemap-é" }), "trust-policy", "--external-id: must be 2-1224 characters"},
		{"role name too long", with(func(o *Options) { o.RoleName = strings.Repeat("r", 65) }), "cli", `--role-name: "` + strings.Repeat("r", 65) + `" must be 1-64 characters of letters, digits and +=,.@-_ (got 65 characters)`},
		{"role name slash", with(func(o *Options) { o.RoleName = "team/Role" }), "checklist", `--role-name: "team/Role" must be 1-64 characters`},
		{"role name space", with(func(o *Options) { o.RoleName = "my role" }), "console-url", `--role-name: "my role" must be 1-64 characters`},
		{"bad region", with(func(o *Options) { o.Region = "useast1" }), "console-url", `--region: "useast1" is not an AWS region name (like us-east-1)`},
		{"region upper case", with(func(o *Options) { o.Region = "US-EAST-1" }), "checklist", `--region: "US-EAST-1" is not an AWS region name`},
		{"china region", with(func(o *Options) { o.Region = "cn-north-1" }), "checklist", `--region: "cn-north-1" is outside the standard aws partition`},
		{"govcloud region", with(func(o *Options) { o.Region = "us-gov-west-1" }), "console-url", `--region: "us-gov-west-1" is outside the standard aws partition`},
		{"bad stack name", with(func(o *Options) { o.StackName = "1stack" }), "console-url", `--stack-name: "1stack" must start with a letter`},
		{"plain http template", with(func(o *Options) { o.TemplateURL = "http://example.com/t.yaml" }), "console-url", `--template-url: "http://example.com/t.yaml" must be an https:// URL`},
		{"resource not an ARN", with(func(o *Options) { o.Resources = []string{"my-bucket"} }), "permissions", `--resources: "my-bucket" is not an ARN like arn:aws:<service>:<region>:<account>:<resource>`},
		{"resource of another service", with(func(o *Options) {
			o.Service = S3
			o.Resources = []string{"arn:aws:glue:us-east-1:111122223333:catalog"}
		}), "cli", `--resources: "arn:aws:glue:us-east-1:111122223333:catalog" is a glue ARN; --service s3 takes ARNs of s3`},
		{"resource in another partition", with(func(o *Options) { o.Resources = []string{"arn:aws-cn:glue:cn-north-1:111122223333:catalog"} }), "permissions", `--resources: "arn:aws-cn:glue:cn-north-1:111122223333:catalog" is not an ARN`},
		{"resources on the template", with(func(o *Options) { o.Resources = []string{"arn:aws:glue:us-east-1:111122223333:catalog"} }), "cloudformation", `--resources: --format cloudformation grants "*"`},
		{"resources on the console link", with(func(o *Options) { o.Resources = []string{"arn:aws:glue:us-east-1:111122223333:catalog"} }), "console-url", `--resources: --format console-url grants "*"`},
		{"unknown format", good, "terraform", `--format: unknown format "terraform"; use trust-policy, permissions, cloudformation, console-url, cli, checklist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // the cli format must fail before writing, but just in case
			_, err := Render(tc.opts, tc.format, ".")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("error kind %v, want invalid", apperr.KindOf(err))
			}
		})
	}
}

func TestBadOptionsReportsEveryProblem(t *testing.T) {
	err := Options{Service: "x", Access: "y", VendorAccount: "1", ExternalID: "z"}.Validate()
	for _, flag := range []string{"--service", "--access", "--vendor-account", "--external-id"} {
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("error %v does not name %s", err, flag)
		}
	}
}

// TestBadFunctionInput checks the exported functions validate their own input.
func TestBadFunctionInput(t *testing.T) {
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"TrustPolicy account", func() error { _, err := TrustPolicy("abc", "lakemap-x"); return err }, `--vendor-account: "abc" is not an AWS account ID`},
		{"TrustPolicy external id", func() error { _, err := TrustPolicy("123456789012", ""); return err }, "--external-id is required"},
		{"PermissionPolicy service", func() error { _, err := PermissionPolicy("rds", ReadOnly, nil); return err }, `--service: unknown service "rds"`},
		{"PermissionPolicy access", func() error { _, err := PermissionPolicy(Glue, "Write", nil); return err }, `--access: unknown access level "Write"`},
		{"PermissionPolicy resources", func() error {
			_, err := PermissionPolicy(DataZone, ReadOnly, []string{"arn:aws:s3:::b"})
			return err
		}, `--resources: "arn:aws:s3:::b" is a s3 ARN; --service datazone takes ARNs of datazone`},
		{"CloudFormation service", func() error { _, err := CloudFormation("athena"); return err }, `"athena" is covered by --service glue`},
		{"ConsoleURL", func() error { _, err := ConsoleURL(Options{Service: Glue}); return err }, "--vendor-account is required"},
		{"CLI", func() error {
			_, err := CLI(Options{Service: Glue, VendorAccount: "123456789012"}, t.TempDir())
			return err
		}, "--external-id is required"},
		{"Checklist", func() error { _, err := Checklist(Options{Service: "s4"}); return err }, `--service: unknown service "s4"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	got := Options{Service: "DataZone", Access: "readonly"}.WithDefaults()
	want := Options{
		Service: DataZone, Access: ReadOnly, Region: "us-east-1",
		RoleName: "DataZoneAccessRoleForLakemap", StackName: "LakemapDataZoneAccess",
		TemplateURL: "https://lakemap-public-templates.s3.amazonaws.com/lakemap-datazone-crossaccount.yaml",
	}
	if got.Service != want.Service || got.Access != want.Access || got.Region != want.Region ||
		got.RoleName != want.RoleName || got.StackName != want.StackName || got.TemplateURL != want.TemplateURL {
		t.Errorf("WithDefaults = %+v\nwant %+v", got, want)
	}
}
