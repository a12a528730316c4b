package workflow

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxAliasUses bounds alias and merge-key expansion: the decoder follows
// aliases itself, so a "billion laughs" file would otherwise cost
// exponential work.
const maxAliasUses = 10000

// decoder walks YAML nodes into structs described by yaml tags, collecting
// every problem instead of stopping at the first, and remembering where each
// path's node is so later checks can point at it.
type decoder struct {
	file      string
	lookupEnv func(string) (string, bool)
	findings  Findings
	values    map[string]*yaml.Node // path -> value node
	keys      map[string]*yaml.Node // path -> key node of a mapping entry
	aliases   int
	// aliasReported keeps the spent alias budget to one finding.
	aliasReported bool
}

func newDecoder(file string, lookupEnv func(string) (string, bool)) *decoder {
	return &decoder{file: file, lookupEnv: lookupEnv, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
}

func (d *decoder) addAt(n *yaml.Node, path, format string, args ...any) {
	f := Finding{File: d.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		f.Line, f.Col = n.Line, n.Column
	}
	d.findings = append(d.findings, f)
}

// add places a finding at path's value, or, when the file lacks that
// field, at the key of its nearest ancestor the file has.
func (d *decoder) add(path, format string, args ...any) {
	d.addAt(d.nodeAt(path), path, format, args...)
}

func (d *decoder) nodeAt(path string) *yaml.Node {
	if n := d.values[path]; n != nil {
		return n
	}
	for p := parentPath(path); ; p = parentPath(p) {
		if n := d.keys[p]; n != nil {
			return n
		}
		if n := d.values[p]; n != nil {
			return n
		}
		if p == "" {
			return nil
		}
	}
}

// keyNodeAt is where "missing key" findings about a mapping go: its own
// key in the parent (source:), which reads better than its first child.
func (d *decoder) keyNodeAt(path string, value *yaml.Node) *yaml.Node {
	if k := d.keys[path]; k != nil {
		return k
	}
	return value
}

func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		n = n.Alias
	}
	return n
}

// tooManyAliases reports, once, that the file expands aliases beyond the
// budget; every walk step checks it so the walk stops quickly.
func (d *decoder) tooManyAliases(n *yaml.Node, path string) bool {
	if d.aliases <= maxAliasUses {
		return false
	}
	if !d.aliasReported {
		d.aliasReported = true
		d.addAt(n, path, "%s: too many alias expansions; lakemap follows at most %d", displayPath(path), maxAliasUses)
	}
	return true
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y"; hide keeps
// a secret field's value out of the message.
func describe(n *yaml.Node, hide bool) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if hide {
		return "a value that is not shown"
	}
	return strconv.Quote(n.Value)
}

// hasFindingUnder reports whether path or a node under it already has a
// finding. Checks of meaning skip such values: after a type error or an
// unset variable, a second complaint about the same value is noise.
func (d *decoder) hasFindingUnder(path string) bool {
	for _, f := range d.findings {
		if f.Path == path || strings.HasPrefix(f.Path, path+".") || strings.HasPrefix(f.Path, path+"[") {
			return true
		}
	}
	return false
}

// decode sets v, an addressable value, from n. Null leaves v as it is, so
// defaults set before decoding survive "key:" with nothing after it.
func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value, f field) {
	n = d.resolve(n)
	if d.tooManyAliases(n, path) {
		return
	}
	d.values[path] = n
	t := v.Type()
	switch {
	case t == opaqueType:
		v.Set(reflect.ValueOf(Opaque{Present: true}))
		return
	case t == nodePtrType:
		v.Set(reflect.ValueOf(n))
		return
	case isNull(n):
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, path, v.Elem(), f)
	case reflect.Struct:
		d.decodeStruct(n, path, v)
	case reflect.Map:
		d.decodeMap(n, path, v, f)
	case reflect.Slice:
		d.decodeSlice(n, path, v, f)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.addAt(n, path, "%s: %v", path, err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, path, v, f)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if d.tooManyAliases(n, path) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.addAt(n, path, "%s: expected a mapping, got %s", displayPath(path), describe(n, false))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.addAt(kn, path, "%s: keys must be plain names, got %s", displayPath(path), describe(kn, false))
			continue
		}
		if kn.Value == "<<" && kn.ShortTag() == "!!merge" {
			d.merge(vn, path, v)
			continue
		}
		f, ok := fieldByKey(fields, kn.Value)
		if !ok {
			// The finding's path names the unknown key, so callers that map
			// paths to their own fields (the connection API) can point at it.
			d.addAt(kn, joinPath(path, kn.Value), "%s", unknownKeyMessage(kn.Value, path, keysOf(fields)))
			continue
		}
		if first, dup := seen[kn.Value]; dup {
			d.addAt(kn, path, "duplicate key %q in %s (first set on line %d)", kn.Value, displayPath(path), first.Line)
			continue
		}
		seen[kn.Value] = kn
		fp := joinPath(path, f.key)
		d.keys[fp] = kn
		if f.required && isNull(d.resolve(vn)) {
			d.addAt(kn, fp, "%s: a value is required", fp)
			continue
		}
		d.decode(vn, fp, v.FieldByIndex(f.index), f)
	}
	for _, f := range fields {
		if _, ok := seen[f.key]; f.required && !ok {
			where := " in " + path
			if path == "" {
				where = ""
			}
			d.addAt(d.keyNodeAt(path, n), joinPath(path, f.key), "missing required key %q%s", f.key, where)
		}
	}
}

// merge applies a YAML merge key (<<: *defaults) to v. Keys written in the
// mapping itself are decoded after it, so they win, as YAML says.
func (d *decoder) merge(vn *yaml.Node, path string, v reflect.Value) {
	vn = d.resolve(vn)
	if d.tooManyAliases(vn, path) {
		return
	}
	switch vn.Kind {
	case yaml.MappingNode:
		d.decodeStruct(vn, path, v)
	case yaml.SequenceNode:
		for _, item := range vn.Content {
			if item = d.resolve(item); item.Kind != yaml.MappingNode {
				d.addAt(item, path, "%s: << merges mappings, got %s", displayPath(path), describe(item, false))
				continue
			}
			d.decodeStruct(item, path, v)
		}
	default:
		d.addAt(vn, path, "%s: << merges mappings, got %s", displayPath(path), describe(vn, false))
	}
}

func (d *decoder) decodeMap(n *yaml.Node, path string, v reflect.Value, f field) {
	t := v.Type()
	if n.Kind != yaml.MappingNode {
		d.addAt(n, path, "%s: expected a mapping, got %s", path, describe(n, f.secret))
		return
	}
	if t.Key().Kind() != reflect.String {
		d.addAt(n, path, "%s: lakemap bug: map key type %s is not supported", path, t.Key())
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := d.resolve(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.addAt(kn, path, "%s: keys must be plain names, got %s", path, describe(kn, false))
			continue
		}
		fp := joinPath(path, kn.Value)
		d.keys[fp] = kn
		elem := reflect.New(t.Elem()).Elem()
		d.decode(vn, fp, elem, field{secret: f.secret})
		v.SetMapIndex(reflect.ValueOf(kn.Value).Convert(t.Key()), elem)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, path string, v reflect.Value, f field) {
	if n.Kind != yaml.SequenceNode {
		d.addAt(n, path, "%s: expected a list, got %s", path, describe(n, f.secret))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), out.Index(i), field{secret: f.secret, enum: f.enum})
	}
	v.Set(out)
}

func (d *decoder) decodeScalar(n *yaml.Node, path string, v reflect.Value, f field) {
	t := v.Type()
	if n.Kind != yaml.ScalarNode {
		d.addAt(n, path, "%s: expected %s, got %s", path, typeName(t), describe(n, f.secret))
		return
	}
	s, expanded, problems := expandEnv(n.Value, d.lookupEnv)
	for _, p := range problems {
		d.addAt(n, path, "%s: %s", path, p)
	}
	if len(problems) > 0 {
		return
	}
	bad := func() {
		got := describe(n, f.secret)
		if expanded && !f.secret {
			got = fmt.Sprintf("the expansion of %q (value not shown)", n.Value)
		}
		d.addAt(n, path, "%s: expected %s, got %s", path, typeName(t), got)
	}
	switch {
	case t == durationType:
		dur, err := time.ParseDuration(s)
		if err != nil {
			bad()
			return
		}
		v.SetInt(int64(dur))
	case t.Kind() == reflect.String:
		if len(f.enum) > 0 && !slices.Contains(f.enum, s) {
			d.addAt(n, path, "%s", enumMessage(path, s, f.enum))
			return
		}
		v.SetString(s)
	case t.Kind() == reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			bad()
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		i, err := strconv.ParseInt(s, 0, t.Bits())
		if err != nil {
			bad()
			return
		}
		v.SetInt(i)
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr:
		u, err := strconv.ParseUint(s, 0, t.Bits())
		if err != nil {
			bad()
			return
		}
		v.SetUint(u)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, t.Bits())
		if err != nil || math.IsNaN(x) {
			bad()
			return
		}
		v.SetFloat(x)
	default:
		d.addAt(n, path, "%s: lakemap bug: field type %s is not supported", path, t)
	}
}

func typeName(t reflect.Type) string {
	if t == durationType {
		return "a duration (like 30s or 5m)"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

func displayPath(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
