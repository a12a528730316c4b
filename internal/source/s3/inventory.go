package s3

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/slab"
)

// maxVersionsListed bounds the noncurrent versions listed on one object.
const maxVersionsListed = 20

// objectRecord is one catalogued object, built from a listing page and
// dropped once emitted.
type objectRecord struct {
	key, etag, class, versionID string
	size                        int64
	modified                    time.Time
	created                     time.Time // oldest version, when versions are listed
	versions                    int
	noncurrent                  []any
	latestDeleted               bool
	contentType, encoding       string
	tags                        map[string]any
}

// inventory emits one listing page of the walk as objects.
func (r *bucketRun) inventory(ctx context.Context, objs []types.Object) {
	if r.hook {
		r.inventoryPage(ctx, objs)
	}
}

// emitChunk is how many objects of a page are turned into records and
// entities at a time. A page is up to 1,000 objects, and a worker whose
// Emit waits on a busy catalog writer holds what it built: a whole page of
// records and entities (about 1 MB with the entities' attributes) per
// worker, up to 32 of them. In chunks, a waiting worker holds 128.
const emitChunk = 128

// inventoryPage emits a listing page as objects, emitChunk at a time.
func (r *bucketRun) inventoryPage(ctx context.Context, objs []types.Object) {
	chunk := emitChunk
	if cfg := r.sc.s.Config; cfg.IncludeObjectHeaders || cfg.IncludeTags {
		// A call per object: the page's records are little next to
		// that, and enriching the page at once keeps all of enrich's
		// calls in flight rather than draining them every chunk.
		chunk = len(objs)
	}
	buf := pageRecords.Get().(*[]objectRecord)
	for len(objs) > 0 && ctx.Err() == nil {
		n := min(len(objs), chunk)
		recs := (*buf)[:0]
		for _, o := range objs[:n] {
			recs = append(recs, objectRecord{
				key: aws.ToString(o.Key), etag: strings.Trim(aws.ToString(o.ETag), `"`), class: string(o.StorageClass),
				size: aws.ToInt64(o.Size), modified: aws.ToTime(o.LastModified),
			})
		}
		objs = objs[n:]
		r.emitObjects(ctx, recs)
		clear(recs)
		*buf = recs[:0]
	}
	pageRecords.Put(buf)
}

// pageRecords and pageEntities are scratch reused from one chunk to the
// next: records and entities that would otherwise be garbage a few
// milliseconds later.
var (
	pageRecords  = sync.Pool{New: func() any { s := make([]objectRecord, 0, emitChunk); return &s }}
	pageEntities = sync.Pool{New: func() any { s := make([]catalog.Entity, 0, emitChunk); return &s }}
)

// reserve takes up to n of the bucket's remaining object budget.
func (r *bucketRun) reserve(n int) int {
	if n == 0 {
		return 0
	}
	limit := int64(r.sc.s.Config.MaxObjectsPerBucket)
	if limit <= 0 {
		r.objects.Add(int64(n))
		return n
	}
	for {
		cur := r.objects.Load()
		take := min(int64(n), limit-cur)
		if take <= 0 {
			r.truncated.Store(true)
			return 0
		}
		if r.objects.CompareAndSwap(cur, cur+take) {
			if take < int64(n) {
				r.truncated.Store(true)
			}
			return int(take)
		}
	}
}

func (r *bucketRun) emitObjects(ctx context.Context, recs []objectRecord) {
	kept := recs[:0]
	for _, rec := range recs {
		// Folder placeholders the console creates are not data.
		if rec.latestDeleted || rec.key == "" || strings.HasSuffix(rec.key, "/") && rec.size == 0 {
			continue
		}
		kept = append(kept, rec)
	}
	kept = kept[:r.reserve(len(kept))]
	if len(kept) == 0 {
		return
	}
	cfg := r.sc.s.Config
	if cfg.IncludeObjectHeaders || cfg.IncludeTags {
		r.enrich(ctx, kept)
	}
	buf := pageEntities.Get().(*[]catalog.Entity)
	defer pageEntities.Put(buf)
	for len(kept) > 0 {
		n := min(len(kept), emitChunk)
		ents := (*buf)[:0]
		// The entities' times point into one slice per chunk, not one
		// allocation each.
		times := slab.New[time.Time](2 * n)
		for _, rec := range kept[:n] {
			ents = append(ents, r.objectEntity(rec, &times))
		}
		kept = kept[n:]
		// Objects are staged under their bucket and appear with its
		// write, all at once (scanBucket). EmitPart copies the
		// entities, so the slice is free again after it.
		err := r.sc.sink.EmitPart(ctx, r.fqn, ents...)
		clear(ents)
		*buf = ents[:0]
		if err != nil {
			r.fail(err)
			return
		}
		r.sc.sink.Progress(catalog.KindObject, n)
	}
}

// standardClass is boxed once: nearly every object is in STANDARD.
var standardClass any = string(types.ObjectStorageClassStandard)

func (r *bucketRun) objectEntity(rec objectRecord, times *slab.Of[time.Time]) catalog.Entity {
	attrs := map[string]any{"key": rec.key, "size": rec.size}
	setString(attrs, "etag", rec.etag)
	if rec.class == "" || rec.class == string(types.ObjectStorageClassStandard) {
		attrs["storageClass"] = standardClass
	} else {
		attrs["storageClass"] = rec.class
	}
	setString(attrs, "contentType", rec.contentType)
	setString(attrs, "contentEncoding", rec.encoding)
	setString(attrs, "versionId", rec.versionID)
	if rec.tags != nil {
		attrs["tags"] = rec.tags
	}
	var created *time.Time
	if rec.versions > 0 {
		attrs["versionCount"] = int64(rec.versions)
		if len(rec.noncurrent) > 0 {
			attrs["noncurrentVersions"] = rec.noncurrent
		}
		if !rec.created.IsZero() {
			created = times.Keep(rec.created.UTC())
		}
	}
	var modified *time.Time
	if !rec.modified.IsZero() {
		modified = times.Keep(rec.modified.UTC())
	}
	return catalog.Entity{
		FQN: catalog.Child(r.fqn, rec.key), Kind: catalog.KindObject, Service: r.sc.s.ServiceName, ParentFQN: r.fqn,
		Name: rec.key, Attrs: attrs, SourceCreated: created, SourceUpdated: modified,
	}
}

// enrich reads content type and encoding (HeadObject) and tags
// (GetObjectTagging), a call per object each, a few at a time.
func (r *bucketRun) enrich(ctx context.Context, recs []objectRecord) {
	cfg := r.sc.s.Config
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range recs {
		rec := &recs[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var version *string
			if rec.versionID != "" && rec.versionID != "null" {
				version = aws.String(rec.versionID)
			}
			if cfg.IncludeObjectHeaders {
				out, err := r.api.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(rec.key), VersionId: version})
				if err != nil {
					r.enrichFailed(ctx, "s3:GetObject (object content types, HeadObject)", err)
				} else {
					rec.contentType, rec.encoding = aws.ToString(out.ContentType), aws.ToString(out.ContentEncoding)
				}
			}
			if cfg.IncludeTags {
				out, err := r.api.GetObjectTagging(ctx, &awss3.GetObjectTaggingInput{Bucket: aws.String(r.bucket), Key: aws.String(rec.key), VersionId: version})
				if err != nil {
					r.enrichFailed(ctx, "s3:GetObjectTagging (object tags)", err)
				} else if len(out.TagSet) > 0 {
					rec.tags = make(map[string]any, len(out.TagSet))
					for _, t := range out.TagSet {
						rec.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func (r *bucketRun) enrichFailed(ctx context.Context, what string, err error) {
	switch {
	case ctx.Err() != nil:
	case isDenied(err):
		r.sc.denials.add(what, r.bucket, err)
	default:
		// The object may have gone since it was listed; counted, and
		// reported once per bucket.
		r.unlisted.Add(1)
	}
}

// startInventory plans the object inventory when the walk does not feed
// it: a root listing with a delimiter, then each top-level prefix flat, in
// parallel.
func (r *bucketRun) startInventory() {
	r.push(task{kind: taskInventory, prefix: "", collapse: true})
}

// inventoryTask lists objects (or versions) under a prefix for the
// inventory. The root task (collapse set) splits by top-level prefix.
func (r *bucketRun) inventoryTask(ctx context.Context, t task) {
	if r.versioned {
		r.versionsTask(ctx, t)
		return
	}
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(t.prefix)}
	if t.collapse {
		in.Delimiter = aws.String("/")
	}
	err := r.list(ctx, in, func(out *awss3.ListObjectsV2Output) {
		r.inventoryPage(ctx, out.Contents)
		for _, cp := range out.CommonPrefixes {
			r.push(task{kind: taskInventory, prefix: aws.ToString(cp.Prefix)})
		}
	})
	if err != nil {
		r.objectsOK.Store(false)
		if ctx.Err() == nil {
			r.sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("listing objects of bucket %q under %q; objects there are left as they were", r.bucket, t.prefix)))
		}
	}
}

// versionsTask lists object versions: each key's latest version is the
// object, its older versions are counted and listed on it.
func (r *bucketRun) versionsTask(ctx context.Context, t task) {
	in := &awss3.ListObjectVersionsInput{Bucket: aws.String(r.bucket), Prefix: aws.String(t.prefix)}
	if t.collapse {
		in.Delimiter = aws.String("/")
	}
	var fold versionFold
	pages := awss3.NewListObjectVersionsPaginator(r.api, in)
	for pages.HasMorePages() {
		hold, err := r.sc.listed.reserve(ctx, 0)
		if err != nil {
			r.objectsOK.Store(false)
			return
		}
		select {
		case r.sc.lists <- struct{}{}:
		case <-ctx.Done():
			hold.drop()
			r.objectsOK.Store(false)
			return
		}
		out, err := pages.NextPage(ctx)
		<-r.sc.lists
		if err != nil {
			hold.drop()
			r.objectsOK.Store(false)
			if ctx.Err() == nil {
				r.sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("listing object versions of bucket %q under %q; objects there are left as they were", r.bucket, t.prefix)))
			}
			return
		}
		hold.handOff(len(out.Versions)+len(out.DeleteMarkers)+len(out.CommonPrefixes), func() {
			var batch []objectRecord
			for _, v := range mergeVersions(out) {
				batch = fold.add(batch, v)
			}
			// A key's versions may continue on the next page: the fold
			// holds the last.
			r.emitObjects(ctx, batch)
			for _, cp := range out.CommonPrefixes {
				r.push(task{kind: taskInventory, prefix: aws.ToString(cp.Prefix)})
			}
		})
	}
	r.emitObjects(ctx, fold.flush(nil))
}

// versionFold gathers a key's versions, in S3's order, into one object.
type versionFold struct{ cur *objectRecord }

// add folds v in; a new key first appends the last one's object to batch.
func (f *versionFold) add(batch []objectRecord, v version) []objectRecord {
	if f.cur != nil && f.cur.key != v.key {
		batch = f.flush(batch)
	}
	if f.cur == nil {
		f.cur = &objectRecord{key: v.key}
	}
	cur := f.cur
	cur.versions++
	if cur.created.IsZero() || v.modified.Before(cur.created) {
		cur.created = v.modified
	}
	switch {
	case v.latest && v.marker:
		cur.latestDeleted = true
	case v.latest:
		cur.etag, cur.class, cur.size, cur.modified, cur.versionID = v.etag, v.class, v.size, v.modified, v.id
	case len(cur.noncurrent) < maxVersionsListed:
		m := map[string]any{"versionId": v.id, "lastModified": v.modified.UTC().Format(time.RFC3339)}
		if v.marker {
			m["deleteMarker"] = true
		} else {
			m["size"] = v.size
		}
		cur.noncurrent = append(cur.noncurrent, m)
	}
	return batch
}

// flush appends the key being folded, if any, to batch.
func (f *versionFold) flush(batch []objectRecord) []objectRecord {
	if f.cur != nil {
		batch = append(batch, *f.cur)
		f.cur = nil
	}
	return batch
}

type version struct {
	key, id, etag, class string
	size                 int64
	modified             time.Time
	latest, marker       bool
}

// mergeVersions interleaves a page's versions and delete markers in key
// order, newest first within a key, as S3 orders them.
func mergeVersions(out *awss3.ListObjectVersionsOutput) []version {
	vs := make([]version, 0, len(out.Versions)+len(out.DeleteMarkers))
	for _, v := range out.Versions {
		vs = append(vs, version{
			key: aws.ToString(v.Key), id: aws.ToString(v.VersionId), etag: strings.Trim(aws.ToString(v.ETag), `"`),
			class: string(v.StorageClass), size: aws.ToInt64(v.Size), modified: aws.ToTime(v.LastModified), latest: aws.ToBool(v.IsLatest),
		})
	}
	for _, m := range out.DeleteMarkers {
		vs = append(vs, version{key: aws.ToString(m.Key), id: aws.ToString(m.VersionId), modified: aws.ToTime(m.LastModified), latest: aws.ToBool(m.IsLatest), marker: true})
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].key != vs[j].key {
			return vs[i].key < vs[j].key
		}
		if vs[i].latest != vs[j].latest {
			return vs[i].latest
		}
		return vs[i].modified.After(vs[j].modified)
	})
	return vs
}
