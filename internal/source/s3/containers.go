package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/s3/discover"
	"github.com/lakemap/lakemap/internal/source/s3/schema"
)

// containerName is the FQN part of a container path; files at the bucket
// root form the container "/".
func containerName(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

type partitionColumn struct {
	name, typ, description string
}

// finalize turns a listed node into a container entity, reads its schema
// from sampled files, and emits both.
func (r *bucketRun) finalize(ctx context.Context, n *node) {
	if ctx.Err() != nil {
		return
	}
	sum := n.ds.Summary()
	if sum.Files == 0 {
		if n.opts != nil && !n.failed.Load() {
			r.sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s matches no object", r.bucket, n.opts.label)))
		}
		return
	}
	name := containerName(n.path)
	if n.path != "" && !r.sc.s.pathFilter.Allows(n.path) {
		return
	}
	if !r.claim(name) {
		r.containersOK.Store(false)
		label := "a discovered directory"
		if n.opts != nil {
			label = n.opts.label
		}
		r.sc.sink.Warn(ctx, source.Notice(fmt.Errorf("bucket %q: %s gives container %q, which another entry already gave; skipped", r.bucket, label, name)))
		return
	}
	fqn := catalog.Child(r.fqn, name)
	attrs := map[string]any{"path": n.prefix, "fileCount": sum.Files, "sizeBytes": sum.Bytes}
	format := sum.Format
	if n.opts != nil && n.opts.e.StructureFormat != "" {
		format = strings.ToLower(n.opts.e.StructureFormat)
	}
	setString(attrs, "format", format)
	setString(attrs, "compression", sum.Compression)
	setString(attrs, "tableFormat", n.tableFormat())
	if sum.Formats != nil {
		m := make(map[string]any, len(sum.Formats))
		for k, v := range sum.Formats {
			m[k] = v
		}
		attrs["formats"] = m
	}
	if !sum.Newest.IsZero() {
		attrs["newestObject"] = sum.Newest.UTC().Format(time.RFC3339)
	}
	attrs["storageClasses"] = toAnyList(sum.Classes)
	if sum.Empty > 0 {
		attrs["emptyFiles"] = sum.Empty
	}
	if sum.Archived > 0 {
		attrs["archivedFiles"] = sum.Archived
	}
	if n.failed.Load() {
		attrs["partial"] = true
	}
	if n.opts != nil {
		attrs["source"] = "manifest"
		attrs["manifest"] = n.opts.from
		setString(attrs, "separator", n.opts.e.Separator)
		if n.opts.unstructured() {
			attrs["unstructured"] = true
		}
	} else {
		attrs["source"] = "discovery"
	}
	parts := r.partitions(n, sum)
	if len(parts) > 0 {
		list := make([]any, len(parts))
		for i, p := range parts {
			m := map[string]any{"name": p.name, "dataType": p.typ}
			setString(m, "description", p.description)
			list[i] = m
		}
		attrs["partitionColumns"] = list
		attrs["isPartitioned"] = true
	}

	var cols []schema.Column
	schemaRead := false
	if n.opts.unstructured() || r.sc.s.Config.SampleFiles == 0 {
		// Nothing to read.
	} else if f := schema.Format(format); !schema.Supported(f) {
		if (discover.FileKind{Format: format}).Structured() {
			attrs["schemaError"] = fmt.Sprintf("lakemap does not read %s schemas", format)
		}
	} else {
		cols, schemaRead = r.readSchema(ctx, n, sum, f, attrs)
	}
	var sourceUpdated *time.Time
	if !sum.Newest.IsZero() {
		t := sum.Newest.UTC()
		sourceUpdated = &t
	}
	ents := []catalog.Entity{{
		FQN: fqn, Kind: catalog.KindContainer, Service: r.sc.s.ServiceName, ParentFQN: r.fqn,
		Name: name, Attrs: attrs, SourceUpdated: sourceUpdated,
	}}
	ents = appendColumns(ents, r.sc.s.ServiceName, fqn, cols, parts)
	// The container, its columns and the deletion of columns gone from it
	// are one write. Without a schema read the columns catalogued before
	// stay: this scan learnt nothing that says they are gone.
	var done []catalog.Listing
	if schemaRead {
		done = columnListings(fqn, cols)
	}
	if err := r.sc.sink.EmitComplete(ctx, ents, done...); err != nil {
		r.fail(err)
		return
	}
	r.containers.Add(1)
	r.sc.sink.Progress(catalog.KindContainer, 1)
}

// partitions are the container's partition columns: the manifest's when it
// lists them, else the detected key=value levels, and bare-value levels
// when the data is known to be partitioned.
func (r *bucketRun) partitions(n *node, sum discover.Summary) []partitionColumn {
	var out []partitionColumn
	if n.opts != nil && len(n.opts.e.PartitionColumns) > 0 {
		for _, c := range n.opts.e.PartitionColumns {
			out = append(out, partitionColumn{name: c.Name, typ: strings.ToLower(c.DataType), description: c.Description})
		}
		return out
	}
	auto := n.opts == nil || n.opts.e.AutoPartitions()
	bare := n.partitioned.Load() || n.opts != nil && n.opts.e.IsPartitioned
	for _, l := range sum.Levels {
		if l.Hive && !auto || !l.Hive && !bare {
			break
		}
		out = append(out, partitionColumn{name: l.Name, typ: l.Type})
	}
	return out
}

// readSchema reads the newest samples' schemas; the newest readable one
// is the container's, and the others are compared with it. ok says the
// schema was read, so columns not in it may be marked deleted.
func (r *bucketRun) readSchema(ctx context.Context, n *node, sum discover.Summary, f schema.Format, attrs map[string]any) ([]schema.Column, bool) {
	want := r.sc.s.Config.SampleFiles
	var ref []schema.Column
	var sampled, drift []any
	var firstErr error
	for _, obj := range sum.Samples {
		if len(sampled) >= want || ctx.Err() != nil {
			break
		}
		opt := schema.Options{MaxBytes: int64(r.sc.s.Config.SampleBytes), Compression: discover.Classify(obj.Key).Compression}
		if n.opts != nil {
			opt.Separator = n.opts.e.Separator
		}
		rr := &rangeReader{api: r.api, bucket: r.bucket, key: obj.Key}
		cols, err := schema.Infer(ctx, rr, obj.Size, f, opt)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false
			}
			if firstErr == nil {
				firstErr = err
			}
			r.sampleFailed(ctx, obj.Key, err)
			continue
		}
		sampled = append(sampled, obj.Key)
		if ref == nil {
			ref = cols
			continue
		}
		if d := schema.Compare(obj.Key, ref, cols); !d.Empty() {
			m := map[string]any{"key": d.Key}
			if len(d.Added) > 0 {
				m["added"] = toAnyList(d.Added)
			}
			if len(d.Missing) > 0 {
				m["missing"] = toAnyList(d.Missing)
			}
			if len(d.Changed) > 0 {
				m["changed"] = toAnyList(d.Changed)
			}
			drift = append(drift, m)
		}
	}
	if len(sampled) > 0 {
		attrs["sampledFiles"] = sampled
	}
	if len(drift) > 0 {
		attrs["schemaDrift"] = drift
	}
	if ref == nil {
		switch {
		case firstErr != nil:
			attrs["schemaError"] = firstErr.Error()
		case sum.Empty+sum.Archived == sum.Files:
			attrs["schemaError"] = fmt.Sprintf("no readable file: %d empty, %d in Glacier storage classes", sum.Empty, sum.Archived)
		default:
			attrs["schemaError"] = "no readable file"
		}
		return nil, false
	}
	return ref, true
}

// sampleFailed reports a sample that could not be read. Access denied is
// gathered per scan; an archived object is skipped quietly.
func (r *bucketRun) sampleFailed(ctx context.Context, key string, err error) {
	var se awsSampleError
	if !errors.As(err, &se) {
		r.sc.sink.Warn(ctx, source.Notice(fmt.Errorf("reading the schema of s3://%s/%s: %w", r.bucket, key, err)))
		return
	}
	switch {
	case awsconn.ErrorCode(se.err) == "InvalidObjectState":
	case isDenied(se.err):
		r.sc.denials.add("s3:GetObject (sample files for schemas)", r.bucket, se.err)
	default:
		r.sc.sink.Warn(ctx, source.Notice(awsconn.Classify(se.err, fmt.Sprintf("reading s3://%s/%s for its schema", r.bucket, key))))
	}
}

// awsSampleError marks a sample read that failed in S3 rather than in
// parsing.
type awsSampleError struct{ err error }

func (e awsSampleError) Error() string { return e.err.Error() }
func (e awsSampleError) Unwrap() error { return e.err }

// rangeReader reads byte ranges of one object with GetObject.
type rangeReader struct {
	api         API
	bucket, key string
}

func (rr *rangeReader) ReadRange(ctx context.Context, off, n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	out, err := rr.api.GetObject(ctx, &awss3.GetObjectInput{
		Bucket: aws.String(rr.bucket), Key: aws.String(rr.key),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1)),
	})
	if err != nil {
		return nil, awsSampleError{err}
	}
	defer out.Body.Close()
	// A server ignoring Range would send the whole object: read one byte
	// past what was asked to notice, never more.
	data, err := io.ReadAll(io.LimitReader(out.Body, n+1))
	if err != nil {
		return nil, fmt.Errorf("reading bytes %d-%d: %w", off, off+n-1, err)
	}
	if int64(len(data)) > n {
		return nil, fmt.Errorf("S3 sent more than the %d bytes asked: range requests ignored", n)
	}
	return data, nil
}

// appendColumns adds the data columns (nested fields as children) and the
// partition columns after them, as Glue orders them.
func appendColumns(out []catalog.Entity, service, parent string, cols []schema.Column, parts []partitionColumn) []catalog.Entity {
	ordinal := 0
	seen := map[string]bool{}
	var add func(parent string, c schema.Column, ordinal int, depth int)
	add = func(parent string, c schema.Column, ordinal int, depth int) {
		fqn := catalog.Child(parent, c.Name)
		out = append(out, catalog.Entity{
			FQN: fqn, Kind: catalog.KindColumn, Service: service, ParentFQN: parent, Name: c.Name,
			Attrs: map[string]any{"dataType": c.Type, "ordinal": int64(ordinal)},
		})
		if depth+1 >= schema.MaxDepth {
			return
		}
		for i, k := range c.Children {
			add(fqn, k, i, depth+1)
		}
	}
	for _, c := range cols {
		seen[strings.ToLower(c.Name)] = true
		add(parent, c, ordinal, 0)
		ordinal++
	}
	for _, p := range parts {
		if seen[strings.ToLower(p.name)] {
			// Spark sometimes writes the partition column into the files
			// too: one column, marked as the partition key.
			for i := range out {
				if out[i].ParentFQN == parent && strings.EqualFold(out[i].Name, p.name) {
					out[i].Attrs["isPartitionKey"] = true
				}
			}
			continue
		}
		out = append(out, catalog.Entity{
			FQN: catalog.Child(parent, p.name), Kind: catalog.KindColumn, Service: service, ParentFQN: parent,
			Name: p.name, Description: p.description,
			Attrs: map[string]any{"dataType": p.typ, "ordinal": int64(ordinal), "isPartitionKey": true},
		})
		ordinal++
	}
	return out
}

// columnListings are the column lists of a container, each whole: completed
// with its entities, columns gone from the data (or from a struct) are
// marked deleted.
func columnListings(parent string, cols []schema.Column) []catalog.Listing {
	var out []catalog.Listing
	var walk func(parent string, cols []schema.Column, depth int)
	walk = func(parent string, cols []schema.Column, depth int) {
		out = append(out, catalog.Listing{ParentFQN: parent, Kinds: []catalog.Kind{catalog.KindColumn}})
		if depth+1 >= schema.MaxDepth {
			return
		}
		for _, c := range cols {
			if len(c.Children) > 0 {
				walk(catalog.Child(parent, c.Name), c.Children, depth+1)
			}
		}
	}
	walk(parent, cols, 0)
	return out
}

func setString(attrs map[string]any, k, v string) {
	if v != "" {
		attrs[k] = v
	}
}

func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
