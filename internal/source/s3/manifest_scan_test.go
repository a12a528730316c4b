package s3

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

func manifestBucket(t testing.TB, manifestJSON string) *memSpace {
	m := lakeBucket(t)
	pq := parquetBytes(t, []order{{ID: 1}})
	for _, o := range []fakeObject{
		{key: "transactions/2024.csv", data: []byte("id;total\n1;2.5\n"), modified: at(1)},
		{key: "cities/State=AL/a.parquet", data: pq, modified: at(1)},
		{key: "cities/State=AZ/b.parquet", data: pq, modified: at(2)},
		{key: "data/us/events/f.parquet", data: pq, modified: at(1)},
		{key: "data/eu/events/f.parquet", data: pq, modified: at(1)},
		{key: "data/eu/other/f.parquet", data: pq, modified: at(1)},
		{key: "docs/a.pdf", data: []byte("%PDF"), modified: at(1)},
		{key: "docs/b.png", data: []byte("png"), modified: at(1)},
		{key: "docs/c.txt", data: []byte("txt"), modified: at(1)},
		{key: "path/to/solution.pdf", data: []byte("%PDF"), modified: at(1)},
	} {
		m.put(o)
	}
	if manifestJSON != "" {
		m.put(fakeObject{key: manifest.BucketFile, data: []byte(manifestJSON), modified: at(0)})
	}
	return m
}

const bucketManifest = `{"entries": [
  {"dataPath": "transactions", "structureFormat": "csv", "separator": ";"},
  {"dataPath": "cities", "structureFormat": "parquet", "isPartitioned": true,
   "partitionColumns": [{"name": "State", "dataType": "STRING", "description": "US state"}]},
  {"dataPath": "data/*/events/*.parquet", "structureFormat": "parquet"},
  {"dataPath": "docs", "unstructuredFormats": ["pdf", "png"]},
  {"dataPath": "path/to/solution.pdf"},
  {"dataPath": "typo", "structreFormat": "csv"},
  {"dataPath": "nothing/here", "structureFormat": "csv"}
]}`

func TestBucketManifest(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "mf", space: manifestBucket(t, bucketManifest)})
	srv := f.start()
	s := testScanner(t, srv.URL, f, nil)
	sink := newMemSink()
	scanOnce(t, s, sink)

	got := strings.Join(sink.children("svc.mf", catalog.KindContainer), ", ")
	if got != "cities, data/eu/events, data/us/events, docs, path/to/solution.pdf, transactions" {
		t.Errorf("containers = %s", got)
	}
	w := sink.warningsText()
	for _, want := range []string{
		`bucket "mf": openmetadata.json: entry 5 (dataPath "typo"): unknown key "structreFormat" (did you mean "structureFormat"?); entry skipped`,
		`bucket "mf": openmetadata.json entry 6 (dataPath "nothing/here") matches no object`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
	if strings.Contains(strings.Join(sink.completes, "\n"), "svc.mf [container]") {
		t.Error("a bucket with a broken manifest entry had its containers completed")
	}
	if cols := strings.Join(sink.children("svc.mf.transactions", catalog.KindColumn), ", "); cols != "0:id bigint, 1:total double" {
		t.Errorf("transactions columns = %s", cols)
	}
	cities := sink.get(t, "svc.mf.cities")
	if cities.Attrs["manifest"] != "bucket" || cities.Attrs["source"] != "manifest" || cities.Attrs["fileCount"] != int64(2) {
		t.Errorf("cities = %+v", cities.Attrs)
	}
	state := sink.get(t, "svc.mf.cities.State")
	if state.Description != "US state" || state.Attrs["dataType"] != "string" || state.Attrs["isPartitionKey"] != true {
		t.Errorf("State = %+v", state)
	}
	docs := sink.get(t, "svc.mf.docs")
	if docs.Attrs["unstructured"] != true || docs.Attrs["fileCount"] != int64(2) {
		t.Errorf("docs = %+v", docs.Attrs)
	}
	if sink.has("svc.mf.raw") {
		t.Error("discovery ran although the bucket has a manifest")
	}
}

func TestManifestNotJSONFallsBackToDiscovery(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "nj", space: manifestBucket(t, `entries: [oops]`)})
	srv := f.start()
	s := testScanner(t, srv.URL, f, nil)
	sink := newMemSink()
	scanOnce(t, s, sink)
	w := sink.warningsText()
	if !strings.Contains(w, `bucket "nj": openmetadata.json is not usable: not a JSON object`) {
		t.Errorf("warnings = %s", w)
	}
	if !sink.has("svc.nj.raw") {
		t.Error("the rest of the bucket was not scanned")
	}
	if strings.Contains(strings.Join(sink.completes, "\n"), "svc.nj [container]") {
		t.Error("containers completed despite an unusable manifest")
	}
}

func TestManifestPrecedence(t *testing.T) {
	dir := t.TempDir()
	global := filepath.Join(dir, "global.json")
	if err := os.WriteFile(global, []byte(`{"entries":[{"containerName":"a-bucket","dataPath":"raw","structureFormat":"csv"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "a-bucket", space: manifestBucket(t, `{"entries":[{"dataPath":"transactions"}]}`)})
	f.addBucket(&fakeBucket{name: "b-bucket", space: manifestBucket(t, `{"entries":[{"dataPath":"transactions"}]}`)})
	f.addBucket(&fakeBucket{name: "c-bucket", space: manifestBucket(t, "")})
	f.addBucket(&fakeBucket{name: "d-bucket", space: manifestBucket(t, "")})
	srv := f.start()
	cfg := DefaultSourceConfig()
	cfg.DefaultManifest = &manifest.Manifest{Entries: []manifest.Entry{
		{ContainerName: "c-bucket", DataPath: "cities"},
		{ContainerName: "b-bucket", DataPath: "cities"},
	}}
	s := testScanner(t, srv.URL, f, cfg)
	s.GlobalManifest = func(context.Context) ([]byte, string, error) {
		data, err := os.ReadFile(global)
		return data, "file " + global, err
	}
	sink := newMemSink()
	scanOnce(t, s, sink)
	for bucket, want := range map[string]string{
		"a-bucket": "raw",          // global wins over the bucket's file
		"b-bucket": "transactions", // the bucket's file wins over the default
		"c-bucket": "cities",       // the default
	} {
		if got := strings.Join(sink.children("svc."+bucket, catalog.KindContainer), ", "); got != want {
			t.Errorf("%s containers = %s, want %s", bucket, got, want)
		}
	}
	if got := len(sink.children("svc.d-bucket", catalog.KindContainer)); got < 5 {
		t.Errorf("d-bucket was not discovered: %d containers", got)
	}
	if from := sink.get(t, "svc.a-bucket.raw").Attrs["manifest"]; from != "global" {
		t.Errorf("manifest = %v", from)
	}
	if w := sink.warningsText(); w != "" {
		t.Errorf("warnings: %s", w)
	}
}

func TestGlobalManifestUnreadable(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "lake", space: lakeBucket(t)})
	srv := f.start()
	s := testScanner(t, srv.URL, f, nil)
	s.GlobalManifest = func(context.Context) ([]byte, string, error) {
		return nil, "file /nope.json", fmt.Errorf("open /nope.json: no such file or directory")
	}
	sink := newMemSink()
	scanOnce(t, s, sink)
	if w := sink.warningsText(); !strings.Contains(w, "reading the global manifest file /nope.json: open /nope.json") {
		t.Errorf("warnings = %s", w)
	}
	if !sink.has("svc.lake.raw") || strings.Contains(strings.Join(sink.completes, "\n"), "[container]") {
		t.Errorf("scan without the global manifest: completes %v", sink.completes)
	}
}

func TestLoadGlobalManifest(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.json")
	if err := os.WriteFile(file, []byte(`{"entries":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/m.json" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"entries":[{"containerName":"b","dataPath":"x"}]}`))
	}))
	defer web.Close()
	for _, tc := range []struct {
		src  ConfigSource
		want string
	}{
		{ConfigSource{ManifestFilePath: file, fileRoot: dir}, `{"entries":[]}`},
		{ConfigSource{ManifestFilePath: "m.json", fileRoot: dir}, `{"entries":[]}`},
		{ConfigSource{ManifestFilePath: filepath.Join(dir, "none.json"), fileRoot: dir}, "no such file"},
		{ConfigSource{ManifestHTTPPath: web.URL + "/m.json"}, `"containerName":"b"`},
		{ConfigSource{ManifestHTTPPath: web.URL + "/gone.json"}, "HTTP status 404"},
	} {
		data, from, err := loadGlobalManifest(context.Background(), tc.src, nil, "svc", nil)
		got := string(data)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) || from == "" {
			t.Errorf("load(%+v) = %q from %q, want %q", tc.src, got, from, tc.want)
		}
	}
}

// Issue 15, finding 4: a local manifest is read only inside its directory,
// and nothing of a file that is not a manifest reaches an error.
func TestManifestFileIsConfined(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "workflows")
	if err := os.Mkdir(root, 0o700); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(base, "lakemap.key")
	if err := os.WriteFile(secret, []byte("c2VjcmV0LWNhbmFyeS1rZXk="), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, "link.json")); err != nil {
		t.Fatal(err)
	}
	notManifest := filepath.Join(root, "notes.txt")
	if err := os.WriteFile(notManifest, []byte("password=hunter2-canary\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, root, want string
	}{
		{"an absolute path outside", secret, root, "is outside " + root},
		{"a relative path climbing out", "../lakemap.key", root, "is outside"},
		{"a symbolic link leading out", "link.json", root, "path escapes from parent"},
		{"no directory configured", secret, "", "set LAKEMAP_MANIFEST_DIR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, _, err := loadGlobalManifest(context.Background(), ConfigSource{ManifestFilePath: tc.path, fileRoot: tc.root}, nil, "svc", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("load = %q, %v; want an error with %q", data, err, tc.want)
			}
			if strings.Contains(err.Error(), "c2VjcmV0") {
				t.Errorf("the error quotes the file: %v", err)
			}
		})
	}
	data, _, err := loadGlobalManifest(context.Background(), ConfigSource{ManifestFilePath: "notes.txt", fileRoot: root}, nil, "svc", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, perr := manifest.Parse(data, true)
	if perr == nil || strings.Contains(perr.Error(), "hunter2") || strings.Contains(perr.Error(), "'p'") {
		t.Errorf("parsing a file that is not a manifest: %v", perr)
	}
}

// Issue 15, finding 4: manifestHttpPath follows redirects on its own host
// only.
func TestManifestURLStaysOnItsHost(t *testing.T) {
	var otherHits atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		_, _ = w.Write([]byte(`{"entries":[]}`))
	}))
	defer other.Close()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/latest/meta-data/", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/m.json", http.StatusMovedPermanently)
		case "/m.json":
			_, _ = w.Write([]byte(`{"entries":[]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer web.Close()
	if _, _, err := loadGlobalManifest(context.Background(), ConfigSource{ManifestHTTPPath: web.URL + "/moved"}, nil, "svc", nil); err != nil {
		t.Errorf("a redirect on the same host: %v", err)
	}
	_, _, err := loadGlobalManifest(context.Background(), ConfigSource{ManifestHTTPPath: web.URL + "/away"}, nil, "svc", nil)
	if err == nil || !strings.Contains(err.Error(), "redirected to another host") {
		t.Errorf("a redirect to another host: %v", err)
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host got %d request(s)", n)
	}
}
