package manifest

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	data := `{
	  "entries": [
	    {"dataPath": "transactions", "structureFormat": "csv", "separator": ","},
	    {"dataPath": "cities", "structureFormat": "parquet", "isPartitioned": true,
	     "partitionColumns": [{"name": "State", "dataType": "STRING", "displayName": "State"}]},
	    {"dataPath": "typo", "structreFormat": "csv"},
	    {"dataPath": "x", "depth": -1},
	    {"structureFormat": "csv"},
	    "not an object",
	    {"dataPath": "bad[", "structureFormat": "csv"},
	    {"dataPath": "p", "partitionColumns": [{"name": "a"}]},
	    {"dataPath": "logs/**/*.json", "unstructuredFormats": ["*"], "excludePaths": ["_tmp"], "autoPartitionDetection": false}
	  ],
	  "version": 2
	}`
	entries, problems, err := Parse([]byte(data), false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.DataPath)
	}
	if strings.Join(got, ",") != "transactions,cities,logs/**/*.json" {
		t.Errorf("usable entries = %v", got)
	}
	if entries[2].AutoPartitions() || !entries[0].AutoPartitions() {
		t.Error("autoPartitionDetection: absent must mean true, false must stay false")
	}
	want := []string{
		`unknown key "version"`,
		`entry 2 (dataPath "typo"): unknown key "structreFormat" (did you mean "structureFormat"?); entry skipped`,
		`entry 3 (dataPath "x"): "depth" must not be negative, got -1; entry skipped`,
		`entry 4: "dataPath" is required; entry skipped`,
		`entry 5: not a JSON object`,
		`entry 6 (dataPath "bad["): path "bad[": bad glob segment "bad["; entry skipped`,
		`entry 7 (dataPath "p"): partitionColumns[0] needs a name and a dataType; entry skipped`,
	}
	if len(problems) != len(want) {
		t.Fatalf("problems = %v", problems)
	}
	for i, p := range problems {
		if p.Error() != want[i] {
			t.Errorf("problem %d = %q\n             want %q", i, p.Error(), want[i])
		}
	}
}

func TestParseUnusable(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`entries: [ ]`, "not a JSON object"},
		{`{"entries": [] } {}`, "more data follows"},
		{`{"items": []}`, `no "entries" list`},
		{`{"entries": {}}`, `"entries" is not a list`},
	} {
		_, _, err := Parse([]byte(tc.data), false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) err = %v, want %q", tc.data, err, tc.want)
		}
	}
}

func TestParseGlobalNeedsContainer(t *testing.T) {
	entries, problems, err := Parse([]byte(`{"entries":[{"dataPath":"a"},{"containerName":"b1","dataPath":"b"}]}`), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || len(problems) != 1 || !strings.Contains(problems[0].Error(), `"containerName" is required`) {
		t.Fatalf("entries %v problems %v", entries, problems)
	}
	if len(ForBucket(entries, "b1")) != 1 || len(ForBucket(entries, "b2")) != 0 {
		t.Error("ForBucket")
	}
}

func TestContainer(t *testing.T) {
	for _, tc := range []struct {
		pattern, key, want string
	}{
		{"transactions", "transactions/a.csv", "transactions"},
		{"transactions/", "transactions/2024/a.csv", "transactions"},
		{"transactions", "transactions_old/a.csv", "-"},
		{"path/to/solution.pdf", "path/to/solution.pdf", "path/to/solution.pdf"},
		{"data/*/events/*.parquet", "data/us/events/f.parquet", "data/us/events"},
		{"data/*/events/*.parquet", "data/us/events/f.csv", "-"},
		{"data/*/events/*.parquet", "data/us/events/x/f.parquet", "-"},
		{"data/*/events", "data/us/events/x/f.parquet", "data/us/events"},
		{"logs/**/*.json", "logs/2024/01/a.json", "logs"},
		{"logs/**/*.json", "logs/a.json", "logs"},
		{"data/events/**/*.parquet", "data/events/year=2024/month=01/f.parquet", "data/events"},
		{"*.csv", "a.csv", ""},
		{"*.csv", "dir/a.csv", "-"},
		{"d?ta/*", "data/x/f", "data/x"},
		{Depth("athena_service", 3), "athena_service/db/schema/table_a/date=1/f.parquet", "athena_service/db/schema/table_a"},
	} {
		p, err := Compile(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := p.Container(tc.key)
		if !ok {
			got = "-"
		}
		if got != tc.want {
			t.Errorf("%q.Container(%q) = %q, want %q", tc.pattern, tc.key, got, tc.want)
		}
	}
}

func TestCompileRejects(t *testing.T) {
	for p, want := range map[string]string{
		"a//b":              "empty segment",
		"a/b**":             "** must be a whole segment",
		"**/a/**/b/**/c/**": "at most three ** segments",
	} {
		if _, err := Compile(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Compile(%q) err = %v, want %q", p, err, want)
		}
	}
	p, err := Compile("a/**/**/b")
	if err != nil || p.String() != "a/**/b" || p.Base() != "a/" {
		t.Errorf("consecutive ** not collapsed: %v %v %q", p, err, p.Base())
	}
}

func TestMatchDeepKeyIsBounded(t *testing.T) {
	p, _ := Compile("**/x/**/y/**/z")
	key := strings.Repeat("a/", 400) + "q"
	if p.Match(key) {
		t.Error("matched")
	}
	_ = fmt.Sprint(p)
}
