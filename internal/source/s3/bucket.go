package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/cloudwatch"
)

// scanBucket reads one bucket and what is in it. read is false when the
// bucket itself could not be read (it is then not emitted and stays in the
// catalog as it was); the error is set only for failures that must stop
// the scan (the sink, cancellation).
//
// The bucket is written once its listings are over: its objects, staged
// as they are listed, appear in its write with the deletion of what left
// its listings, so a crash leaves its object inventory as the last scan
// wrote it or whole and new. Its containers are written as their samples
// are read, most of them after the bucket, and the deletion of those
// gone from it follows them.
func (sc *scan) scanBucket(ctx context.Context, b bucketInfo) (read bool, err error) {
	s := sc.s
	loc, err := s.Clients.S3(s.Region).GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String(b.name)})
	switch {
	case err == nil:
		b.region = awsconn.BucketRegion(string(loc.LocationConstraint))
	case ctx.Err() != nil:
		return false, ctx.Err()
	case awsconn.ErrorCode(err) == "NoSuchBucket":
		// Gone (or a bucketNames entry naming no bucket): nothing to
		// keep, so the bucket list stays whole and the bucket may be
		// marked deleted.
		sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("reading the region of bucket %q", b.name)))
		return true, nil
	case b.region != "" && isDenied(err):
		// ListBuckets told the region; the location call is not needed.
		sc.denials.add("s3:GetBucketLocation (bucket regions)", b.name, err)
	default:
		sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("reading the region of bucket %q; the bucket is left as it was", b.name)))
		return false, nil
	}
	api := s.Clients.S3(b.region)
	bucketFQN := catalog.Child(sc.svcFQN, b.name)
	ent := catalog.Entity{
		FQN: bucketFQN, Kind: catalog.KindBucket, Service: s.ServiceName, ParentFQN: sc.svcFQN,
		Name: b.name, SourceCreated: b.created, Attrs: map[string]any{"region": b.region},
	}
	sc.bucketDetails(ctx, api, b, ent.Attrs)
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r, err := sc.scanContents(ctx, api, ent)
	if err != nil {
		return true, err
	}
	// Without objects the bucket is written now, with its containers'
	// completion; with them, objectsListed wrote it, and the completion
	// follows its containers.
	done := r.containerListings()
	if !r.written {
		if err := sc.sink.EmitComplete(ctx, []catalog.Entity{ent}, done...); err != nil {
			return true, err
		}
	} else if len(done) > 0 {
		if err := sc.sink.Complete(ctx, bucketFQN, catalog.KindContainer); err != nil {
			return true, err
		}
	}
	sc.sink.Progress(catalog.KindBucket, 1)
	return true, nil
}

// scanContents finds the bucket's containers (from its manifest, else by
// discovery) and, when asked, its objects, writing the bucket with them
// once every listing is done (objectsListed). The run it returns says
// whether the bucket was written and which listings finished.
func (sc *scan) scanContents(ctx context.Context, api API, bucket catalog.Entity) (*bucketRun, error) {
	cfg := sc.s.Config
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	versioning, _ := bucket.Attrs["versioning"].(string)
	r := &bucketRun{sc: sc, api: api, bucket: bucket.Name, fqn: bucket.FQN, ent: bucket, cancel: cancel}
	r.cond = sync.NewCond(&r.mu)
	r.containersOK.Store(true)
	r.objectsOK.Store(true)
	r.versioned = cfg.IncludeObjects && cfg.IncludeObjectVersions && versioning != ""

	entries, from, file := r.manifestEntries(ctx)
	discovery := len(entries) == 0 && cfg.AutoDiscovery
	r.hook = cfg.IncludeObjects && discovery && !r.versioned
	switch {
	case len(entries) > 0:
		r.runManifest(entries, from, file)
	case discovery:
		r.push(task{kind: taskDiscover, node: r.newNode("", nil)})
	}
	if cfg.IncludeObjects && !r.hook {
		r.startInventory()
	}
	r.run(ctx, listWorkers(cfg.ListThreads))
	// A bucket with nothing to list ends without a last listing.
	r.objectsListed(ctx)

	if r.fatal != nil {
		return nil, r.fatal
	}
	if err := parent.Err(); err != nil {
		return nil, err
	}
	if n := r.unlisted.Load(); n > 0 {
		sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: content type or tags of %d objects could not be read", r.bucket, n)))
	}
	if r.truncated.Load() {
		sc.s.Logger.Info("object inventory stopped at maxObjectsPerBucket", "bucket", r.bucket, "maxObjectsPerBucket", cfg.MaxObjectsPerBucket)
	}
	return r, nil
}

// objectsListed writes the bucket with its objects, and the deletion of
// those gone when every listing succeeded, as soon as the listings are
// over: the containers' samples are read after them, and the bucket's
// publication (its whole inventory, in one transaction) then overlaps
// those reads rather than following them. Without objects, the bucket
// is written at the end, with its containers' deletion.
func (r *bucketRun) objectsListed(ctx context.Context) {
	if !r.sc.s.Config.IncludeObjects {
		return
	}
	r.listedOnce.Do(func() {
		if ctx.Err() != nil {
			return
		}
		var done []catalog.Listing
		if r.objectsOK.Load() && !r.truncated.Load() {
			done = append(done, catalog.Listing{ParentFQN: r.fqn, Kinds: []catalog.Kind{catalog.KindObject}})
		}
		if err := r.sc.sink.EmitComplete(ctx, []catalog.Entity{r.ent}, done...); err != nil {
			r.fail(err)
			return
		}
		r.written = true
	})
}

// containerListings is the listing of the bucket's containers when they
// are all known, so that those not seen may be marked deleted.
func (r *bucketRun) containerListings() []catalog.Listing {
	if !r.sc.s.Config.MarkDeletedContainers || !r.containersOK.Load() || r.sc.globalBroken {
		return nil
	}
	return []catalog.Listing{{ParentFQN: r.fqn, Kinds: []catalog.Kind{catalog.KindContainer}}}
}

// bucketDetails reads versioning, tags, policy and metrics in parallel
// into attrs. A detail that cannot be read is left out (unknown), never
// set to an empty value.
func (sc *scan) bucketDetails(ctx context.Context, api API, b bucketInfo, attrs map[string]any) {
	var mu sync.Mutex
	set := func(k string, v any) {
		mu.Lock()
		attrs[k] = v
		mu.Unlock()
	}
	fail := func(what string, err error) {
		if ctx.Err() != nil {
			return
		}
		if isDenied(err) {
			sc.denials.add(what, b.name, err)
			return
		}
		// A bucket detail is an enrichment: the bucket itself was listed.
		sc.sink.Warn(ctx, source.Notice(awsconn.Classify(err, fmt.Sprintf("reading the %s of bucket %q", what, b.name))))
	}
	name := aws.String(b.name)
	calls := []func(){
		func() {
			out, err := api.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: name})
			if err != nil {
				fail("s3:GetBucketVersioning (versioning)", err)
				return
			}
			if out.Status != "" {
				set("versioning", string(out.Status))
			}
			if out.MFADelete != "" {
				set("mfaDelete", string(out.MFADelete))
			}
		},
		func() {
			out, err := api.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: name})
			if err != nil {
				if awsconn.ErrorCode(err) != "NoSuchTagSet" {
					fail("s3:GetBucketTagging (bucket tags)", err)
				}
				return
			}
			if len(out.TagSet) > 0 {
				tags := make(map[string]any, len(out.TagSet))
				for _, t := range out.TagSet {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				set("tags", tags)
			}
		},
		func() {
			out, err := api.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: name})
			if err != nil {
				if awsconn.ErrorCode(err) != "NoSuchBucketPolicy" {
					fail("s3:GetBucketPolicy (bucket policies)", err)
				}
				return
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &doc); err != nil {
				set("policyText", aws.ToString(out.Policy))
				return
			}
			set("policy", doc)
		},
	}
	if sc.s.Config.IncludeMetrics && sc.metrics.On() {
		calls = append(calls, func() {
			callCtx, cancel := sc.metrics.Context(ctx)
			m, err := cloudwatch.ReadS3(callCtx, sc.s.Clients.CloudWatch(b.region), b.name, sc.s.Now())
			cancel()
			if err != nil {
				// An endpoint without CloudWatch, or one that does not
				// answer in time, turns metrics off at once; denials are
				// gathered with the other bucket details'.
				if ctx.Err() == nil && (awsconn.NotImplemented(err) || errors.Is(err, context.DeadlineExceeded)) {
					sc.metrics.TurnOffOn(ctx, sc.sink, awsconn.Classify(err, fmt.Sprintf("reading the CloudWatch metrics of bucket %q", b.name)))
					return
				}
				fail("cloudwatch:GetMetricData (bucket size and object count)", err)
				return
			}
			if total, ok := m.TotalBytes(); ok {
				set("sizeBytes", total)
				byType := make(map[string]any, len(m.SizeBytes))
				for k, v := range m.SizeBytes {
					byType[k] = v
				}
				set("sizeBytesByStorageType", byType)
			}
			if m.Objects != nil {
				set("objectCount", *m.Objects)
			}
			if m.Known() {
				set("metricsAt", m.At.UTC().Format(time.RFC3339))
			}
			if len(m.Daily) > 0 {
				set("metricsDaily", dailyAttribute(m.Daily))
			}
		})
	}
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c()
		}()
	}
	wg.Wait()
}

// dailyAttribute is the bucket's "metricsDaily" attribute: CloudWatch's
// daily values, oldest first, for the size and object-count charts.
func dailyAttribute(days []cloudwatch.DailyMetric) []any {
	out := make([]any, 0, len(days))
	for _, d := range days {
		day := map[string]any{"day": d.Day.Format(time.DateOnly)}
		if d.SizeBytes != nil {
			day["sizeBytes"] = *d.SizeBytes
		}
		if d.Objects != nil {
			day["objectCount"] = *d.Objects
		}
		out = append(out, day)
	}
	return out
}

// listWorkers is how many workers walk a bucket for listThreads listings
// in flight: a quarter more, so that requests stay out while a few
// workers turn their pages into entities. Each worker holds a page of up
// to 1,000 keys while a busy catalog writer makes it wait: twice as many
// workers held ~5 MB more in a 200k-object bucket for no faster a scan
// (2M objects unthrottled: 1.22-1.24x the floor either way).
func listWorkers(listThreads int) int {
	n := max(listThreads, 1)
	return n + max(n/4, 1)
}
