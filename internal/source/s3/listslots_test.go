package s3

import (
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// listThreads bounds the listings out at S3 at once, even though more
// workers than that turn pages into entities.
func TestListThreadsBoundsListingsInFlight(t *testing.T) {
	f := newFakeS3(t)
	f.latency = 5 * time.Millisecond
	f.addBucket(&fakeBucket{name: "wide", space: genSpace{prefixes: 60, perPrefix: 20}})
	srv := f.start()
	cfg := DefaultSourceConfig()
	cfg.ListThreads, cfg.IncludeObjects, cfg.SampleFiles = 3, true, 0
	sink := newMemSink()
	scanOnce(t, testScanner(t, srv.URL, f, cfg), sink)
	if got := f.maxPending.Load(); got > 3 || got < 2 {
		t.Errorf("at most %d requests were out at once; want 2 or 3 with listThreads 3", got)
	}
	if objects := sink.count(catalog.KindObject); objects != 60*20 {
		t.Errorf("%d objects catalogued, want %d", objects, 60*20)
	}
}
