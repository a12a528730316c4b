package s3

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/catalog"
)

// TestBucketIsWrittenWhileSamplesAreRead: a bucket with its object
// inventory is written as soon as its listings are over, not after its
// containers' samples: the fake holds every sample read until the bucket
// is written, which the scan of old never did (it would wait out the
// fake's patience and fail the samples). Its containers still come, with
// their schemas, and the deletion of containers gone from it after them.
func TestBucketIsWrittenWhileSamplesAreRead(t *testing.T) {
	f := newFakeS3(t)
	space := &memSpace{}
	for d := range 6 {
		for i := range 4 {
			space.put(fakeObject{key: fmt.Sprintf("ds%d/part-%d.csv", d, i), data: []byte("id,name\n1,x\n"), modified: at(i)})
		}
	}
	f.addBucket(&fakeBucket{name: "lake", space: space})
	srv := f.start()
	cfg := DefaultSourceConfig()
	cfg.IncludeObjects, cfg.SampleFiles, cfg.MarkDeletedContainers = true, 1, true
	s := testScanner(t, srv.URL, f, cfg)

	sink := newMemSink()
	written := make(chan struct{})
	var once sync.Once
	sink.emitted = func(e catalog.Entity) {
		if e.FQN == "svc.lake" {
			once.Do(func() { close(written) })
		}
	}
	s.Clients = gatedClients{Clients: s.Clients, gate: written}
	// A container from an earlier scan, gone from the bucket since.
	if err := sink.Emit(context.Background(), catalog.Entity{FQN: "svc.lake.gone", Kind: catalog.KindContainer, ParentFQN: "svc.lake", Name: "gone"}); err != nil {
		t.Fatal(err)
	}
	sink.rescan()
	scanOnce(t, s, sink)
	if w := sink.warningsText(); w != "" {
		t.Fatalf("warnings: %s", w)
	}
	if got := sink.count(catalog.KindObject); got != 24 {
		t.Errorf("objects = %d, want 24", got)
	}
	for d := range 6 {
		c := sink.get(t, fmt.Sprintf("svc.lake.ds%d", d))
		if c.Attrs["fileCount"] != int64(4) {
			t.Errorf("container ds%d = %+v", d, c.Attrs)
		}
		sink.get(t, fmt.Sprintf("svc.lake.ds%d.name", d))
	}
	if e := sink.entities["svc.lake.gone"]; !e.Deleted {
		t.Error("the container gone from the bucket was not deleted")
	}
	completes := strings.Join(sink.completes, "\n")
	if !strings.Contains(completes, "svc.lake [object]") || !strings.Contains(completes, "svc.lake [container]") {
		t.Errorf("completes: %v", sink.completes)
	}
}

// gatedClients hold each sample read until gate closes, for a while.
type gatedClients struct {
	Clients
	gate <-chan struct{}
}

func (c gatedClients) S3(region string) API { return gatedAPI{API: c.Clients.S3(region), gate: c.gate} }

type gatedAPI struct {
	API
	gate <-chan struct{}
}

func (a gatedAPI) GetObject(ctx context.Context, in *awss3.GetObjectInput, opts ...func(*awss3.Options)) (*awss3.GetObjectOutput, error) {
	if !strings.HasSuffix(aws.ToString(in.Key), ".csv") {
		return a.API.GetObject(ctx, in, opts...) // the bucket's manifest, read first
	}
	select {
	case <-a.gate:
		return a.API.GetObject(ctx, in, opts...)
	case <-time.After(10 * time.Second):
		return nil, errors.New("sample read before the bucket was written")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
