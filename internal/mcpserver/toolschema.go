package mcpserver

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// withSchemas declares a tool's schemas explicitly rather than letting the
// SDK infer them, for two reasons agents pay for:
//   - inferred schemas mark Go slices and pointers nullable with a type
//     array (["null","array"]), which strict clients flag as not portable;
//     lakemap reads null as "not given" (args.go), so inputs say only the
//     real type;
//   - output schemas were half of tools/list, so none is declared: the
//     structured result keeps its shape (the Go types) beside the text.
func withSchemas[In any](t *mcp.Tool) *mcp.Tool {
	in, err := jsonschema.ForType(reflect.TypeFor[In](), &jsonschema.ForOptions{})
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err)) // a declaration bug, caught by every test
	}
	dropNull(in)
	typeAny(in)
	trimCommon(in)
	shortHints(t.Name, in)
	tt := *t
	tt.InputSchema = in
	return &tt
}

// typeAny gives a type to every accept-anything schema (a Go any), which
// JSON Schema writes as a bare true and strict clients refuse: lakemap's
// only such inputs (DataZone form content) take a JSON object or its text.
func typeAny(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	for _, p := range s.Properties {
		bare := *p
		bare.Description = "" // dropped later (shortHints)
		if b, _ := json.Marshal(&bare); string(b) == "true" {
			p.AnyOf = []*jsonschema.Schema{{Type: "object"}, {Type: "string"}}
		}
		typeAny(p)
	}
	typeAny(s.Items)
}

// dropNull replaces every nullable type array by its one non-null type.
func dropNull(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.Types) > 0 {
		var keep []string
		for _, t := range s.Types {
			if t != "null" {
				keep = append(keep, t)
			}
		}
		if len(keep) == 1 {
			s.Type, s.Types = keep[0], nil
		} else {
			s.Types = keep
		}
	}
	for _, p := range s.Properties {
		dropNull(p)
	}
	dropNull(s.Items)
	dropNull(s.AdditionalProperties)
}

// argHints are the argument descriptions tools/list carries, by
// "tool/argument" or by argument name: the few words an agent needs to
// call right. The struct tags keep the long form for the code's readers.
// An argument without a hint is described by its name and the tool's
// description; nested objects carry none (their fields are named plainly).
var argHints = map[string]string{
	"fqn":                                    "e.g. prod.sales.orders",
	"kinds":                                  `e.g. ["table"]`,
	"search_catalog/query":                   "words; empty lists the kinds",
	"athena_start_query/query":               "SQL",
	"since":                                  "time or duration back, e.g. 7d; default 24h",
	"direction":                              "upstream, downstream or both (default)",
	"filter":                                 "key=value prefixes: dt=2024-01 region=eu",
	"list_entities/kind":                     "database, table, bucket, container or workgroup",
	"parent":                                 "FQN of the database, bucket or container",
	"get_recent_changes/parent":              "FQN the changes are directly under",
	"compact":                                "name and type only",
	"delimiter":                              "e.g. / for folders",
	"ruleset":                                "rules in DQDL",
	"waitSeconds":                            "default 20, at most 30",
	"role":                                   "IAM role ARN the job runs as",
	"s3_delete_object/versionId":             "removes this version for good",
	"glue_get_data_quality_result/runId":     "an evaluation run id",
	"datazone_write_asset/action":            "create, update, publish, unpublish, delete",
	"datazone_write_data_source/action":      "create, update or delete",
	"glue_write_data_quality_ruleset/action": "create, update or delete",
	"glue_write_column_statistics/action":    "update or delete",
	"confirm":                                "the name again",
}

// shortHints replaces the argument descriptions by argHints.
func shortHints(tool string, s *jsonschema.Schema) {
	for name, p := range s.Properties {
		hint, ok := argHints[tool+"/"+name]
		if !ok {
			hint = argHints[name]
		}
		p.Description = hint
		stripDescriptions(p)
	}
}

func stripDescriptions(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	for _, p := range s.Properties {
		p.Description = ""
		stripDescriptions(p)
	}
	if s.Items != nil {
		s.Items.Description = ""
		stripDescriptions(s.Items)
	}
}

// commonArgs are the arguments every tool spells and means alike; the
// server instructions explain them once instead of in every schema.
var commonArgs = map[string]bool{"connection": true, "cursor": true, "limit": true}

// trimCommon drops the descriptions of common arguments and the
// additionalProperties=false every struct gets: an argument the tool does
// not know is ignored, which is the forgiving reading.
func trimCommon(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	s.AdditionalProperties = nil
	for name, p := range s.Properties {
		if commonArgs[name] {
			p.Description = ""
		}
		trimNested(p)
	}
}

func trimNested(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if s.AdditionalProperties != nil && len(s.AdditionalProperties.Properties) == 0 && s.AdditionalProperties.Type == "" {
		s.AdditionalProperties = nil
	}
	for _, p := range s.Properties {
		trimNested(p)
	}
	trimNested(s.Items)
}
