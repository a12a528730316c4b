package manifest

import (
	"strings"
	"testing"
)

// FuzzParse: no manifest file makes the parser panic; every entry it keeps
// has a data path that compiles, and a parse failure never quotes the
// file (a manifest path may name a file that is not a manifest).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"entries":[{"containerName":"b","dataPath":"sales/orders","structureFormat":"parquet","isPartitioned":true}]}`,
		`{"entries":[{"containerName":"b","dataPath":"logs/*/2024-*.json","depth":2,"excludePaths":["tmp"],"excludePatterns":["**/_tmp/*"]}]}`,
		`{"entries":[{"dataPath":"x","unstructuredFormats":["*",".PDF"],"unstructuredData":true}],"extra":1}`,
		`{"entries":"no"}`, `{"entries":[1,null,{}]}`, `[]`, `{`, ``, `{"entries":[]} {}`,
		"canary-secret-not-json",
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, requireContainer bool) {
		entries, _, err := Parse(data, requireContainer)
		if err != nil {
			if strings.Contains(string(data), "canary") && strings.Contains(err.Error(), "canary") {
				t.Fatalf("Parse error quotes the input: %v", err)
			}
			return
		}
		for _, e := range entries {
			p, err := Compile(e.DataPath)
			if err != nil {
				t.Fatalf("kept entry %d with data path %q that does not compile: %v", e.Index, e.DataPath, err)
			}
			_ = Label(e)
			_, _ = p.Container(e.DataPath + "/part-0.parquet")
		}
	})
}

// FuzzGlob: compiling and matching any pattern and key never panics, and a
// match's container is a prefix of the key.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"sales/orders", "sales/orders/a.parquet"}, {"logs/*/x", "logs/2024/x/y"}, {"a/**/b", "a/1/2/3/b/c"},
		{"*", "k"}, {"a/[bc]/d", "a/b/d/e"}, {"", ""}, {"a//b", "a/b"}, {"**", strings.Repeat("a/", 200)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, key string) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		_ = p.Base()
		_ = p.Match(key)
		if c, ok := p.Container(key); ok && !strings.HasPrefix(key, c) {
			t.Fatalf("Compile(%q).Container(%q) = %q, not a prefix of the key", pattern, key, c)
		}
		_ = Depth(pattern, 3)
	})
}
