package workflow

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"go.yaml.in/yaml/v3"
)

// committedSchema is SchemaFile seen from this package's directory.
var committedSchema = filepath.Join("..", "..", filepath.FromSlash(SchemaFile))

// TestSchemaUpToDate fails when the committed schema no longer matches the
// Go types of the registered sources.
func TestSchemaUpToDate(t *testing.T) {
	got, err := Schema(testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(committedSchema, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(committedSchema)
	if err != nil {
		t.Fatalf("%v: run go test ./internal/workflow -run TestSchemaUpToDate -update", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale: run go test ./internal/workflow -run TestSchemaUpToDate -update and commit the result", SchemaFile)
	}
}

func resolvedSchema(t *testing.T) *jsonschema.Resolved {
	t.Helper()
	raw, err := Schema(testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		t.Fatalf("the generated schema does not resolve: %v", err)
	}
	return rs
}

// yamlAsJSON reads a YAML file the way an editor's schema check does.
func yamlAsJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemaAgreesWithParser checks the schema accepts what the parser
// accepts and rejects the structural mistakes the parser rejects.
func TestSchemaAgreesWithParser(t *testing.T) {
	rs := resolvedSchema(t)
	tests := []struct {
		dir   string
		valid bool
	}{
		{"valid_minimal", true},
		{"anchors_and_merge", true},
		{"unknown_keys", false},
		{"unknown_sink", false},
		{"unknown_source_type", false},
		{"missing_service_name", false},
		{"missing_required", false},
		{"bad_access_level", false},
		{"bad_logger_level", false},
		{"wrong_connection_type", false},
		{"wrong_types", false},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			err := rs.Validate(yamlAsJSON(t, filepath.Join("testdata", tt.dir, "input.yaml")))
			if tt.valid && err != nil {
				t.Errorf("schema rejects a valid workflow: %v", err)
			}
			if !tt.valid && err == nil {
				t.Error("schema accepts an invalid workflow")
			}
		})
	}
}

// The OpenMetadata example expands ${VAR} in an integer-free spot, so it is
// valid for the schema too once its secrets are literal strings.
func TestSchemaAcceptsOpenMetadataExample(t *testing.T) {
	rs := resolvedSchema(t)
	if err := rs.Validate(yamlAsJSON(t, filepath.Join("testdata", "valid_openmetadata", "input.yaml"))); err != nil {
		t.Errorf("schema rejects the OpenMetadata example: %v", err)
	}
}

func TestSchemaShape(t *testing.T) {
	raw, err := Schema(testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"$schema": "https://json-schema.org/draft/2020-12/schema"`,
		`"const": "glue"`,
		`"additionalProperties": false`,
		`"writeOnly": true`,
		`"default": 4`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("schema lacks %s", want)
		}
	}
}
