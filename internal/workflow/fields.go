package workflow

import (
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/catalog"
)

// field is one YAML key of a struct. The decoder, the encoder, the schema
// generator and the redactor all read structs through fieldsOf, so the keys
// a file may use and the keys the schema lists cannot drift apart.
type field struct {
	key      string
	index    []int // for reflect.Value.FieldByIndex; longer than one for inlined structs
	typ      reflect.Type
	required bool     // tag required:"true"
	secret   bool     // tag secret:"true": never shown
	enum     []string // tag enum:"A,B" or the field type's fixed values
	doc      string   // tag jsonschema:"..."
}

var (
	opaqueType   = reflect.TypeFor[Opaque]()
	nodePtrType  = reflect.TypeFor[*yaml.Node]()
	durationType = reflect.TypeFor[time.Duration]()
)

// fieldsOf lists a struct type's YAML keys in declaration order, following
// yaml.v3's rules: the yaml tag names the key ("-" skips it), an untagged
// field's key is its lower-cased name, and `yaml:",inline"` flattens a
// struct held by value.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		inline := hasOpt(opts, "inline") && sf.Type.Kind() == reflect.Struct
		// reflect can set the exported fields of an unexported embedded
		// struct, so inlining one works; other unexported fields cannot be set.
		if tag == "-" || !sf.IsExported() && !(inline && sf.Anonymous) {
			continue
		}
		if inline {
			for _, f := range fieldsOf(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		f := field{
			key:      name,
			index:    []int{i},
			typ:      sf.Type,
			required: sf.Tag.Get("required") == "true",
			secret:   sf.Tag.Get("secret") == "true",
			doc:      sf.Tag.Get("jsonschema"),
			enum:     typeEnum(sf.Type),
		}
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, ",")
		}
		out = append(out, f)
	}
	return out
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// typeEnum gives the fixed values of named string types that other packages
// own and cannot tag.
func typeEnum(t reflect.Type) []string {
	if t == reflect.TypeFor[catalog.AccessLevel]() {
		return []string{string(catalog.ReadOnly), string(catalog.ReadWrite)}
	}
	return nil
}

func fieldByKey(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

func keysOf(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// joinPath appends a key to a YAML path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// parentPath drops the last key or [i] of a path.
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}
