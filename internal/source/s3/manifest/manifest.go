// Package manifest reads OpenMetadata's storage manifests: the bucket's own
// openmetadata.json, the global openmetadata_storage_manifest.json named by
// storageMetadataConfigSource, and the workflow's defaultManifest. A bad
// entry is reported and dropped; the other entries stay usable.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// File names OpenMetadata uses.
const (
	BucketFile = "openmetadata.json"
	GlobalFile = "openmetadata_storage_manifest.json"
)

// Manifest is a list of entries.
type Manifest struct {
	Entries []Entry `yaml:"entries" json:"entries" jsonschema:"container entries; each needs containerName here"`
}

// Entry describes where one dataset lives in a bucket and how to read it.
// Keys are OpenMetadata's (containerMetadataConfig.json,
// manifestMetadataConfig.json).
type Entry struct {
	ContainerName       string            `yaml:"containerName" json:"containerName,omitempty" jsonschema:"bucket the entry applies to (required outside a bucket's own openmetadata.json)"`
	DataPath            string            `yaml:"dataPath" json:"dataPath" jsonschema:"path of the data in the bucket; globs *, ** and ? allowed"`
	StructureFormat     string            `yaml:"structureFormat" json:"structureFormat,omitempty" jsonschema:"csv, tsv, json, jsonl, parquet, avro...; empty detects from file extensions"`
	Separator           string            `yaml:"separator" json:"separator,omitempty" jsonschema:"field separator of delimited files"`
	IsPartitioned       bool              `yaml:"isPartitioned" json:"isPartitioned,omitempty" jsonschema:"the data is partitioned in sub-directories"`
	PartitionColumns    []PartitionColumn `yaml:"partitionColumns" json:"partitionColumns,omitempty" jsonschema:"partition columns, overriding detection"`
	Depth               int               `yaml:"depth" json:"depth,omitempty" jsonschema:"the datasets are the directories this many levels below dataPath"`
	UnstructuredFormats []string          `yaml:"unstructuredFormats" json:"unstructuredFormats,omitempty" jsonschema:"extensions of unstructured files to catalogue (png, pdf...), or * for all"`
	UnstructuredData    bool              `yaml:"unstructuredData" json:"unstructuredData,omitempty" jsonschema:"catalogue matching files without reading a schema"`
	ExcludePaths        []string          `yaml:"excludePaths" json:"excludePaths,omitempty" jsonschema:"path segments to skip (default _delta_log, _temporary, _spark_metadata, .tmp, _SUCCESS...)"`
	ExcludePatterns     []string          `yaml:"excludePatterns" json:"excludePatterns,omitempty" jsonschema:"globs of keys to skip"`
	// A pointer: absent means true, as in OpenMetadata.
	AutoPartitionDetection *bool `yaml:"autoPartitionDetection" json:"autoPartitionDetection,omitempty" jsonschema:"detect Hive-style key=value partition directories (default true)"`
	// Index is the entry's position in its file, for messages.
	Index int `yaml:"-" json:"-"`
}

// PartitionColumn is a partition column as OpenMetadata's table column
// declares it; only name, dataType and description are used.
type PartitionColumn struct {
	Name            string `yaml:"name" json:"name" jsonschema:"column name"`
	DataType        string `yaml:"dataType" json:"dataType" jsonschema:"OpenMetadata data type: STRING, INT, DATE..."`
	DataTypeDisplay string `yaml:"dataTypeDisplay" json:"dataTypeDisplay,omitempty" jsonschema:"type as displayed"`
	DisplayName     string `yaml:"displayName" json:"displayName,omitempty" jsonschema:"display name"`
	Description     string `yaml:"description" json:"description,omitempty" jsonschema:"column description"`
}

// AutoPartitions reports whether Hive-style partitions are detected.
func (e Entry) AutoPartitions() bool {
	return e.AutoPartitionDetection == nil || *e.AutoPartitionDetection
}

// Label names the entry in messages: its position and dataPath.
func Label(e Entry) string {
	if e.DataPath == "" {
		return fmt.Sprintf("entry %d", e.Index)
	}
	return fmt.Sprintf("entry %d (dataPath %q)", e.Index, e.DataPath)
}

// Problem is something wrong with one entry (Entry >= 0) or with the file
// as a whole (Entry == -1).
type Problem struct {
	Entry   int
	Label   string
	Message string
}

func (p Problem) Error() string {
	if p.Entry < 0 {
		return p.Message
	}
	return p.Label + ": " + p.Message
}

var (
	entryKeys = []string{"autoPartitionDetection", "containerName", "dataPath", "depth", "excludePaths", "excludePatterns",
		"isPartitioned", "partitionColumns", "separator", "structureFormat", "unstructuredData", "unstructuredFormats"}
	fileKeys = []string{"entries"}
)

// Parse reads a manifest. requireContainer says entries must name their
// bucket (global and default manifests). It returns the usable entries and
// a problem for every entry dropped or key ignored; the error is set when
// nothing in the file is usable (not JSON, no entries list).
func Parse(data []byte, requireContainer bool) ([]Entry, []Problem, error) {
	var file map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&file); err != nil {
		return nil, nil, notJSONObject(err)
	}
	if dec.More() {
		return nil, nil, errors.New("not a JSON object: more data follows the object")
	}
	var problems []Problem
	for _, k := range sortedKeys(file) {
		if k != "entries" {
			problems = append(problems, Problem{Entry: -1, Message: unknownKey(k, fileKeys)})
		}
	}
	raw, ok := file["entries"]
	if !ok {
		return nil, problems, errors.New(`no "entries" list`)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, problems, fmt.Errorf(`"entries" is not a list: %w`, err)
	}
	var out []Entry
	for i, item := range items {
		e, msg := parseEntry(item)
		e.Index = i
		if msg == "" {
			msg = e.check(requireContainer)
		}
		if msg != "" {
			problems = append(problems, Problem{Entry: i, Label: Label(e), Message: msg})
			continue
		}
		out = append(out, e)
	}
	return out, problems, nil
}

// notJSONObject describes a decode error by position and JSON type only:
// encoding/json quotes the offending character, and a manifest path may
// have named a file that is not a manifest (a key, a password file), whose
// content must not reach a scan's stored warnings.
func notJSONObject(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not a JSON object: invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("not a JSON object: found a JSON %s", typ.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not a JSON object: the file is empty or ends early")
	}
	return errors.New("not a JSON object")
}

func parseEntry(item json.RawMessage) (Entry, string) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(item, &keys); err != nil {
		return Entry{}, "not a JSON object"
	}
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(item))
	dec.DisallowUnknownFields()
	// Decode what can be decoded first, so the label names the dataPath
	// even when another key is wrong.
	if p, ok := keys["dataPath"]; ok {
		_ = json.Unmarshal(p, &e.DataPath)
	}
	var unknown []string
	for _, k := range sortedKeys(keys) {
		if !contains(entryKeys, k) {
			unknown = append(unknown, unknownKey(k, entryKeys))
		}
	}
	if len(unknown) > 0 {
		return e, strings.Join(unknown, "; ") + "; entry skipped"
	}
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Sprintf("%v; entry skipped", err)
	}
	return e, ""
}

func (e *Entry) check(requireContainer bool) string {
	e.DataPath = strings.TrimSpace(e.DataPath)
	switch {
	case requireContainer && e.ContainerName == "":
		return `"containerName" is required outside a bucket's own openmetadata.json; entry skipped`
	case strings.Trim(e.DataPath, "/") == "" && e.Depth == 0:
		return `"dataPath" is required; entry skipped`
	case e.Depth < 0:
		return fmt.Sprintf(`"depth" must not be negative, got %d; entry skipped`, e.Depth)
	}
	if _, err := Compile(e.DataPath); err != nil {
		return err.Error() + "; entry skipped"
	}
	for _, p := range e.ExcludePatterns {
		if _, err := Compile(p); err != nil {
			return fmt.Sprintf("excludePatterns: %v; entry skipped", err)
		}
	}
	for i, c := range e.PartitionColumns {
		if c.Name == "" || c.DataType == "" {
			return fmt.Sprintf("partitionColumns[%d] needs a name and a dataType; entry skipped", i)
		}
	}
	return ""
}

// Check validates entries written in the workflow (defaultManifest), for
// the workflow parser; problems name entries by position.
func Check(entries []Entry, requireContainer bool) []Problem {
	var out []Problem
	for i := range entries {
		e := entries[i]
		e.Index = i
		if msg := e.check(requireContainer); msg != "" {
			out = append(out, Problem{Entry: i, Label: Label(e), Message: strings.TrimSuffix(msg, "; entry skipped")})
		}
	}
	return out
}

// ForBucket returns the entries naming bucket.
func ForBucket(entries []Entry, bucket string) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.ContainerName == bucket {
			out = append(out, e)
		}
	}
	return out
}

func unknownKey(k string, known []string) string {
	msg := fmt.Sprintf("unknown key %q", k)
	if s := nearest(k, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// nearest suggests the known key closest to k, if close enough to be a typo.
func nearest(k string, known []string) string {
	best, bestD := "", 4
	for _, c := range known {
		if strings.EqualFold(c, k) {
			return c
		}
		if d := distance(strings.ToLower(k), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Ext is the lower-cased extension of a key's file name, without the dot.
func Ext(key string) string {
	return strings.TrimPrefix(strings.ToLower(path.Ext(key)), ".")
}
