package connections_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

const (
	role      = "arn:aws:iam::210987654321:role/LakemapAccess"
	keyID     = "AKIAVENDOR0000000000"
	secretKey = "vendor-secret-value-do-not-show"
	token     = "session-token-do-not-show"
)

type env struct {
	store        *sqlite.Store
	svc          *connections.Service
	alpha, beta  catalog.Project
	box          *secrets.Box
	ctx          context.Context
	secretValues []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	box, err := secrets.NewBox("test key")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: st, box: box, ctx: context.Background(), secretValues: []string{secretKey, token, keyID}}
	e.svc = connections.New(st, all.NewRegistry(), box)
	for _, p := range []*catalog.Project{&e.alpha, &e.beta} {
		name := "alpha"
		if p == &e.beta {
			name = "beta"
		}
		if *p, err = catalog.NewProject(name, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateProject(e.ctx, *p); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func glueInput() connections.Input {
	return connections.Input{
		Name: "prod_glue", SourceType: "glue", RoleARN: role, Region: "eu-west-1",
		AccessLevel: catalog.ReadWrite, EndpointURL: "http://127.0.0.1:5000",
		SourceConfig: map[string]any{
			"schemaFilterPattern": map[string]any{"includes": []any{"^sales_.*"}},
			"threads":             float64(2), // as JSON decodes it
		},
		Credentials: connections.Credentials{Type: connections.StaticKeys, AccessKeyID: keyID, SecretAccessKey: secretKey, SessionToken: token},
		Schedule:    connections.Schedule{Cron: "0 3 * * *"},
	}
}

// noSecret fails when any secret value appears in b.
func (e *env) noSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range e.secretValues {
		if strings.Contains(string(b), s) {
			t.Errorf("%s shows a secret (%q):\n%s", what, s, b)
		}
	}
}

func TestCreateGetListUpdateDelete(t *testing.T) {
	e := newEnv(t)
	v, err := e.svc.Create(e.ctx, e.alpha.ID, glueInput())
	if err != nil {
		t.Fatal(err)
	}
	if v.ExternalID != e.alpha.ExternalID || v.ProjectID != e.alpha.ID || v.Region != "eu-west-1" || v.AccessLevel != catalog.ReadWrite {
		t.Errorf("created view = %+v", v)
	}
	want := connections.CredentialsView{Type: connections.StaticKeys, AccessKeyID: "set", SecretAccessKey: "set", SessionToken: "set"}
	if v.Credentials != want {
		t.Errorf("credentials = %+v, want %+v", v.Credentials, want)
	}
	if v.Schedule == nil || v.Schedule.Cron != "0 3 * * *" {
		t.Errorf("schedule = %+v", v.Schedule)
	}
	if got := v.SourceConfig["threads"]; got != 2 && got != float64(2) {
		t.Errorf("sourceConfig.threads = %#v", got)
	}
	js, _ := json.Marshal(v)
	e.noSecret(t, "created view JSON", js)

	if _, err := e.svc.Create(e.ctx, e.beta.ID, glueInput()); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second connection of the same name: %v, want Conflict", err)
	}

	got, err := e.svc.Get(e.ctx, e.alpha.ID, "prod_glue")
	if err != nil || got.Name != "prod_glue" || got.RoleARN != role {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	list, err := e.svc.List(e.ctx, e.alpha.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if list, err := e.svc.List(e.ctx, e.beta.ID); err != nil || len(list) != 0 {
		t.Errorf("List(beta) = %+v, %v; want none", list, err)
	}

	region, level := "us-west-2", catalog.ReadOnly
	up, err := e.svc.Update(e.ctx, e.alpha.ID, "prod_glue", connections.Patch{
		Region: &region, AccessLevel: &level, Schedule: &connections.Schedule{Interval: "30m"},
		// A new access key id alone: the stored secret stays, the session
		// token (bound to the old key) does not.
		Credentials: &connections.Credentials{AccessKeyID: "AKIANEWKEY0000000000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.Region != region || up.AccessLevel != level || up.Schedule == nil || up.Schedule.Interval != "30m0s" || !up.Created.Equal(v.Created) {
		t.Errorf("updated view = %+v", up)
	}
	if up.Credentials.SecretAccessKey != "set" || up.Credentials.SessionToken != "" {
		t.Errorf("updated credentials = %+v", up.Credentials)
	}
	rec, err := e.svc.Record(e.ctx, e.alpha.ID, "prod_glue")
	if err != nil {
		t.Fatal(err)
	}
	wf, err := e.svc.Workflow(e.ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	aws := wf.Source.Connection.AWS()
	if aws.AccessKeyID != "AKIANEWKEY0000000000" || aws.SecretAccessKey != secretKey || aws.SessionToken != "" {
		t.Errorf("update lost or kept the wrong secrets: id %q secret kept %v token %q", aws.AccessKeyID, aws.SecretAccessKey == secretKey, aws.SessionToken)
	}

	if err := e.svc.Delete(e.ctx, e.alpha.ID, "prod_glue"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Get(e.ctx, e.alpha.ID, "prod_glue"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Get after Delete: %v, want NotFound", err)
	}
}

func TestUpdateWithoutSecretsKeepsThem(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Create(e.ctx, e.alpha.ID, glueInput()); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:iam::210987654321:role/Other"
	if _, err := e.svc.Update(e.ctx, e.alpha.ID, "prod_glue", connections.Patch{RoleARN: &arn,
		Credentials: &connections.Credentials{Type: connections.StaticKeys}}); err != nil {
		t.Fatal(err)
	}
	rec, _ := e.svc.Record(e.ctx, e.alpha.ID, "prod_glue")
	wf, err := e.svc.Workflow(e.ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	aws := wf.Source.Connection.AWS()
	if aws.AccessKeyID != keyID || aws.SecretAccessKey != secretKey || aws.SessionToken != token {
		t.Error("an update omitting the secrets did not keep them")
	}
	if aws.AssumeRoleARN != arn || aws.AssumeRoleExternalID != e.alpha.ExternalID {
		t.Errorf("role %q External ID %q", aws.AssumeRoleARN, aws.AssumeRoleExternalID)
	}
	// Switching to the default chain drops the keys.
	if v, err := e.svc.Update(e.ctx, e.alpha.ID, "prod_glue", connections.Patch{Credentials: &connections.Credentials{Type: connections.DefaultChain}}); err != nil ||
		v.Credentials != (connections.CredentialsView{Type: connections.DefaultChain}) {
		t.Errorf("to default chain: %+v, %v", v.Credentials, err)
	}
	rec, _ = e.svc.Record(e.ctx, e.alpha.ID, "prod_glue")
	if len(rec.Secrets) != 0 || len(rec.SecretFields) != 0 {
		t.Errorf("default chain kept sealed secrets %v", rec.SecretFields)
	}
}

func TestBadInputsNameTheirField(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name  string
		edit  func(*connections.Input)
		field string
		text  string
	}{
		{"bad role ARN", func(in *connections.Input) { in.RoleARN = "arn:aws:iam::123:user/x" }, "roleArn", "is not a role ARN"},
		{"bad region", func(in *connections.Input) { in.Region = "mars-1" }, "region", "not an AWS region"},
		{"unknown source type", func(in *connections.Input) { in.SourceType = "gleu" }, "sourceType", `did you mean "glue"`},
		{"External ID given", func(in *connections.Input) { in.ExternalID = e.alpha.ExternalID }, "externalId", "project's External ID"},
		{"bad cron", func(in *connections.Input) { in.Schedule = connections.Schedule{Cron: "0 3 * *"} }, "schedule.cron", "5-field"},
		{"cron with seconds", func(in *connections.Input) { in.Schedule = connections.Schedule{Cron: "0 0 3 * * *"} }, "schedule.cron", "5-field"},
		{"cron descriptor", func(in *connections.Input) { in.Schedule = connections.Schedule{Cron: "@every 1s"} }, "schedule.cron", "5-field"},
		{"interval too short", func(in *connections.Input) { in.Schedule = connections.Schedule{Interval: "30s"} }, "schedule.interval", "shorter than the minimum"},
		{"interval not a duration", func(in *connections.Input) { in.Schedule = connections.Schedule{Interval: "daily"} }, "schedule.interval", "not a duration"},
		{"cron and interval", func(in *connections.Input) { in.Schedule = connections.Schedule{Cron: "0 3 * * *", Interval: "1h"} }, "schedule", "not both"},
		{"unknown sourceConfig key", func(in *connections.Input) { in.SourceConfig["tableFilter"] = "x" }, "sourceConfig.tableFilter", "unknown key"},
		{"bad regex filter", func(in *connections.Input) {
			in.SourceConfig["schemaFilterPattern"] = map[string]any{"includes": []any{"ok", "(unclosed"}}
		}, "sourceConfig.schemaFilterPattern.includes[1]", "invalid regular expression"},
		{"sourceConfig value of the wrong type", func(in *connections.Input) { in.SourceConfig["threads"] = "many" }, "sourceConfig.threads", "expected an integer"},
		{"endpoint URL with userinfo", func(in *connections.Input) { in.EndpointURL = "https://user:" + secretKey + "@example.com" }, "endpointUrl", "user name or password"},
		{"endpoint URL without scheme", func(in *connections.Input) { in.EndpointURL = "localhost:5000" }, "endpointUrl", "http://"},
		{"bad access level", func(in *connections.Input) { in.AccessLevel = "Admin" }, "accessLevel", "is not one of"},
		{"empty name", func(in *connections.Input) { in.Name = "" }, "name", "must not be empty"},
		{"static keys without secret", func(in *connections.Input) { in.Credentials.SecretAccessKey = "" }, "credentials.secretAccessKey", "required"},
		{"profile with keys", func(in *connections.Input) {
			in.Credentials.Type = connections.NamedProfile
			in.Credentials.Profile = "p"
		}, "credentials.accessKeyId", "only for"},
		{"unknown credential type", func(in *connections.Input) { in.Credentials.Type = "vault" }, "credentials.type", "is not one of"},
		{"awsConfig in connectionConfig", func(in *connections.Input) { in.ConnectionConfig = map[string]any{"awsConfig": map[string]any{}} }, "connectionConfig.awsConfig", "set by"},
		{"unknown connectionConfig key", func(in *connections.Input) { in.ConnectionConfig = map[string]any{"bucketNames": []any{"b"}} }, "connectionConfig.bucketNames", "unknown key"},
		{"env reference is literal", func(in *connections.Input) { in.RoleARN = "${LAKEMAP_SECRET_KEY}" }, "roleArn", "is not a role ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := glueInput()
			tc.edit(&in)
			_, err := e.svc.Create(e.ctx, e.alpha.ID, in)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("Create = %v (kind %v), want Invalid", err, apperr.KindOf(err))
			}
			var fe connections.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not FieldErrors", err)
			}
			found := false
			for _, f := range fe {
				if f.Field == tc.field && strings.Contains(f.Message, tc.text) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %q lack field %s with %q", fe, tc.field, tc.text)
			}
			e.noSecret(t, "error", []byte(err.Error()))
			if _, err := e.store.GetConnection(e.ctx, in.Name); !apperr.Is(err, apperr.NotFound) && in.Name != "" {
				t.Errorf("refused connection was stored: %v", err)
			}
		})
	}
	t.Run("patch giving an External ID", func(t *testing.T) {
		if _, err := e.svc.Create(e.ctx, e.alpha.ID, glueInput()); err != nil {
			t.Fatal(err)
		}
		id := "lakemap-mine"
		_, err := e.svc.Update(e.ctx, e.alpha.ID, "prod_glue", connections.Patch{ExternalID: &id})
		var fe connections.FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != "externalId" {
			t.Errorf("Update = %v, want externalId refused", err)
		}
	})
	t.Run("unknown project", func(t *testing.T) {
		if _, err := e.svc.Create(e.ctx, "0b6f7e52-5a4c-4a49-9d55-3f7d0c7e0c11", glueInput()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Create in unknown project: %v, want NotFound", err)
		}
	})
}

func TestOtherProjectsConnectionIsNotFound(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Create(e.ctx, e.alpha.ID, glueInput()); err != nil {
		t.Fatal(err)
	}
	region := "us-west-2"
	for name, call := range map[string]func() error{
		"Get": func() error { _, err := e.svc.Get(e.ctx, e.beta.ID, "prod_glue"); return err },
		"Update": func() error {
			_, err := e.svc.Update(e.ctx, e.beta.ID, "prod_glue", connections.Patch{Region: &region})
			return err
		},
		"Delete": func() error { return e.svc.Delete(e.ctx, e.beta.ID, "prod_glue") },
		"Record": func() error { _, err := e.svc.Record(e.ctx, e.beta.ID, "prod_glue"); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s from project beta = %v, want NotFound", name, err)
			}
		})
	}
	v, err := e.svc.Get(e.ctx, e.alpha.ID, "prod_glue")
	if err != nil || v.Region != "eu-west-1" {
		t.Errorf("alpha's connection changed: %+v, %v", v, err)
	}
}

func TestSecretsNeverInReadModel(t *testing.T) {
	e := newEnv(t)
	in := connections.Input{Name: "lake", SourceType: "s3", RoleARN: role,
		Credentials: connections.Credentials{Type: connections.StaticKeys, AccessKeyID: keyID, SecretAccessKey: secretKey},
		SourceConfig: map[string]any{"storageMetadataConfigSource": map[string]any{
			"prefixConfig":   map[string]any{"containerName": "manifests"},
			"securityConfig": map[string]any{"awsAccessKeyId": keyID, "awsSecretAccessKey": secretKey},
		}},
	}
	v, err := e.svc.Create(e.ctx, e.alpha.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(v)
	e.noSecret(t, "view JSON", js)
	if len(v.SourceConfigSecrets) != 2 {
		t.Errorf("sourceConfigSecrets = %v, want the two manifest keys", v.SourceConfigSecrets)
	}
	all, err := e.svc.All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	js, _ = json.Marshal(all)
	e.noSecret(t, "All JSON", js)
	rec, err := e.svc.Record(e.ctx, e.alpha.ID, "lake")
	if err != nil {
		t.Fatal(err)
	}
	e.noSecret(t, "stored config", append(append([]byte{}, rec.Config...), rec.SourceConfig...))
	y, err := e.svc.ExportYAML(rec)
	if err != nil {
		t.Fatal(err)
	}
	e.noSecret(t, "exported YAML", y)
	if !strings.Contains(string(y), "Static keys are not exported") || !strings.Contains(string(y), "securityConfig.awsSecretAccessKey") {
		t.Errorf("export does not say where the secrets go:\n%s", y)
	}
	// The runnable workflow has them back, and a patch of the scan options
	// that keeps securityConfig keeps its keys.
	threads := map[string]any{"threads": float64(3), "storageMetadataConfigSource": map[string]any{
		"prefixConfig": map[string]any{"containerName": "manifests"}, "securityConfig": map[string]any{}}}
	if _, err := e.svc.Update(e.ctx, e.alpha.ID, "lake", connections.Patch{SourceConfig: threads}); err != nil {
		t.Fatal(err)
	}
	rec, _ = e.svc.Record(e.ctx, e.alpha.ID, "lake")
	wf, err := e.svc.Workflow(e.ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	js, _ = json.Marshal(wf.Source.SourceConfig)
	if !strings.Contains(string(js), secretKey) || !strings.Contains(string(js), `"threads":3`) {
		t.Errorf("workflow scan options lost the manifest keys or the patch: %s", js)
	}
}
