package athena

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/workflow"
)

func registry() *source.Registry {
	r := source.NewRegistry()
	Register(r)
	return r
}

func TestOpenMetadataAthenaYAML(t *testing.T) {
	wf, err := workflow.Load(filepath.Join("testdata", "openmetadata_athena.yaml"), registry())
	if err != nil {
		t.Fatalf("OpenMetadata's athena.yaml: %v", err)
	}
	conn, ok := wf.Source.Connection.(*Connection)
	if !ok {
		t.Fatalf("connection is %T", wf.Source.Connection)
	}
	if conn.Workgroup != "workgroup name" || conn.S3StagingDir != "https://s3-directory-for-datasource.com" || conn.CatalogID != "123456789012" {
		t.Errorf("connection = %+v", conn)
	}
	cfg := wf.Source.SourceConfig.(*SourceConfig)
	if cfg.QueryLogDuration != 7 || cfg.ResultLimit != 500 || !cfg.IncludeViews || !cfg.IncludeTables || !cfg.IncludeQueryHistory {
		t.Errorf("source config = %+v", cfg)
	}
}

func TestSourceConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name, config, want string
	}{
		{"query log too long", "queryLogDuration: 90", "queryLogDuration: must be 0-45 days (Athena keeps 45 days of history), got 90"},
		{"negative limit", "resultLimit: -5", "resultLimit: must not be negative, got -5"},
		{"segments", "partitionSegments: 20", "partitionSegments: must be 1-10 (Glue's limit), got 20"},
		{"unknown key", "queryLogDurationDays: 3", "queryLogDurationDays"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			yaml := `source:
  type: athena
  serviceName: a
  serviceConnection:
    config:
      type: Athena
      s3StagingDir: s3://b/r/
      workgroup: primary
  sourceConfig:
    config:
      ` + tt.config + `
sink:
  type: metadata-rest
`
			_, err := workflow.Parse("wf.yaml", []byte(yaml), registry())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
