package s3

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source/s3/discover"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

// taskKind is what one unit of bucket work does.
type taskKind int

const (
	// taskDiscover lists one directory with a delimiter and decides what
	// its sub-directories are: partitions, datasets, artifacts.
	taskDiscover taskKind = iota
	// taskFlat lists everything under a prefix (no delimiter, 1,000 keys a
	// page) into one node: a partition subtree, a collapsed directory.
	taskFlat
	// taskGlob lists under a manifest glob's literal base and sorts the
	// matching keys into containers.
	taskGlob
	// taskInventory lists objects (or versions) for the inventory only.
	taskInventory
)

type task struct {
	kind   taskKind
	prefix string
	node   *node
	// base is the prefix partition directories are relative to.
	base string
	// skipDirect skips keys directly under prefix (already counted).
	skipDirect bool
	depth      int
	// collapse makes every sub-directory part of node (manifest entries,
	// tables).
	collapse bool
	glob     *globEntry
}

// node is one directory that may become a container.
type node struct {
	path   string // container path without end slashes; "" is the bucket root
	prefix string // key prefix: path + "/", or "" for the root
	ds     discover.Dataset
	opts   *entryOpts // manifest entry options; nil for discovered nodes

	pending     atomic.Int64 // tasks still adding to ds
	partitioned atomic.Bool  // bare-value directories are partitions
	failed      atomic.Bool  // a listing under it failed: stats are partial
	mu          sync.Mutex
	table       string // delta or iceberg, when recognised
}

func (n *node) setTable(t string) {
	n.mu.Lock()
	n.table = t
	n.mu.Unlock()
}

func (n *node) tableFormat() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.table
}

// entryOpts are a manifest entry's settings, resolved.
type entryOpts struct {
	e        manifest.Entry
	label    string // "openmetadata.json entry 2 (dataPath "x")"
	from     string // global, bucket, default
	exts     map[string]bool
	anyExt   bool
	excludes []string
	patterns []manifest.Pattern
}

func (o *entryOpts) unstructured() bool {
	return o != nil && (o.anyExt || len(o.exts) > 0 || o.e.UnstructuredData)
}

// bucketRun is the state of one bucket's walk: a LIFO queue of tasks run
// by a fixed pool of workers, so memory holds pending prefixes, never
// listed pages.
type bucketRun struct {
	sc        *scan
	api       API
	bucket    string
	fqn       string
	versioned bool
	// hook says listings feed the object inventory as they go.
	hook bool

	mu     sync.Mutex
	cond   *sync.Cond
	tasks  []task
	active int
	// finals are listed nodes waiting for finalize; listing (the
	// tasks) goes first, so the bucket's inventory is complete before
	// the containers' samples are read (objectsListed).
	finals   []*node
	listings int // listing tasks running
	// listers bounds the workers listing while finalizations wait.
	listers int
	// ent is the bucket; written says objectsListed wrote it.
	ent        catalog.Entity
	listedOnce sync.Once
	written    bool

	containersOK atomic.Bool
	objectsOK    atomic.Bool
	truncated    atomic.Bool
	objects      atomic.Int64
	containers   atomic.Int64

	claimed  sync.Map // container path -> struct{}
	fatalMu  sync.Mutex
	fatal    error
	cancel   context.CancelFunc
	unlisted atomic.Int64 // inventory heads/tags that failed
}

func (r *bucketRun) push(t task) {
	if t.node != nil && t.kind != taskGlob {
		t.node.pending.Add(1)
	}
	r.mu.Lock()
	r.tasks = append(r.tasks, t)
	r.mu.Unlock()
	r.cond.Signal()
}

// run starts workers and returns once every task, including those tasks
// push, and every finalization is done.
func (r *bucketRun) run(ctx context.Context, workers int) {
	r.listers = max(workers/2, 1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r.step(ctx) {
			}
		}()
	}
	wg.Wait()
}

// maxWaitingFinals bounds the listed nodes waiting to be finalized: each
// holds its dataset's statistics and samples, and a bucket may have a
// hundred thousand directories. Past it, finalizing goes first.
const maxWaitingFinals = 1024

// takeListing says a free worker lists rather than finalizes: listings go
// first, so that the inventory is whole early, but while finalizations
// wait only half of the workers list. Each listing worker holds a page of
// up to 1,000 objects while the catalog takes it; all of them listing
// held a fifth more memory at 200k objects than half of them.
func (r *bucketRun) takeListing() bool {
	if len(r.tasks) == 0 {
		return false
	}
	if len(r.finals) == 0 {
		return true
	}
	return len(r.finals) < maxWaitingFinals && r.listings < r.listers
}

// step runs one task or one finalization; false: nothing is left.
func (r *bucketRun) step(ctx context.Context) bool {
	r.mu.Lock()
	for len(r.tasks) == 0 && len(r.finals) == 0 && r.active > 0 {
		r.cond.Wait()
	}
	if len(r.tasks) == 0 && len(r.finals) == 0 {
		r.mu.Unlock()
		r.cond.Broadcast()
		return false
	}
	r.active++
	if r.takeListing() {
		t := r.tasks[len(r.tasks)-1]
		r.tasks = r.tasks[:len(r.tasks)-1]
		r.listings++
		r.mu.Unlock()

		r.runTask(ctx, t)

		r.mu.Lock()
		r.listings--
		// Only listings push tasks: with none left and none running,
		// the listing is over.
		last := r.listings == 0 && len(r.tasks) == 0
		r.active--
		r.mu.Unlock()
		r.cond.Broadcast()
		if last {
			r.objectsListed(ctx)
		}
		return true
	}
	n := r.finals[0]
	r.finals[0] = nil // the node is collected once finalized
	r.finals = r.finals[1:]
	r.mu.Unlock()

	r.runFinalize(ctx, n)

	r.mu.Lock()
	r.active--
	r.mu.Unlock()
	r.cond.Broadcast()
	return true
}

// runFinalize finalizes n; like a task, a bug costs n alone.
func (r *bucketRun) runFinalize(ctx context.Context, n *node) {
	defer func() {
		if p := recover(); p != nil {
			r.containersOK.Store(false)
			r.sc.sink.Warn(ctx, fmt.Errorf("bucket %q, prefix %q: building the container failed (a lakemap bug): %v\n%s", r.bucket, n.prefix, p, debug.Stack()))
		}
	}()
	r.finalize(ctx, n)
}

func (r *bucketRun) runTask(ctx context.Context, t task) {
	defer func() {
		// A bug must cost this listing, not the process: what it would
		// have found stays as it was.
		if p := recover(); p != nil {
			r.containersOK.Store(false)
			r.objectsOK.Store(false)
			r.sc.sink.Warn(ctx, fmt.Errorf("bucket %q, prefix %q: scanning failed (a lakemap bug): %v\n%s", r.bucket, t.prefix, p, debug.Stack()))
		}
	}()
	if ctx.Err() != nil {
		// Drain: a cancelled walk runs nothing more.
		r.containersOK.Store(false)
		r.objectsOK.Store(false)
		if t.node != nil && t.kind != taskGlob {
			r.release(ctx, t.node)
		}
		return
	}
	switch t.kind {
	case taskDiscover:
		r.discover(ctx, t)
	case taskFlat:
		r.flat(ctx, t)
	case taskGlob:
		r.globList(ctx, t.glob)
	case taskInventory:
		r.inventoryTask(ctx, t)
	}
}

// fail records an error that must stop the scan (the sink failing).
func (r *bucketRun) fail(err error) {
	r.fatalMu.Lock()
	if r.fatal == nil {
		r.fatal = err
	}
	r.fatalMu.Unlock()
	r.cancel()
}

// list reads every page of a listing. Each request holds one of the
// scan-wide listing slots while it is out at S3 (holdListSlot), not while
// the SDK builds and signs it, decodes the answer, or the page is turned
// into entities: that work overlaps other workers' requests instead.
func (r *bucketRun) list(ctx context.Context, in *awss3.ListObjectsV2Input, page func(*awss3.ListObjectsV2Output)) error {
	pages := awss3.NewListObjectsV2Paginator(r.api, in)
	for pages.HasMorePages() {
		hold, err := r.sc.listed.reserve(ctx, aws.ToInt32(in.MaxKeys))
		if err != nil {
			return err
		}
		out, err := pages.NextPage(ctx, r.sc.holdListSlot)
		if err != nil {
			hold.drop()
			return err
		}
		hold.handOff(len(out.Contents)+len(out.CommonPrefixes), func() { page(out) })
	}
	return nil
}

// holdListSlot makes each listing request hold a slot of sc.lists while it
// is out at S3 (awsconn.HoldSlot).
func (sc *scan) holdListSlot(o *awss3.Options) {
	o.APIOptions = append(o.APIOptions, awsconn.HoldSlot("lakemapListSlot", sc.lists))
}

// listFailed warns about a failed listing; what was under it is partial,
// so nothing in the bucket may be marked deleted.
func (r *bucketRun) listFailed(ctx context.Context, prefix string, err error) {
	r.containersOK.Store(false)
	r.objectsOK.Store(false)
	if ctx.Err() != nil {
		return
	}
	where := "the root"
	if prefix != "" {
		where = fmt.Sprintf("prefix %q", prefix)
	}
	r.sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("listing %s of bucket %q; containers there are left as they were", where, r.bucket)))
}

func (r *bucketRun) newNode(path string, opts *entryOpts) *node {
	n := &node{path: path, opts: opts}
	if path != "" {
		n.prefix = path + "/"
	}
	n.ds.Samples = max(r.sc.s.Config.SampleFiles, 1) * 2
	return n
}

// release ends one task's work on n; the last one queues its
// finalization.
func (r *bucketRun) release(ctx context.Context, n *node) {
	if n.pending.Add(-1) == 0 {
		r.mu.Lock()
		r.finals = append(r.finals, n)
		r.mu.Unlock()
		r.cond.Signal()
	}
}

// discover lists one directory: its files belong to n, its
// sub-directories are planned by plan.
func (r *bucketRun) discover(ctx context.Context, t task) {
	n := t.node
	defer r.release(ctx, n)
	var children []string
	overflow := false
	err := r.list(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(t.prefix), Delimiter: aws.String("/")},
		func(out *awss3.ListObjectsV2Output) {
			r.inventory(ctx, out.Contents)
			for _, o := range out.Contents {
				r.addFile(n, o, nil)
			}
			for _, cp := range out.CommonPrefixes {
				name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), t.prefix), "/")
				if name == "" {
					continue
				}
				if len(children) >= r.sc.s.Config.MaxPrefixes {
					overflow = true
					continue
				}
				children = append(children, name)
			}
		})
	if err != nil {
		n.failed.Store(true)
		r.listFailed(ctx, t.prefix, err)
		return
	}
	if t.collapse && n.opts != nil && len(children) == 0 && n.ds.Summary().Files == 0 {
		r.singleFile(ctx, n)
		return
	}
	r.plan(t, n, children, overflow)
}

// singleFile handles a manifest dataPath naming one object, not a prefix.
func (r *bucketRun) singleFile(ctx context.Context, n *node) {
	err := r.list(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(n.path), MaxKeys: aws.Int32(1)},
		func(out *awss3.ListObjectsV2Output) {
			for _, o := range out.Contents {
				if aws.ToString(o.Key) == n.path {
					n.ds.Add(object(o), nil)
				}
			}
		})
	if err != nil {
		n.failed.Store(true)
		r.listFailed(ctx, n.path, err)
	}
}

// plan decides what a listed directory's sub-directories are.
func (r *bucketRun) plan(t task, n *node, children []string, overflow bool) {
	cfg := r.sc.s.Config
	if overflow {
		// Too many sub-directories to be datasets: they are partitions
		// of this one, listed flat.
		n.partitioned.Store(true)
		r.push(task{kind: taskFlat, prefix: t.prefix, node: n, base: t.prefix, skipDirect: true})
		return
	}
	var parts, datasets, skipped []string
	for _, c := range children {
		switch {
		case c == "_delta_log":
			n.setTable("delta")
			skipped = append(skipped, c)
		case discover.IsArtifact(c) || !r.sc.s.pathFilter.Allows(c) || r.excluded(n, t.prefix+c+"/"):
			skipped = append(skipped, c)
		default:
			if _, _, ok := discover.HivePartition(c); ok {
				parts = append(parts, c)
			} else {
				datasets = append(datasets, c)
			}
		}
	}
	collapse := t.collapse || n.tableFormat() != ""
	if !collapse && len(parts) == 0 && len(datasets) == 2 && containsString(datasets, "data") && containsString(datasets, "metadata") {
		// Iceberg: data files under data/, table metadata under metadata/.
		n.setTable("iceberg")
		r.push(task{kind: taskFlat, prefix: t.prefix + "data/", node: n, base: t.prefix + "data/"})
		skipped, datasets = append(skipped, "metadata"), nil
	}
	if !collapse && len(parts) == 0 && len(datasets) > 0 && allValues(datasets) {
		// 2024/01/02: dates written without key=, partitions all the same.
		collapse = true
		n.partitioned.Store(true)
	}
	for _, p := range parts {
		r.push(task{kind: taskFlat, prefix: t.prefix + p + "/", node: n, base: t.prefix})
	}
	for _, d := range datasets {
		full := t.prefix + d + "/"
		switch {
		case collapse:
			r.push(task{kind: taskFlat, prefix: full, node: n, base: t.prefix})
		case t.depth+1 >= cfg.MaxDepth:
			// Deep enough: the directory is one container, listed flat.
			child := r.newNode(strings.TrimSuffix(full, "/"), nil)
			child.partitioned.Store(true)
			r.push(task{kind: taskFlat, prefix: full, node: child, base: full})
		default:
			child := r.newNode(strings.TrimSuffix(full, "/"), nil)
			r.push(task{kind: taskDiscover, prefix: full, node: child, depth: t.depth + 1})
		}
	}
	if r.hook {
		for _, s := range skipped {
			r.push(task{kind: taskInventory, prefix: t.prefix + s + "/"})
		}
	}
}

func allValues(dirs []string) bool {
	for _, d := range dirs {
		if !discover.LooksLikeValue(d) {
			return false
		}
	}
	return true
}

// flat lists a subtree into its node.
func (r *bucketRun) flat(ctx context.Context, t task) {
	defer r.release(ctx, t.node)
	err := r.list(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(t.prefix)},
		func(out *awss3.ListObjectsV2Output) {
			r.inventory(ctx, out.Contents)
			for _, o := range out.Contents {
				rel := strings.TrimPrefix(aws.ToString(o.Key), t.base)
				if t.skipDirect && !strings.Contains(rel, "/") {
					continue
				}
				segs := strings.Split(rel, "/")
				dirs := segs[:len(segs)-1]
				if r.skipDirs(t.node, dirs) {
					continue
				}
				r.addFile(t.node, o, dirs)
			}
		})
	if err != nil {
		t.node.failed.Store(true)
		r.listFailed(ctx, t.prefix, err)
	}
}

// skipDirs reports keys under artifact or excluded directories.
func (r *bucketRun) skipDirs(n *node, dirs []string) bool {
	for _, d := range dirs {
		if discover.IsArtifact(d) || !r.sc.s.pathFilter.Allows(d) {
			return true
		}
	}
	return n.opts != nil && discover.ExcludedBy(strings.Join(dirs, "/"), n.opts.excludes)
}

// excluded applies a manifest entry's excludes to a key or prefix.
func (r *bucketRun) excluded(n *node, key string) bool {
	if n.opts == nil {
		return false
	}
	if discover.ExcludedBy(key, n.opts.excludes) {
		return true
	}
	for _, p := range n.opts.patterns {
		if p.Match(strings.TrimSuffix(key, "/")) {
			return true
		}
	}
	return false
}

// addFile adds a data file to n, skipping directory markers, artifacts,
// the manifests themselves and excluded names.
func (r *bucketRun) addFile(n *node, o types.Object, dirs []string) {
	key := aws.ToString(o.Key)
	if key == "" || strings.HasSuffix(key, "/") {
		return
	}
	name := key[strings.LastIndexByte(key, '/')+1:]
	if discover.IsArtifact(name) || !r.sc.s.pathFilter.Allows(name) {
		return
	}
	if !strings.Contains(key, "/") && (name == manifest.BucketFile || name == manifest.GlobalFile) {
		return
	}
	if opts := n.opts; opts != nil {
		if r.excluded(n, key) {
			return
		}
		if opts.unstructured() && !opts.anyExt && !opts.exts[manifest.Ext(key)] {
			return
		}
	}
	n.ds.Add(object(o), dirs)
}

func object(o types.Object) discover.Object {
	return discover.Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), LastModified: aws.ToTime(o.LastModified), StorageClass: string(o.StorageClass)}
}

// claim reserves a container path, so two manifest entries cannot emit
// the same container.
func (r *bucketRun) claim(path string) bool {
	_, taken := r.claimed.LoadOrStore(path, struct{}{})
	return !taken
}
