package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Mask is shown instead of a secret value.
const Mask = "***"

// Redacted returns a deep copy of the workflow in which every non-empty
// string field tagged secret:"true" (access keys, session tokens) reads
// "***". Anything that displays a workflow — logs, `validate --print`,
// errors — uses this copy; the original is for building sessions only.
func (w *Workflow) Redacted() *Workflow {
	if w == nil {
		return nil
	}
	return redactValue(reflect.ValueOf(w)).Interface().(*Workflow)
}

// RedactedValue returns a deep copy of v (a struct or a pointer to one,
// such as an awsconn.Config) with its secret fields masked.
func RedactedValue[T any](v T) T {
	return redactValue(reflect.ValueOf(&v)).Elem().Interface().(T)
}

func redactValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(redactValue(v.Elem()))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(redactValue(v.Elem()))
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			f := out.Field(i)
			if sf.Tag.Get("secret") == "true" && f.Kind() == reflect.String {
				if f.String() != "" {
					f.SetString(Mask)
				}
				continue
			}
			f.Set(redactValue(v.Field(i)))
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(redactValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), redactValue(it.Value()))
		}
		return out
	}
	return v
}

// String is the effective workflow as YAML, secrets masked, so printing a
// workflow by accident shows no key.
func (w *Workflow) String() string {
	if w == nil {
		return "<nil>"
	}
	b, err := w.YAML()
	if err != nil {
		return fmt.Sprintf("workflow %s: %v", w.File, err)
	}
	return string(b)
}

// MarshalJSON is the effective workflow as YAML() shows it, secrets masked,
// for --json output.
func (w *Workflow) MarshalJSON() ([]byte, error) {
	b, err := w.YAML()
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := yaml.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("encoding workflow %s: %w", w.File, err)
	}
	return json.Marshal(v)
}

// LogValue keeps secrets out of structured logs too.
func (w *Workflow) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("file", w.File),
		slog.String("source", w.Source.Type),
		slog.String("service", w.Source.ServiceName),
	)
}

// YAML renders the effective workflow — defaults applied, secrets masked —
// in the file's own shape. Empty strings, nil pointers and empty lists are
// left out; booleans and numbers are always shown, as their defaults matter.
func (w *Workflow) YAML() ([]byte, error) {
	r := w.Redacted()
	src := mapping(
		"type", scalar(r.Source.Type),
		"serviceName", scalar(r.Source.ServiceName),
		"serviceConnection", mapping("config", encodeValue(reflect.ValueOf(r.Source.Connection))),
	)
	if r.Source.SourceConfig != nil {
		src.Content = append(src.Content, scalar("sourceConfig"), mapping("config", encodeValue(reflect.ValueOf(r.Source.SourceConfig))))
	}
	root := mapping(
		"source", src,
		"sink", encodeValue(reflect.ValueOf(r.Sink)),
		"workflowConfig", encodeValue(reflect.ValueOf(r.Config)),
	)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("encoding workflow %s: %w", w.File, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding workflow %s: %w", w.File, err)
	}
	return b.Bytes(), nil
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1].(*yaml.Node)
		if v == nil {
			v = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		}
		n.Content = append(n.Content, scalar(kv[i].(string)), v)
	}
	return n
}

// encodeValue renders v through the same field list the decoder uses; nil
// means "leave the key out".
func encodeValue(v reflect.Value) *yaml.Node {
	switch {
	case !v.IsValid():
		return nil
	case v.Type() == opaqueType:
		return nil
	case v.Type() == durationType:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: time.Duration(v.Int()).String()}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return encodeValue(v.Elem())
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, f := range fieldsOf(v.Type()) {
			if c := encodeValue(v.FieldByIndex(f.index)); c != nil {
				n.Content = append(n.Content, scalar(f.key), c)
			}
		}
		if len(n.Content) == 0 {
			return nil
		}
		return n
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for i := range v.Len() {
			if c := encodeValue(v.Index(i)); c != nil {
				n.Content = append(n.Content, c)
			}
		}
		return n
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := v.MapKeys()
		sortValues(keys)
		for _, k := range keys {
			if c := encodeValue(v.MapIndex(k)); c != nil {
				n.Content = append(n.Content, scalar(k.String()), c)
			}
		}
		return n
	case reflect.String:
		if v.String() == "" {
			return nil
		}
		return scalar(v.String())
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(v.Uint(), 10)}
	case reflect.Float32, reflect.Float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v.Float(), 'g', -1, 64)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v.Interface())}
}

func sortValues(keys []reflect.Value) {
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
}
