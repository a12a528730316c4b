package connections_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/source/glue"
	"github.com/lakemap/lakemap/internal/workflow"
)

// comparable drops what differs between two saves of the same connection.
func comparable(v connections.View) connections.View {
	v.Created, v.Updated = time.Time{}, time.Time{}
	v.Schedule = nil
	// JSON numbers read back as float64, YAML ones as int.
	js, _ := json.Marshal(v)
	var out connections.View
	_ = json.Unmarshal(js, &out)
	return out
}

func TestExportRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   connections.Input
	}{
		{"glue with scan options", func() connections.Input {
			in := glueInput()
			in.Credentials = connections.Credentials{}
			in.RoleSessionName = "custom-session"
			in.SourceConfig["tableFilterPattern"] = map[string]any{"excludes": []any{"^tmp_", "${literal}"}}
			in.SourceConfig["queryLogDuration"] = float64(2)
			return in
		}()},
		{"s3 with buckets and a profile", connections.Input{Name: "lake", SourceType: "s3", RoleARN: role,
			ConnectionConfig: map[string]any{"bucketNames": []any{"sales-data", "raw-events"}},
			SourceConfig:     map[string]any{"includeObjects": true, "maxDepth": float64(3)},
			Credentials:      connections.Credentials{Type: connections.NamedProfile, Profile: "vendor"}}},
		{"athena, defaults only", connections.Input{Name: "q", SourceType: "athena", RoleARN: role,
			ConnectionConfig: map[string]any{"workgroup": "primary"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			want, err := e.svc.Create(e.ctx, e.alpha.ID, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := e.svc.Record(e.ctx, e.alpha.ID, tc.in.Name)
			if err != nil {
				t.Fatal(err)
			}
			y, err := e.svc.ExportYAML(rec)
			if err != nil {
				t.Fatal(err)
			}
			wf, err := workflow.Parse("export.yaml", y, all.NewRegistry())
			if err != nil {
				t.Fatalf("export does not parse: %v\n%s", err, y)
			}
			// lakemap ingest -c on the export: the same connection again.
			if err := e.store.DeleteConnection(e.ctx, tc.in.Name); err != nil {
				t.Fatal(err)
			}
			if err := ingest.Remember(e.ctx, e.store, wf, e.box); err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.Get(e.ctx, e.alpha.ID, tc.in.Name)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := comparable(got), comparable(want); !reflect.DeepEqual(g, w) {
				t.Errorf("after the round trip\n got %+v\nwant %+v\nYAML:\n%s", g, w, y)
			}
			if tc.name == "glue with scan options" && !strings.Contains(string(y), "$${literal}") {
				t.Errorf("a literal ${ is not escaped in the export:\n%s", y)
			}
		})
	}
}

func TestExportCarriesScheduleAsComment(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Create(e.ctx, e.alpha.ID, glueInput()); err != nil {
		t.Fatal(err)
	}
	rec, _ := e.svc.Record(e.ctx, e.alpha.ID, "prod_glue")
	y, err := e.svc.ExportYAML(rec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`cron "0 3 * * *"`, "project: " + e.alpha.ID, "lakemap ingest -c"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("export lacks %q:\n%s", want, y)
		}
	}
	if strings.Contains(string(y), "assumeRoleExternalId") {
		t.Errorf("export of a project's connection writes the External ID (ingest fills it):\n%s", y)
	}
}

// A workflow naming a project creates the connection the service lists,
// and saving it again keeps the schedule set through the API.
func TestWorkflowDoorCreatesTheConnectionTheServiceSees(t *testing.T) {
	e := newEnv(t)
	yaml := fmt.Sprintf(`source:
  type: glue
  serviceName: from_yaml
  serviceConnection:
    config:
      type: Glue
      project: alpha
      accessLevel: ReadWrite
      awsConfig:
        awsAccessKeyId: %s
        awsSecretAccessKey: %s
        awsRegion: eu-central-1
        assumeRoleArn: %s
  sourceConfig:
    config:
      type: DatabaseMetadata
      databaseFilterPattern:
        includes: ["^sales$"]
      includeAthena: false
sink:
  type: lakemap
`, keyID, secretKey, role)
	wf, err := workflow.Parse("wf.yaml", []byte(yaml), all.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := ingest.Remember(e.ctx, e.store, wf, e.box); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.List(e.ctx, e.alpha.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	v := list[0]
	if v.Name != "from_yaml" || v.ExternalID != e.alpha.ExternalID || v.Region != "eu-central-1" || v.AccessLevel != catalog.ReadWrite ||
		v.Credentials.Type != connections.StaticKeys || v.Credentials.SecretAccessKey != connections.Set {
		t.Errorf("view = %+v", v)
	}
	if v.SourceConfig["includeAthena"] != false || v.SourceConfig["databaseFilterPattern"] == nil || v.SourceConfig["type"] != nil {
		t.Errorf("scan options = %#v, want what differs from the defaults", v.SourceConfig)
	}
	js, _ := json.Marshal(list)
	e.noSecret(t, "list JSON", js)

	if _, err := e.svc.Update(e.ctx, e.alpha.ID, "from_yaml", connections.Patch{Schedule: &connections.Schedule{Interval: "6h"}}); err != nil {
		t.Fatal(err)
	}
	if err := ingest.Remember(e.ctx, e.store, wf, e.box); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.Get(e.ctx, e.alpha.ID, "from_yaml")
	if err != nil || v.Schedule == nil || v.Schedule.Interval != "6h0m0s" {
		t.Errorf("schedule after the workflow ran again = %+v, %v", v.Schedule, err)
	}
	// The runnable workflow rebuilt from the record scans the same way.
	rec, _ := e.svc.Record(e.ctx, e.alpha.ID, "from_yaml")
	back, err := e.svc.Workflow(e.ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Source.SourceConfig, wf.Source.SourceConfig) {
		t.Errorf("scan options differ:\n got %+v\nwant %+v", back.Source.SourceConfig, wf.Source.SourceConfig)
	}
	// The rebuilt workflow names the project by id, the file by name.
	if p, ok := back.Source.Connection.(interface{ ProjectRef() string }); !ok || p.ProjectRef() != e.alpha.ID {
		t.Errorf("rebuilt workflow does not name project alpha by id: %+v", back.Source.Connection)
	}
	wantConn := *wf.Source.Connection.(*glue.Connection)
	wantConn.Project = e.alpha.ID
	if !reflect.DeepEqual(back.Source.Connection, &wantConn) {
		t.Errorf("connection differs:\n got %+v\nwant %+v", back.Source.Connection, wf.Source.Connection)
	}
}
