package awsconn

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestValidateRejectsEveryBadField(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/LakemapAccess"
	for _, tc := range []struct {
		name      string
		cfg       Config
		wantField string
		wantText  string
	}{
		{"role ARN in another partition", Config{AssumeRoleARN: "arn:aws-iso:iam::123456789012:role/R"}, "assumeRoleArn", "is not a role ARN"},
		{"role ARN with 11-digit account", Config{AssumeRoleARN: "arn:aws:iam::12345678901:role/R"}, "assumeRoleArn", "12-digit account"},
		{"role ARN without role/", Config{AssumeRoleARN: "arn:aws:iam::123456789012:R"}, "assumeRoleArn", "is not a role ARN"},
		{"user ARN instead of role", Config{AssumeRoleARN: "arn:aws:iam::123456789012:user/alice"}, "assumeRoleArn", "is not a role ARN"},
		{"STS assumed-role ARN", Config{AssumeRoleARN: "arn:aws:sts::123456789012:assumed-role/R/s"}, "assumeRoleArn", "is not a role ARN"},
		{"role name too long", Config{AssumeRoleARN: "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65)}, "assumeRoleArn", "is not a role ARN"},
		{"region name", Config{Region: "us-east"}, "awsRegion", "is not an AWS region name"},
		{"region in capitals", Config{Region: "US-EAST-1"}, "awsRegion", "is not an AWS region name"},
		{"external id too short", Config{AssumeRoleARN: role, AssumeRoleExternalID: "x"}, "assumeRoleExternalId", "got 1 characters"},
		{"external id too long", Config{AssumeRoleARN: role, AssumeRoleExternalID: strings.Repeat("x", 1225)}, "assumeRoleExternalId", "got 1225 characters"},
		{"external id with a space", Config{AssumeRoleARN: role, AssumeRoleExternalID: "lakemap project"}, "assumeRoleExternalId", "2-1224 characters"},
		{"external id with a quote", Config{AssumeRoleARN: role, AssumeRoleExternalID: `lakemap-"1"`}, "assumeRoleExternalId", "2-1224 characters"},
		{"external id without a role", Config{AssumeRoleExternalID: "lakemap-1"}, "assumeRoleExternalId", "assumeRoleArn is not"},
		{"session name too long", Config{AssumeRoleARN: role, AssumeRoleSessionName: strings.Repeat("s", 65)}, "assumeRoleSessionName", "2-64 characters"},
		{"session name with a slash", Config{AssumeRoleARN: role, AssumeRoleSessionName: "a/b"}, "assumeRoleSessionName", "2-64 characters"},
		{"source identity too short", Config{AssumeRoleARN: role, AssumeRoleSourceIdentity: "a"}, "assumeRoleSourceIdentity", "2-64 characters"},
		{"access key without secret", Config{AccessKeyID: "AKIAEXAMPLE"}, "awsAccessKeyId", "go together"},
		{"secret without access key", Config{SecretAccessKey: "s3cr3t-value"}, "awsAccessKeyId", "go together"},
		{"session token without keys", Config{SessionToken: "tok"}, "awsSessionToken", "needs awsAccessKeyId"},
		{"profile and keys", Config{ProfileName: "prod", AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s3cr3t-value"}, "profileName", "not both"},
		{"endpoint without scheme", Config{EndpointURL: "localhost:5000"}, "endPointURL", "must start with http://"},
		{"endpoint with user info", Config{EndpointURL: "https://user:pw@example.com"}, "endPointURL", "must not carry a user name or password"},
		{"endpoint without host", Config{EndpointURL: "http://"}, "endPointURL", "has no host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("kind = %v, want invalid", apperr.KindOf(err))
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantField+": ") || !strings.Contains(msg, tc.wantText) {
				t.Errorf("error %q does not name %s with %q", msg, tc.wantField, tc.wantText)
			}
			if strings.Contains(msg, "s3cr3t-value") {
				t.Errorf("error %q shows the secret", msg)
			}
			var fields []string
			for _, p := range tc.cfg.Problems() {
				fields = append(fields, p.Field)
			}
			if len(fields) != 1 || fields[0] != tc.wantField {
				t.Errorf("Problems fields = %v, want [%s]", fields, tc.wantField)
			}
		})
	}
}

func TestValidateAcceptsGoodConfigs(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Region: "eu-west-1", AssumeRoleARN: "arn:aws:iam::123456789012:role/path/to/Lakemap_Reader+1"},
		{Region: "us-gov-west-1", AssumeRoleARN: "arn:aws-us-gov:iam::123456789012:role/R"},
		{Region: "cn-north-1", AssumeRoleARN: "arn:aws-cn:iam::123456789012:role/R"},
		{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "tok", EndpointURL: "http://127.0.0.1:5000"},
		{ProfileName: "prod", AssumeRoleARN: "arn:aws:iam::123456789012:role/R", AssumeRoleExternalID: "lakemap-3f2b8e0c-9d7a-4c1e-8f5b-1a2b3c4d5e6f",
			AssumeRoleSessionName: "lakemap-glue", AssumeRoleSourceIdentity: "alice@example.com"},
		{AssumeRoleARN: "arn:aws:iam::123456789012:role/R", AssumeRoleExternalID: strings.Repeat("x", 1224)},
	} {
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", cfg, err)
		}
	}
}

func TestValidateListsEveryProblemSorted(t *testing.T) {
	cfg := Config{Region: "nowhere", AssumeRoleARN: "arn:aws:iam::1:role/R", EndpointURL: "ftp://x"}
	var fields []string
	for _, p := range cfg.Problems() {
		fields = append(fields, p.Field)
	}
	if want := "assumeRoleArn awsRegion endPointURL"; strings.Join(fields, " ") != want {
		t.Errorf("fields = %v, want %s", fields, want)
	}
}

func TestDefaultSessionName(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "lakemap",
		"glue-prod":             "lakemap-glue-prod",
		"glue prod/eu":          "lakemap-glue_prod_eu",
		strings.Repeat("a", 80): "lakemap-" + strings.Repeat("a", 56),
	} {
		if got := DefaultSessionName(in); got != want {
			t.Errorf("DefaultSessionName(%q) = %q, want %q", in, got, want)
		}
	}
}
