package workflow

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/source"
)

// fileDoc is the workflow file as written. The source's connection and
// source config are kept as nodes until source.type has picked the spec
// whose types they decode into.
type fileDoc struct {
	Source         sourceDoc      `yaml:"source" required:"true" jsonschema:"what to scan"`
	Sink           Sink           `yaml:"sink" required:"true" jsonschema:"where the results go: lakemap's catalog"`
	WorkflowConfig WorkflowConfig `yaml:"workflowConfig" jsonschema:"logging; OpenMetadata server settings are accepted and ignored"`
	// OpenMetadata's UI writes these into the workflows it exports.
	IngestionPipelineFQN string `yaml:"ingestionPipelineFQN" jsonschema:"accepted for OpenMetadata compatibility; ignored"`
	PipelineRunID        string `yaml:"pipelineRunId" jsonschema:"accepted for OpenMetadata compatibility; ignored"`
}

type sourceDoc struct {
	Type              string               `yaml:"type" required:"true" jsonschema:"source type"`
	ServiceName       string               `yaml:"serviceName" required:"true" jsonschema:"name of the service in the catalog and of the connection; the first part of every FQN"`
	ServiceConnection serviceConnectionDoc `yaml:"serviceConnection" required:"true" jsonschema:"how to reach the service"`
	SourceConfig      sourceConfigDoc      `yaml:"sourceConfig" jsonschema:"what to scan and how"`
}

type serviceConnectionDoc struct {
	Config *yaml.Node `yaml:"config" required:"true" jsonschema:"the connection: type, awsConfig, accessLevel and source-specific settings"`
}

type sourceConfigDoc struct {
	Config *yaml.Node `yaml:"config" jsonschema:"filters and switches of the scan"`
}

// defaultFileDoc holds the defaults of the parts of the file lakemap owns;
// the source's defaults come from its spec.
func defaultFileDoc() fileDoc {
	return fileDoc{WorkflowConfig: WorkflowConfig{LoggerLevel: "INFO"}}
}

const (
	pathConnection   = "source.serviceConnection.config"
	pathSourceConfig = "source.sourceConfig.config"
	maxServiceName   = 128
)

type parser struct {
	*decoder
	reg *source.Registry
}

func (p *parser) parse(data []byte) *Workflow {
	root := p.load(data)
	if root == nil {
		return nil
	}
	doc := defaultFileDoc()
	p.decode(root, "", reflect.ValueOf(&doc).Elem(), field{})
	wf := &Workflow{
		File:   p.file,
		Source: Source{Type: doc.Source.Type, ServiceName: doc.Source.ServiceName},
		Sink:   doc.Sink,
		Config: doc.WorkflowConfig,
	}
	if wf.Config.OpenMetadataServerConfig.Present {
		wf.Notes = append(wf.Notes, "workflowConfig.openMetadataServerConfig is ignored: lakemap writes to its own catalog")
	}
	p.checkServiceName(doc.Source.ServiceName)
	if doc.Source.Type != "" {
		p.decodeSource(&doc.Source, &wf.Source)
	}
	return wf
}

// load parses the bytes into the root mapping node, or records why not.
func (p *parser) load(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	empty := func() {
		p.findings = append(p.findings, Finding{File: p.file, Line: 1, Col: 1,
			Message: "the workflow file is empty: expected source, sink and workflowConfig"})
	}
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			empty()
			return nil
		}
		p.syntaxError(data, err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(data, err)
		return nil
	case len(next.Content) > 0 && !isNull(next.Content[0]):
		p.addAt(next.Content[0], "", "a second YAML document starts here: a workflow file holds one workflow; put each in its own file")
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		empty()
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.addAt(root, "", "expected a mapping with source, sink and workflowConfig at the top level, got %s", describe(root, false))
		return nil
	}
	return root
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 syntax error into a finding on yaml's own
// line. yaml.v3 gives no column, and no line at all for problems on the
// first line, so the column is the line's first non-blank character. A tab
// in indentation gets its exact position and a plain explanation, since
// yaml's wording for it is cryptic.
func (p *parser) syntaxError(data []byte, err error) {
	lines := strings.Split(string(data), "\n")
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	// yaml.v3 often names the line before the tab, never a later one.
	for i := 0; i < len(lines) && i <= line; i++ {
		l := lines[i]
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		if c := strings.IndexByte(l[:indent], '\t'); c >= 0 && indent < len(l) {
			p.findings = append(p.findings, Finding{File: p.file, Line: i + 1, Col: c + 1,
				Message: "tab character in indentation: YAML indents with spaces only"})
			return
		}
	}
	if i := bytes.IndexFunc(data, isControl); i >= 0 && strings.Contains(msg, "control characters") {
		line = bytes.Count(data[:i], []byte("\n")) + 1
		msg += " (found byte " + strconv.QuoteRune(rune(data[i])) + ")"
	}
	col := 1
	if line <= len(lines) {
		l := lines[line-1]
		col += len(l) - len(strings.TrimLeft(l, " "))
	}
	p.findings = append(p.findings, Finding{File: p.file, Line: line, Col: col, Message: "YAML syntax error: " + msg})
}

func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f
}

func (p *parser) checkServiceName(name string) {
	const path = "source.serviceName"
	if _, written := p.values[path]; !written || p.hasFindingUnder(path) {
		return // reported already
	}
	switch {
	case strings.TrimSpace(name) == "":
		p.add(path, "%s: must not be empty", path)
	case len([]rune(name)) > maxServiceName:
		p.add(path, "%s: must be at most %d characters (got %d)", path, maxServiceName, len([]rune(name)))
	case strings.TrimSpace(name) != name:
		p.add(path, "%s: %q has leading or trailing spaces", path, name)
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		p.add(path, "%s: must not contain control characters", path)
	}
}

// decodeSource decodes the connection and source config into the spec's
// types, applies the AWS block's defaults and runs the checks that need
// decoded values.
func (p *parser) decodeSource(doc *sourceDoc, out *Source) {
	spec, ok := p.reg.Lookup(doc.Type)
	if !ok {
		types := p.reg.Types()
		msg := "source.type: unknown source type " + strconv.Quote(doc.Type)
		if s, close := suggest(doc.Type, types); close {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		}
		p.add("source.type", "%s (registered: %s)", msg, strings.Join(types, ", "))
		return
	}
	out.Spec = spec
	out.Connection = spec.NewConnection()
	if spec.NewSourceConfig != nil {
		out.SourceConfig = spec.NewSourceConfig()
	}
	if n := doc.ServiceConnection.Config; n != nil {
		p.decode(n, pathConnection, reflect.ValueOf(out.Connection).Elem(), field{})
		p.checkTypeField(pathConnection, out.Connection, []string{spec.ConnectionType})
	}
	if n := doc.SourceConfig.Config; n != nil {
		if out.SourceConfig == nil {
			p.addAt(n, pathSourceConfig, "%s: source type %q takes no sourceConfig", pathSourceConfig, spec.Type)
		} else {
			p.decode(n, pathSourceConfig, reflect.ValueOf(out.SourceConfig).Elem(), field{})
			p.checkTypeField(pathSourceConfig, out.SourceConfig, spec.SourceConfigTypes)
		}
	}
	p.checkAWS(out.Connection, doc.ServiceName)
	for _, c := range []struct {
		path string
		v    any
	}{{pathConnection, out.Connection}, {pathSourceConfig, out.SourceConfig}} {
		if c.v == nil {
			continue
		}
		p.checkFilters(c.path, reflect.ValueOf(c.v))
		if v, ok := c.v.(source.Validator); ok {
			for _, fp := range v.Validate() {
				path := joinPath(c.path, fp.Path)
				p.add(path, "%s: %s", path, fp.Message)
			}
		}
	}
}
