package s3

import (
	"os"
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

// TestOpenMetadataYAML parses OpenMetadata's S3 workflow as its docs
// write it.
func TestOpenMetadataYAML(t *testing.T) {
	data, err := os.ReadFile("testdata/openmetadata-s3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wf, err := workflow.Parse("openmetadata-s3.yaml", data, registry())
	if err != nil {
		t.Fatal(err)
	}
	conn := wf.Source.Connection.(*Connection)
	cfg := wf.Source.SourceConfig.(*SourceConfig)
	if conn.Type != "S3" || conn.AWSConfig.Region != "us-east-2" || strings.Join(conn.BucketNames, ",") != "collate-demo-storage,om-glue-test" {
		t.Errorf("connection = %+v", conn)
	}
	src := cfg.StorageMetadataConfigSource
	if cfg.Type != "StorageMetadata" || !cfg.MarkDeletedContainers || !cfg.IncludeTags || src == nil ||
		src.PrefixConfig.ContainerName != "om-glue-test" || src.PrefixConfig.ObjectPrefix != "manifests" ||
		src.SecurityConfig.Region != "us-east-2" || strings.Join(cfg.ContainerFilterPattern.Includes, ",") != "collate.*,om-.*" {
		t.Errorf("source config = %+v", cfg)
	}
	// lakemap's own settings keep their defaults.
	if !cfg.AutoDiscovery || cfg.IncludeObjects || cfg.SampleFiles != DefaultSampleFiles || !cfg.IncludeMetrics {
		t.Errorf("defaults lost: %+v", cfg)
	}
	if y, err := wf.YAML(); err != nil || strings.Contains(string(y), "SECRET") {
		t.Errorf("rendered workflow leaks the secret or fails: %v\n%s", err, y)
	}
}

func TestDefaultsExcludeSuccessMarkers(t *testing.T) {
	wf, err := workflow.Parse("wf.yaml", []byte(`
source:
  type: s3
  serviceName: s
  serviceConnection:
    config:
      type: S3
      awsConfig: {awsRegion: eu-west-1}
  sourceConfig:
    config:
      type: StorageMetadata
sink: {type: metadata-rest}
`), registry())
	if err != nil {
		t.Fatal(err)
	}
	cfg := wf.Source.SourceConfig.(*SourceConfig)
	if strings.Join(cfg.ContainerFilterPattern.Excludes, ",") != "_SUCCESS" || !cfg.MarkDeletedContainers {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestBadYAML(t *testing.T) {
	for _, tc := range []struct {
		name, config, want string
	}{
		{"unknown key in defaultManifest entry", `
      defaultManifest:
        entries:
          - containerName: b1
            dataPth: x`, `wf.yaml:15:13: unknown key "dataPth"`},
		{"default entry without bucket", `
      defaultManifest:
        entries:
          - dataPath: x`, `sourceConfig.config.defaultManifest.entries[0]: "containerName" is required`},
		{"two manifest sources", `
      storageMetadataConfigSource:
        manifestFilePath: /a.json
        manifestHttpPath: http://x/m.json`, "set one of manifestFilePath, manifestHttpPath and prefixConfig"},
		{"http path not a URL", `
      storageMetadataConfigSource:
        manifestHttpPath: ftp://x`, `must be an http:// or https:// URL, got "ftp://x"`},
		{"prefixConfig without bucket", `
      storageMetadataConfigSource:
        prefixConfig: {objectPrefix: a}`, "prefixConfig.containerName: a bucket name is required"},
		{"bad securityConfig region", `
      storageMetadataConfigSource:
        securityConfig: {awsRegion: mars}
        prefixConfig: {containerName: abc}`, "securityConfig.awsRegion"},
		{"sample bytes too large", `
      sampleBytes: 100000000`, "sampleBytes: must be 0-4194304, got 100000000"},
		{"negative threads", `
      listThreads: -1`, "listThreads: must not be negative, got -1"},
		{"bad regex", `
      containerFilterPattern: {excludes: ["("]}`, "invalid regular expression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := `source:
  type: s3
  serviceName: s
  serviceConnection:
    config:
      type: S3
      awsConfig: {awsRegion: eu-west-1}
      bucketNames: [good-bucket]
  sourceConfig:
    config:
      type: StorageMetadata` + tc.config + `
sink: {type: metadata-rest}
`
			_, err := workflow.Parse("wf.yaml", []byte(y), registry())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	_, err := workflow.Parse("wf.yaml", []byte(`source:
  type: s3
  serviceName: s
  serviceConnection:
    config:
      type: S3
      bucketNames: [Bad_Bucket]
sink: {type: metadata-rest}
`), registry())
	if err == nil || !strings.Contains(err.Error(), `bucketNames[0]: bucket name "Bad_Bucket" may hold only lower-case letters`) {
		t.Errorf("err = %v", err)
	}
}

// TestSchema checks the workflow JSON Schema generator takes the s3 types
// (the committed schema is regenerated once s3 is in source/all).
func TestSchema(t *testing.T) {
	data, err := workflow.Schema(registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"defaultManifest", "storageMetadataConfigSource", "bucketNames", "maxObjectsPerBucket", "autoPartitionDetection"} {
		if !strings.Contains(string(data), `"`+key+`"`) {
			t.Errorf("schema lacks %s", key)
		}
	}
}
