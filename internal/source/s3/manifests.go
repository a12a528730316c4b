package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

const (
	// maxManifestBytes bounds a manifest read: thousands of entries fit.
	maxManifestBytes = 16 << 20
	// maxGlobContainers bounds the containers one glob entry may give.
	maxGlobContainers = 10000
)

// manifestEntries picks the bucket's manifest with OpenMetadata's
// precedence: the global manifest's entries for the bucket, else the
// bucket's own openmetadata.json, else the workflow's defaultManifest.
// Problems are warnings naming the bucket and the entry; any of them
// keeps the bucket's containers from being marked deleted.
func (r *bucketRun) manifestEntries(ctx context.Context) ([]manifest.Entry, string, string) {
	sc := r.sc
	if es := manifest.ForBucket(sc.global, r.bucket); len(es) > 0 {
		return es, "global", "global manifest " + sc.globalFrom
	}
	data, err := r.readSmall(ctx, manifest.BucketFile)
	switch {
	case err == nil:
		entries, problems, perr := manifest.Parse(data, false)
		for _, p := range problems {
			r.containersOK.Store(false)
			sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s: %s", r.bucket, manifest.BucketFile, p.Error())))
		}
		if perr != nil {
			r.containersOK.Store(false)
			sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s is not usable: %w; the bucket is scanned without it", r.bucket, manifest.BucketFile, perr)))
		} else if len(entries) > 0 {
			return entries, "bucket", manifest.BucketFile
		}
	case awsconn.ErrorCode(err) == "NoSuchKey" || awsconn.ErrorCode(err) == "NotFound":
	case ctx.Err() != nil:
		return nil, "", ""
	case isDenied(err):
		r.containersOK.Store(false)
		sc.denials.add("s3:GetObject (openmetadata.json manifests)", r.bucket, err)
	default:
		r.containersOK.Store(false)
		sc.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("reading %s of bucket %q", manifest.BucketFile, r.bucket)))
	}
	if dm := sc.s.Config.DefaultManifest; dm != nil {
		if es := manifest.ForBucket(dm.Entries, r.bucket); len(es) > 0 {
			return es, "default", "defaultManifest"
		}
	}
	return nil, "", ""
}

// readSmall reads a whole small object of the bucket.
func (r *bucketRun) readSmall(ctx context.Context, key string) ([]byte, error) {
	out, err := r.api.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(r.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return readLimited(out.Body, fmt.Sprintf("s3://%s/%s", r.bucket, key))
}

func readLimited(rd io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(rd, maxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", what, maxManifestBytes)
	}
	return data, nil
}

// globEntry is a manifest entry whose dataPath is a glob.
type globEntry struct {
	pattern manifest.Pattern
	opts    *entryOpts
}

// runManifest plans one task per entry.
func (r *bucketRun) runManifest(entries []manifest.Entry, from, file string) {
	for _, e := range entries {
		opts := &entryOpts{e: e, label: file + " " + manifest.Label(e), from: from, excludes: e.ExcludePaths}
		for _, f := range e.UnstructuredFormats {
			f = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(f)), ".")
			if f == "*" {
				opts.anyExt = true
			} else if f != "" {
				if opts.exts == nil {
					opts.exts = map[string]bool{}
				}
				opts.exts[f] = true
			}
		}
		if e.UnstructuredData && len(opts.exts) == 0 {
			opts.anyExt = true
		}
		for _, x := range e.ExcludePatterns {
			if p, err := manifest.Compile(x); err == nil {
				opts.patterns = append(opts.patterns, p)
			}
		}
		dataPath := e.DataPath
		if e.Depth > 0 {
			dataPath = manifest.Depth(dataPath, e.Depth)
		}
		p, err := manifest.Compile(dataPath)
		if err != nil {
			// Parse rejects these; a defaultManifest is checked by the
			// workflow parser. Keep the walk safe anyway.
			continue
		}
		if p.Wildcard() {
			r.push(task{kind: taskGlob, glob: &globEntry{pattern: p, opts: opts}})
			continue
		}
		n := r.newNode(p.String(), opts)
		n.partitioned.Store(e.IsPartitioned)
		r.push(task{kind: taskDiscover, prefix: n.prefix, node: n, collapse: true})
	}
}

// globList lists under a glob's literal base and sorts matching keys into
// containers, finalised once the listing ends.
func (r *bucketRun) globList(ctx context.Context, g *globEntry) {
	nodes := map[string]*node{}
	overflow := 0
	err := r.list(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(r.bucket), Prefix: aws.String(g.pattern.Base())},
		func(out *awss3.ListObjectsV2Output) {
			for _, o := range out.Contents {
				key := aws.ToString(o.Key)
				c, ok := g.pattern.Container(key)
				if !ok || c == key {
					continue
				}
				n := nodes[c]
				if n == nil {
					if len(nodes) >= maxGlobContainers {
						overflow++
						continue
					}
					n = r.newNode(c, g.opts)
					n.pending.Store(1)
					n.partitioned.Store(g.opts.e.IsPartitioned)
					nodes[c] = n
				}
				segs := strings.Split(strings.TrimPrefix(key, n.prefix), "/")
				dirs := segs[:len(segs)-1]
				if r.skipDirs(n, dirs) {
					continue
				}
				r.addFile(n, o, dirs)
			}
		})
	if err != nil {
		r.listFailed(ctx, g.pattern.Base(), err)
		for _, n := range nodes {
			n.failed.Store(true)
		}
	}
	if overflow > 0 {
		r.containersOK.Store(false)
		r.sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s matches more than %d containers; %d keys past them were left out", r.bucket, g.opts.label, maxGlobContainers, overflow)))
	}
	if len(nodes) == 0 && err == nil {
		r.sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s matches no object", r.bucket, g.opts.label)))
		return
	}
	paths := make([]string, 0, len(nodes))
	for p := range nodes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		r.release(ctx, nodes[p])
	}
}

// loadGlobalManifest reads storageMetadataConfigSource: a local file, a
// URL, or openmetadata_storage_manifest.json in an S3 folder.
func loadGlobalManifest(ctx context.Context, src ConfigSource, sess *awsconn.Session, service string, logger *slog.Logger) ([]byte, string, error) {
	switch {
	case src.ManifestFilePath != "":
		from := "file " + src.ManifestFilePath
		data, err := readConfined(src.fileRoot, src.ManifestFilePath)
		return data, from, err
	case src.ManifestHTTPPath != "":
		from := src.ManifestHTTPPath
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.ManifestHTTPPath, nil)
		if err != nil {
			return nil, from, err
		}
		client := &http.Client{Timeout: time.Minute, CheckRedirect: sameHostRedirects}
		resp, err := client.Do(req)
		if err != nil {
			return nil, from, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, from, fmt.Errorf("HTTP status %d", resp.StatusCode)
		}
		data, err := readLimited(resp.Body, from)
		return data, from, err
	case src.PrefixConfig != nil:
		key := manifest.GlobalFile
		if p := strings.Trim(src.PrefixConfig.ObjectPrefix, "/"); p != "" {
			key = p + "/" + key
		}
		bucket := src.PrefixConfig.ContainerName
		from := fmt.Sprintf("s3://%s/%s", bucket, key)
		if src.SecurityConfig != nil {
			var err error
			sess, err = awsconn.NewSession(ctx, src.SecurityConfig.Config, awsconn.Options{ServiceName: service, Logger: logger})
			if err != nil {
				return nil, from, err
			}
		}
		clients := newSessionClients(sess)
		region := sess.Region()
		if loc, err := clients.S3(region).GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String(bucket)}); err == nil {
			region = awsconn.BucketRegion(string(loc.LocationConstraint))
		}
		out, err := clients.S3(region).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, from, awsconn.Classify(err, "reading "+from)
		}
		defer out.Body.Close()
		data, err := readLimited(out.Body, from)
		return data, from, err
	}
	return nil, "", errors.New("storageMetadataConfigSource names no manifest")
}

// AWSRoleConfigs lists the AWS configs the source config carries besides
// the connection's (ingest.RoleConfigs): the manifest's securityConfig. The
// pointers are the config's own, so ingest's project binding rewrites them
// in place before the scan assumes any role with them.
func (c *SourceConfig) AWSRoleConfigs() map[string]*awsconn.Config {
	if s := c.StorageMetadataConfigSource; s != nil && s.SecurityConfig != nil {
		return map[string]*awsconn.Config{"storageMetadataConfigSource.securityConfig": &s.SecurityConfig.Config}
	}
	return nil
}

// SetFileRoot confines manifestFilePath to dir: ingest sets the operator's
// LAKEMAP_MANIFEST_DIR or the workflow file's directory, so a workflow
// cannot make lakemap read (and quote into scan warnings) any file its
// user can, such as the catalog's key file.
func (c *SourceConfig) SetFileRoot(dir string) {
	if c.StorageMetadataConfigSource != nil {
		c.StorageMetadataConfigSource.fileRoot = dir
	}
}

// readConfined reads path inside root; a relative path starts at root.
// os.Root refuses ".." and symbolic links that leave the directory.
func readConfined(root, path string) ([]byte, error) {
	if root == "" {
		return nil, errors.New("manifestFilePath is read only inside a configured directory and none is set: set LAKEMAP_MANIFEST_DIR")
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("manifest directory %s: %w", root, err)
	}
	rel := path
	if filepath.IsAbs(path) {
		if rel, err = filepath.Rel(absRoot, path); err != nil {
			rel = ".."
		}
	}
	rel = filepath.Clean(rel)
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, fmt.Errorf("manifestFilePath %s is outside %s: local manifests must be in the workflow file's directory or LAKEMAP_MANIFEST_DIR", path, absRoot)
	}
	dir, err := os.OpenRoot(absRoot)
	if err != nil {
		return nil, fmt.Errorf("manifest directory %s: %w", absRoot, err)
	}
	defer dir.Close()
	f, err := dir.Open(rel)
	if err != nil {
		// os.Root's errors name the path and the reason, never content.
		return nil, fmt.Errorf("manifestFilePath %s (in %s): %w", path, absRoot, err)
	}
	defer f.Close()
	return readLimited(f, path)
}

// sameHostRedirects follows a manifest URL's redirects only to the same
// scheme and host, at most 5: a redirect must not turn the manifest fetch
// into a request to another host (an internal service, a metadata
// endpoint) or downgrade https to http.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) >= 5:
		return errors.New("more than 5 redirects")
	case req.URL.Host != first.Host || req.URL.Scheme != first.Scheme:
		return fmt.Errorf("redirected to another host (%s://%s); manifestHttpPath must name the manifest's final URL", req.URL.Scheme, req.URL.Host)
	}
	return nil
}
