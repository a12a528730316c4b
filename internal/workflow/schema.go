package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/lakemap/lakemap/internal/source"
)

// SchemaFile is where the generated schema is committed, from the repo root.
const SchemaFile = "schema/workflow.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of a workflow file for the
// sources in reg, for editors and CI linters. It is generated from the same
// struct fields the parser reads, so it accepts the keys the parser accepts;
// source is a oneOf with one branch per registered source type. The parser
// stays the authority: it also checks regexes, ARNs and regions, and expands
// ${VAR} before checking types, which a schema cannot know.
func Schema(reg *source.Registry) ([]byte, error) {
	root, err := reflectSchema(reflect.TypeFor[fileDoc](), reflect.ValueOf(defaultFileDoc()))
	if err != nil {
		return nil, err
	}
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	root.Title = "lakemap workflow"
	root.Description = "An OpenMetadata-shaped ingestion workflow for lakemap. String values may use ${VAR} and ${VAR:-default}."
	base := root.Properties["source"]
	var variants []*schemaNode
	for _, typ := range reg.Types() {
		spec, _ := reg.Lookup(typ)
		v, err := sourceVariant(base, spec)
		if err != nil {
			return nil, fmt.Errorf("schema of source %q: %w", typ, err)
		}
		variants = append(variants, v)
	}
	root.Properties["source"] = &schemaNode{Description: base.Description, OneOf: variants}
	compact, err := marshalJSON(root)
	if err != nil {
		return nil, fmt.Errorf("encoding workflow schema: %w", err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return nil, fmt.Errorf("encoding workflow schema: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// sourceVariant is base (the schema of sourceDoc) with the spec's type,
// connection and source config filled in.
func sourceVariant(base *schemaNode, spec source.Spec) (*schemaNode, error) {
	v := cloneSchema(base)
	v.Title = spec.Type
	v.Properties["type"] = &schemaNode{Description: base.Properties["type"].Description, Const: spec.Type}
	name := v.Properties["serviceName"]
	name.MinLength, name.MaxLength = ptrTo(1), ptrTo(maxServiceName)
	conn := spec.NewConnection()
	cs, err := reflectSchema(reflect.TypeOf(conn), reflect.ValueOf(conn))
	if err != nil {
		return nil, err
	}
	restrictType(cs, []string{spec.ConnectionType})
	v.Properties["serviceConnection"].Properties["config"] = withDescription(cs, base.Properties["serviceConnection"].Properties["config"])
	if spec.NewSourceConfig == nil {
		delete(v.Properties, "sourceConfig")
		return v, nil
	}
	sc := spec.NewSourceConfig()
	ss, err := reflectSchema(reflect.TypeOf(sc), reflect.ValueOf(sc))
	if err != nil {
		return nil, err
	}
	restrictType(ss, spec.SourceConfigTypes)
	v.Properties["sourceConfig"].Properties["config"] = withDescription(ss, base.Properties["sourceConfig"].Properties["config"])
	return v, nil
}

func restrictType(s *schemaNode, allowed []string) {
	if t, ok := s.Properties["type"]; ok && len(allowed) > 0 && t.Type == "string" {
		t.Enum = allowed
	}
}

func withDescription(s, from *schemaNode) *schemaNode {
	s.Description = from.Description
	return s
}

// cloneSchema copies the parts of a schema sourceVariant changes.
func cloneSchema(s *schemaNode) *schemaNode {
	c := *s
	if s.Properties != nil {
		c.Properties = make(map[string]*schemaNode, len(s.Properties))
		for k, p := range s.Properties {
			c.Properties[k] = cloneSchema(p)
		}
	}
	return &c
}

func ptrTo[T any](v T) *T { return &v }

// schemaNode is the part of JSON Schema lakemap uses. It is lakemap's own
// type, not jsonschema-go's, to control the order of keys: the committed
// file reads top-down (description, then properties, then what else is
// allowed) and diffs cleanly.
type schemaNode struct {
	Schema      string          `json:"$schema,omitempty"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	Type        string          `json:"type,omitempty"`
	Const       any             `json:"const,omitempty"`
	Enum        []string        `json:"enum,omitempty"`
	Default     json.RawMessage `json:"default,omitempty"`
	WriteOnly   bool            `json:"writeOnly,omitempty"`
	MinLength   *int            `json:"minLength,omitempty"`
	MaxLength   *int            `json:"maxLength,omitempty"`
	Minimum     *float64        `json:"minimum,omitempty"`
	Items       *schemaNode     `json:"items,omitempty"`
	Required    []string        `json:"required,omitempty"`
	// Written by MarshalJSON, in PropertyOrder, after the keys above.
	Properties    map[string]*schemaNode `json:"-"`
	PropertyOrder []string               `json:"-"`
	// Written last: false, or a *schemaNode for maps.
	AdditionalProperties any           `json:"-"`
	OneOf                []*schemaNode `json:"-"`
}

// MarshalJSON writes the keys in a fixed, readable order.
func (s *schemaNode) MarshalJSON() ([]byte, error) {
	type plain schemaNode // the same fields without this method
	head, err := marshalJSON((*plain)(s))
	if err != nil {
		return nil, err
	}
	parts := [][]byte{head[1 : len(head)-1]}
	if s.Properties != nil {
		var b bytes.Buffer
		b.WriteString(`"properties":{`)
		for i, k := range s.PropertyOrder {
			key, err := marshalJSON(k)
			if err != nil {
				return nil, err
			}
			v, err := marshalJSON(s.Properties[k])
			if err != nil {
				return nil, err
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(key)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		parts = append(parts, b.Bytes())
	}
	tail, err := marshalJSON(struct {
		AdditionalProperties any           `json:"additionalProperties,omitempty"`
		OneOf                []*schemaNode `json:"oneOf,omitempty"`
	}{s.AdditionalProperties, s.OneOf})
	if err != nil {
		return nil, err
	}
	parts = append(parts, tail[1:len(tail)-1])
	var out bytes.Buffer
	out.WriteByte('{')
	n := 0
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		if n > 0 {
			out.WriteByte(',')
		}
		out.Write(p)
		n++
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// marshalJSON is json.Marshal without HTML escaping, so descriptions such
// as role/<name> stay readable in the committed file.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// reflectSchema describes type t as the decoder reads it. def, when valid,
// holds defaults (the spec's fresh config) shown as "default".
func reflectSchema(t reflect.Type, def reflect.Value) (*schemaNode, error) {
	switch {
	case t == opaqueType, t == nodePtrType:
		return &schemaNode{}, nil
	case t == durationType:
		return &schemaNode{Type: "string", Description: "a Go duration such as 30s or 5m"}, nil
	}
	if t.Kind() == reflect.Pointer {
		if def.IsValid() && !def.IsNil() {
			def = def.Elem()
		} else {
			def = reflect.Value{}
		}
		return reflectSchema(t.Elem(), def)
	}
	s := &schemaNode{}
	switch t.Kind() {
	case reflect.Struct:
		s.Type = "object"
		s.Properties = map[string]*schemaNode{}
		s.AdditionalProperties = false
		for _, f := range fieldsOf(t) {
			var fdef reflect.Value
			if def.IsValid() {
				fdef = def.FieldByIndex(f.index)
			}
			p, err := reflectSchema(f.typ, fdef)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.key, err)
			}
			if f.doc != "" {
				p.Description = f.doc
			}
			p.Enum = append(p.Enum, f.enum...)
			if f.secret {
				p.WriteOnly = true
			}
			if err := setDefault(p, fdef); err != nil {
				return nil, fmt.Errorf("%s: %w", f.key, err)
			}
			s.Properties[f.key] = p
			s.PropertyOrder = append(s.PropertyOrder, f.key)
			if f.required {
				s.Required = append(s.Required, f.key)
			}
		}
	case reflect.Slice:
		items, err := reflectSchema(t.Elem(), reflect.Value{})
		if err != nil {
			return nil, err
		}
		s.Type, s.Items = "array", items
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %s is not supported", t.Key())
		}
		vals, err := reflectSchema(t.Elem(), reflect.Value{})
		if err != nil {
			return nil, err
		}
		s.Type, s.AdditionalProperties = "object", vals
	case reflect.Interface:
	case reflect.String:
		s.Type = "string"
	case reflect.Bool:
		s.Type = "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.Type = "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s.Type, s.Minimum = "integer", ptrTo(0.0)
	case reflect.Float32, reflect.Float64:
		s.Type = "number"
	default:
		return nil, fmt.Errorf("field type %s is not supported", t)
	}
	return s, nil
}

// setDefault records a spec's non-zero default, and a boolean's default
// either way, since false is as much a choice as true.
func setDefault(s *schemaNode, def reflect.Value) error {
	if !def.IsValid() {
		return nil
	}
	if def.Type() == durationType {
		if def.IsZero() {
			return nil
		}
		def = reflect.ValueOf(time.Duration(def.Int()).String())
	}
	switch def.Kind() {
	case reflect.Bool:
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		if def.IsZero() {
			return nil
		}
	default:
		return nil
	}
	b, err := json.Marshal(def.Interface())
	if err != nil {
		return err
	}
	s.Default = b
	return nil
}
