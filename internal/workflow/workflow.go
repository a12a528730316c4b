// Package workflow reads lakemap's OpenMetadata-shaped workflow YAML: it
// decodes the file node by node (so every problem has a line and a column),
// applies defaults and validates, and it does all of that offline: Parse takes
// the file's bytes and no context, opens no file and no socket. Reaching AWS
// is the caller's next step (ingest, connection test), never the parser's.
package workflow

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/source"
)

// Workflow is a parsed, defaulted and validated workflow file.
type Workflow struct {
	// File is the name the workflow was parsed under, for messages.
	File   string
	Source Source
	Sink   Sink
	Config WorkflowConfig
	// Notes are harmless things the user may want to know, such as
	// OpenMetadata settings that lakemap accepts and ignores.
	Notes []string
}

// Source is the workflow's source block, decoded into the registered spec's
// own types.
type Source struct {
	Type        string
	ServiceName string
	Spec        source.Spec
	// Connection is the pointer NewConnection returned, decoded and defaulted
	// (awsConfig's region and role session name filled in).
	Connection source.AWSConfigHolder
	// SourceConfig is the pointer NewSourceConfig returned, decoded; nil when
	// the spec has no NewSourceConfig.
	SourceConfig any
}

// Sink is where a workflow writes. lakemap has one sink, its own catalog,
// reachable under OpenMetadata's name metadata-rest or as lakemap.
type Sink struct {
	Type   string `yaml:"type" required:"true" enum:"metadata-rest,lakemap" jsonschema:"metadata-rest (OpenMetadata's name) or lakemap: both write to lakemap's catalog"`
	Config Opaque `yaml:"config" jsonschema:"accepted for OpenMetadata compatibility; ignored"`
}

// WorkflowConfig is workflowConfig.
type WorkflowConfig struct {
	LoggerLevel              string `yaml:"loggerLevel" enum:"DEBUG,INFO,WARN,ERROR" jsonschema:"log level: DEBUG, INFO (default), WARN or ERROR"`
	OpenMetadataServerConfig Opaque `yaml:"openMetadataServerConfig" jsonschema:"accepted for OpenMetadata compatibility and ignored: lakemap writes to its own catalog"`
}

// Level is LoggerLevel as a slog level.
func (c WorkflowConfig) Level() slog.Level {
	switch c.LoggerLevel {
	case "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// Opaque is YAML content lakemap accepts for OpenMetadata compatibility and
// does not read. Only its presence is kept: the content may hold tokens.
type Opaque struct {
	Present bool
}

// Options tune parsing.
type Options struct {
	// Registry resolves source.type. Required.
	Registry *source.Registry
	// LookupEnv resolves ${VAR} in string values; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

// Parse parses a workflow file's content, applies defaults and validates it.
// file only names the content in findings. On any problem it returns
// Findings, every problem found, sorted by position.
func Parse(file string, data []byte, reg *source.Registry) (*Workflow, error) {
	return Options{Registry: reg}.Parse(file, data)
}

// Load reads and parses the workflow file at path.
func Load(path string, reg *source.Registry) (*Workflow, error) {
	return Options{Registry: reg}.Load(path)
}

// Load reads and parses the workflow file at path.
func (o Options) Load(path string) (*Workflow, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		kind := apperr.Invalid
		if errors.Is(err, fs.ErrNotExist) {
			kind = apperr.NotFound
		}
		return nil, apperr.Wrap(kind, err, "reading workflow")
	}
	return o.Parse(path, data)
}

// Parse parses a workflow file's content; see the package function Parse.
func (o Options) Parse(file string, data []byte) (*Workflow, error) {
	if o.Registry == nil {
		return nil, fmt.Errorf("parsing workflow %s: no source registry", file)
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	p := &parser{decoder: newDecoder(file, lookup), reg: o.Registry}
	wf := p.parse(data)
	if len(p.findings) > 0 {
		return nil, p.findings.sorted()
	}
	if wf == nil {
		return nil, fmt.Errorf("parsing workflow %s: no workflow and no finding (a lakemap bug)", file)
	}
	return wf, nil
}
