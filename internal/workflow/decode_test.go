package workflow

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/source"
)

type inner struct {
	Name  string `yaml:"name" required:"true"`
	Token string `yaml:"token" secret:"true"`
}

type embedded struct {
	Region string `yaml:"region"`
}

type sample struct {
	embedded `yaml:",inline"`
	Count    int               `yaml:"count"`
	Small    int8              `yaml:"small"`
	Size     uint              `yaml:"size"`
	Ratio    float64           `yaml:"ratio"`
	On       bool              `yaml:"on"`
	Wait     time.Duration     `yaml:"wait"`
	Inner    *inner            `yaml:"inner"`
	List     []inner           `yaml:"list"`
	Labels   map[string]string `yaml:"labels"`
	Mode     string            `yaml:"mode" enum:"fast,slow"`
	Untagged string
	Skipped  string `yaml:"-"`
	Extra    any    `yaml:"extra"`
}

func decodeSample(t *testing.T, in string, into *sample) Findings {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(in), &doc); err != nil {
		t.Fatal(err)
	}
	d := newDecoder("s.yaml", func(string) (string, bool) { return "", false })
	d.decode(doc.Content[0], "", reflect.ValueOf(into).Elem(), field{})
	return d.findings.sorted()
}

func TestDecodeTypes(t *testing.T) {
	const in = `
region: eu-west-1
count: 0x10
small: -3
size: 7
ratio: 0.5
on: TRUE
wait: 1m30s
inner: {name: a, token: t}
list: [{name: b}, {name: c}]
labels: {x: "1", y: two}
mode: slow
untagged: u
extra: {any: [thing]}
`
	got := sample{Count: 99, Mode: "fast"}
	if fs := decodeSample(t, in, &got); len(fs) > 0 {
		t.Fatalf("findings:\n%v", fs)
	}
	want := sample{
		embedded: embedded{Region: "eu-west-1"},
		Count:    16, Small: -3, Size: 7, Ratio: 0.5, On: true, Wait: 90 * time.Second,
		Inner:  &inner{Name: "a", Token: "t"},
		List:   []inner{{Name: "b"}, {Name: "c"}},
		Labels: map[string]string{"x": "1", "y": "two"},
		Mode:   "slow", Untagged: "u",
		Extra: map[string]any{"any": []any{"thing"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDecodeNullKeepsDefault(t *testing.T) {
	got := sample{Count: 4, Mode: "fast"}
	if fs := decodeSample(t, "count:\nmode: ~\n", &got); len(fs) > 0 {
		t.Fatal(fs)
	}
	if got.Count != 4 || got.Mode != "fast" {
		t.Errorf("defaults lost: %+v", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"int overflow", "small: 300", `s.yaml:1:8: small: expected an integer, got "300"`},
		{"negative uint", "size: -1", `s.yaml:1:7: size: expected a non-negative integer, got "-1"`},
		{"float", "count: 4.5", `s.yaml:1:8: count: expected an integer, got "4.5"`},
		{"nan", "ratio: .nan", `s.yaml:1:8: ratio: expected a number, got ".nan"`},
		{"bool", "on: yes", `s.yaml:1:5: on: expected a boolean, got "yes"`},
		{"duration", "wait: 5", `s.yaml:1:7: wait: expected a duration (like 30s or 5m), got "5"`},
		{"enum", "mode: Fast", `s.yaml:1:7: mode: "Fast" is not one of "fast", "slow"; did you mean "fast"?`},
		{"secret not shown", "inner: {name: a, token: [x]}", `s.yaml:1:25: inner.token: expected a string, got a list`},
		{"required", "inner: {token: x}", `s.yaml:1:1: missing required key "name" in inner`},
		{"required null", "inner: {name: }", `s.yaml:1:9: inner.name: a value is required`},
		{"list item", "list: [{name: a}, {nam: b}]", "s.yaml:1:19: missing required key \"name\" in list[1]\n" +
			`s.yaml:1:20: unknown key "nam" in list[1]; did you mean "name"?`},
		{"map value", "labels: {a: [1]}", `s.yaml:1:13: labels.a: expected a string, got a list`},
		{"skipped key", "skipped: x", `s.yaml:1:1: unknown key "skipped" at the top level; known keys: region, count, small, size, ratio, on, wait, inner, list, labels, mode, untagged, extra`},
		{"complex key", "? [a]\n: b", `s.yaml:1:3: the top level: keys must be plain names, got a list`},
		{"struct from scalar", "inner: x", `s.yaml:1:8: inner: expected a mapping, got "x"`},
		{"merge of scalar", "<<: x", `s.yaml:1:5: the top level: << merges mappings, got "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s sample
			fs := decodeSample(t, tt.in, &s)
			if got := fs.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeMerge(t *testing.T) {
	const in = `
base: &b {region: eu-west-1, count: 2}
more: &m {mode: slow}
`
	// The anchors live outside sample; build a document that merges them.
	const doc = in + "x:\n  <<: [*b, *m]\n  count: 3\n"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	var got sample
	d := newDecoder("s.yaml", nil)
	d.decode(root.Content[0].Content[5], "x", reflect.ValueOf(&got).Elem(), field{})
	if len(d.findings) > 0 {
		t.Fatal(d.findings)
	}
	if got.Region != "eu-west-1" || got.Count != 3 || got.Mode != "slow" {
		t.Errorf("got %+v", got)
	}
}

func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 {region: x}\n")
	for i := 1; i <= 30; i++ {
		// Each level merges the previous one twice: 2^30 merges if followed naively.
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " {<<: [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]}\n")
	}
	b.WriteString("x: {<<: *a30}\n")
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &root); err != nil {
		t.Fatal(err)
	}
	var got sample
	d := newDecoder("s.yaml", nil)
	last := root.Content[0].Content[len(root.Content[0].Content)-1]
	d.decode(last, "x", reflect.ValueOf(&got).Elem(), field{})
	if fs := d.findings.Error(); !strings.Contains(fs, "too many alias expansions") {
		t.Errorf("findings = %q, want the alias limit", fs)
	}
}

// validatingConn is a connection with its own rules, as a spec may add.
type validatingConn struct {
	source.AWSConnection `yaml:",inline"`
	Bucket               string `yaml:"bucket"`
}

func (c *validatingConn) Validate() []source.FieldProblem {
	if c.Bucket == "forbidden" {
		return []source.FieldProblem{{Path: "bucket", Message: "that bucket is off limits"}, {Path: "prefix", Message: "set a prefix"}}
	}
	return nil
}

func TestSpecValidator(t *testing.T) {
	r := source.NewRegistry()
	r.Register(source.Spec{
		Type: "fake", ConnectionType: "Fake",
		NewConnection: func() source.AWSConfigHolder { return &validatingConn{} },
	})
	const in = `source:
  type: fake
  serviceName: f
  serviceConnection:
    config:
      bucket: forbidden
  sourceConfig:
    config: {}
sink: {type: lakemap}
`
	_, err := Options{Registry: r}.Parse("f.yaml", []byte(in))
	want := `f.yaml:5:5: source.serviceConnection.config.prefix: set a prefix
f.yaml:6:15: source.serviceConnection.config.bucket: that bucket is off limits
f.yaml:8:13: source.sourceConfig.config: source type "fake" takes no sourceConfig`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}
