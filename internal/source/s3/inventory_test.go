package s3

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

func TestInventory(t *testing.T) {
	for _, tc := range []struct {
		name     string
		manifest string
	}{
		{"discovery feeds the inventory", ""},
		{"manifest bucket lists apart", `{"entries":[{"dataPath":"raw"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeS3(t)
			space := lakeBucket(t)
			space.put(fakeObject{key: "raw/tagged.csv", data: []byte("a\n1\n"), tags: map[string]string{"pii": "no"}, modified: at(5)})
			if tc.manifest != "" {
				space.put(fakeObject{key: "openmetadata.json", data: []byte(tc.manifest)})
			}
			f.addBucket(&fakeBucket{name: "inv", space: space})
			srv := f.start()
			cfg := DefaultSourceConfig()
			cfg.IncludeObjects, cfg.IncludeTags, cfg.IncludeObjectHeaders = true, true, true
			s := testScanner(t, srv.URL, f, cfg)
			sink := newMemSink()
			scanOnce(t, s, sink)

			want := len(space.objs) - 1 // the folder marker "empty/" is not an object
			if got := sink.count(catalog.KindObject); got != want {
				t.Errorf("objects = %d, want %d", got, want)
			}
			o := sink.get(t, `svc.inv."raw/tagged.csv"`)
			if o.ParentFQN != "svc.inv" || o.Attrs["size"] != int64(4) || o.Attrs["etag"] != "0123456789abcdef" ||
				o.Attrs["storageClass"] != "STANDARD" || o.Attrs["contentType"] != "application/octet-stream" ||
				fmt.Sprint(o.Attrs["tags"]) != "map[pii:no]" || o.SourceUpdated == nil || !o.SourceUpdated.Equal(at(5)) {
				t.Errorf("object = %+v", o)
			}
			if !strings.Contains(strings.Join(sink.completes, "\n"), "svc.inv [object]") {
				t.Errorf("objects not completed: %v", sink.completes)
			}
			if w := sink.warningsText(); w != "" {
				t.Errorf("warnings: %s", w)
			}
			if tc.manifest == "" && f.count("ListObjectsV2") > 12 {
				t.Errorf("%d listings: the inventory listed apart from discovery", f.count("ListObjectsV2"))
			}
		})
	}
}

func TestInventoryLimit(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "inv", space: lakeBucket(t)})
	srv := f.start()
	cfg := DefaultSourceConfig()
	cfg.IncludeObjects, cfg.MaxObjectsPerBucket = true, 5
	s := testScanner(t, srv.URL, f, cfg)
	sink := newMemSink()
	scanOnce(t, s, sink)
	if got := sink.count(catalog.KindObject); got != 5 {
		t.Errorf("objects = %d, want the limit 5", got)
	}
	if strings.Contains(strings.Join(sink.completes, "\n"), "[object]") {
		t.Error("a cut inventory was declared complete: objects past the limit would be deleted")
	}
	if !sink.has("svc.inv.raw") {
		t.Error("the limit stopped discovery too")
	}
}
