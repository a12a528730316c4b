package workflow

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/awsconn"
)

const secretWorkflow = `
source:
  type: glue
  serviceName: prod_glue
  serviceConnection:
    config:
      awsConfig:
        awsAccessKeyId: AKIAIOSFODNN7EXAMPLE
        awsSecretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
        awsSessionToken: FwoGZXIvYXdzEXAMPLETOKEN
sink:
  type: metadata-rest
workflowConfig:
  openMetadataServerConfig:
    securityConfig: {jwtToken: eyJhbGciOiJSUzI1NiJ9EXAMPLEJWT}
`

var secrets = []string{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEXAMPLETOKEN", "eyJhbGciOiJSUzI1NiJ9EXAMPLEJWT"}

func TestRedacted(t *testing.T) {
	wf, err := parseTest("wf.yaml", []byte(secretWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	r := wf.Redacted()
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("loaded", "workflow", wf)
	shown := map[string]string{
		"String":    wf.String(),
		"%+v":       fmt.Sprintf("%+v %+v", *r, r.Source.Connection),
		"JSON":      string(raw),
		"slog":      logged.String(),
		"aws value": fmt.Sprintf("%+v", RedactedValue(*wf.Source.Connection.AWS())),
	}
	for how, out := range shown {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows the secret %q:\n%s", how, s, out)
			}
		}
	}
	if !strings.Contains(shown["String"], "awsSecretAccessKey: '***'") {
		t.Errorf("String does not mark the secret as set:\n%s", shown["String"])
	}
	// The original keeps the values a session needs.
	if got := wf.Source.Connection.AWS().SecretAccessKey; got != secrets[1] {
		t.Errorf("Redacted changed the original: secret is now %q", got)
	}
}

func TestRedactedValueOfConfig(t *testing.T) {
	c := awsconn.Config{AccessKeyID: "AKIA", Region: "eu-west-1"}
	got := RedactedValue(c)
	if got.AccessKeyID != Mask || got.SecretAccessKey != "" || got.Region != "eu-west-1" {
		t.Errorf("got %+v", got)
	}
	if c.AccessKeyID != "AKIA" {
		t.Error("the original was changed")
	}
	p := RedactedValue(&c)
	if p == &c || p.AccessKeyID != Mask {
		t.Errorf("pointer: got %+v", p)
	}
}
