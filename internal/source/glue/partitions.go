package glue

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Partition paging.
const (
	// PartitionPageSize is GetPartitions' largest page.
	PartitionPageSize = 1000
	// DefaultSegmentAfterPages: a table still listing after this many
	// unsegmented pages (10,000 partitions) is big enough that reading it
	// in parallel segments pays for the pages read twice.
	DefaultSegmentAfterPages = 10
)

// Partition FQNs: <table>.<name>, where name is the Hive partition path
// (the S3 layout convention): key=value pairs in partition-key order, joined
// by "/", with Hive's escaping of the characters a path cannot hold, e.g.
// svc.sales.orders."dt=2024-01-01/region=eu" (quoted because of the dot-free
// rule only when a value holds a dot or a quote). One part, not one per key,
// so that a partition is one entity directly under its table.
func partitionName(keys []string, values []string) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte('/')
		}
		if i < len(keys) && keys[i] != "" {
			writeEscaped(&b, keys[i])
		} else {
			fmt.Fprintf(&b, "_col%d", i)
		}
		b.WriteByte('=')
		writeEscaped(&b, v)
	}
	return b.String()
}

// pathUnsafe lists the bytes Hive escapes besides control characters.
const pathUnsafe = "\"#%'*/:=?\\{[]^"

// escapePathPart is Hive's FileUtils.escapePathName: characters that would
// break a path are written %XX; null values are Hive's default partition.
func writeEscaped(b *strings.Builder, s string) {
	if s == "" {
		b.WriteString("__HIVE_DEFAULT_PARTITION__")
		return
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(pathUnsafe, c) >= 0 {
			fmt.Fprintf(b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
}

// partitionSummary is what the table entity says about its partitions.
type partitionSummary struct {
	count         int64
	newestName    string
	newestValues  []string
	newestCreated time.Time
}

func (p *partitionSummary) add(name string, part *types.Partition) {
	p.count++
	var created time.Time
	if part.CreationTime != nil {
		created = *part.CreationTime
	}
	// Newest by creation time; among equal times the greatest name, which
	// for date-keyed partitions is the latest date.
	if p.newestName == "" || created.After(p.newestCreated) || created.Equal(p.newestCreated) && name > p.newestName {
		p.newestName, p.newestValues, p.newestCreated = name, part.Values, created
	}
}

func (p *partitionSummary) merge(o partitionSummary) {
	count := p.count + o.count
	if o.newestName != "" {
		p.add(o.newestName, &types.Partition{Values: o.newestValues, CreationTime: aws.Time(o.newestCreated)})
	}
	p.count = count
}

func (p partitionSummary) apply(attrs map[string]any) {
	attrs["partitionCount"] = p.count
	if p.newestName == "" {
		return
	}
	attrs["newestPartition"] = p.newestName
	values := make([]any, len(p.newestValues))
	for i, v := range p.newestValues {
		values[i] = v
	}
	attrs["newestPartitionValues"] = values
	if !p.newestCreated.IsZero() {
		attrs["newestPartitionCreated"] = p.newestCreated.UTC().Format(time.RFC3339)
	}
}

// scanPartitions streams a table's partitions to the sink, page by page,
// holding no more than a page per reader: staged (Sink.EmitPart), they
// appear with the table's own write, all at once. It starts as one listing; a table
// still listing after SegmentAfterPages pages restarts as parallel
// segments (Glue's Segment option cannot be switched on mid-listing), and
// partitions already emitted are not emitted again. listed reports a
// complete listing; err is only for failures that must stop the scan.
func (r *run) scanPartitions(ctx context.Context, tableFQN string, t *types.Table) (sum partitionSummary, listed bool, err error) {
	s := r.s
	keys := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		keys[i] = aws.ToString(k.Name)
	}
	in := &glue.GetPartitionsInput{
		DatabaseName: t.DatabaseName, TableName: t.Name, CatalogId: r.tableCatalogID(t),
		// The table's schema is enough: partitions rarely differ, and
		// leaving columns out shrinks every page severalfold.
		ExcludeColumnSchema: aws.Bool(true),
		MaxResults:          aws.Int32(PartitionPageSize),
	}
	after := s.SegmentAfterPages
	if after <= 0 {
		after = DefaultSegmentAfterPages
	}
	segments := s.Config.PartitionSegments
	if segments <= 0 {
		segments = DefaultPartitionSegments
	}
	segments = min(segments, MaxPartitionSegments)

	seen := map[string]bool{}
	formats := &formatCache{}
	pages := glue.NewGetPartitionsPaginator(s.Client, in)
	for n := 0; pages.HasMorePages(); n++ {
		if n == after && segments > 1 {
			return r.scanSegments(ctx, tableFQN, t, in, keys, segments, seen, formats)
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return sum, false, r.partitionError(ctx, t, err)
		}
		if err := r.emitPartitions(ctx, tableFQN, keys, page.Partitions, &sum, seen, nil, formats); err != nil {
			return sum, false, err
		}
	}
	return sum, true, nil
}

func (r *run) scanSegments(ctx context.Context, tableFQN string, t *types.Table, base *glue.GetPartitionsInput, keys []string, segments int, emitted map[string]bool, formats *formatCache) (partitionSummary, bool, error) {
	var (
		mu     sync.Mutex
		total  partitionSummary
		listed = true
		fatal  error
		wg     sync.WaitGroup
	)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case r.segments <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-r.segments }()
			in := *base
			in.Segment = &types.Segment{SegmentNumber: int32(seg), TotalSegments: aws.Int32(int32(segments))}
			var sum partitionSummary
			pages := glue.NewGetPartitionsPaginator(r.s.Client, &in)
			ok := true
			var err error
			for pages.HasMorePages() {
				var page *glue.GetPartitionsOutput
				if page, err = pages.NextPage(ctx); err != nil {
					ok, err = false, r.partitionError(ctx, t, err)
					break
				}
				if err = r.emitPartitions(ctx, tableFQN, keys, page.Partitions, &sum, nil, emitted, formats); err != nil {
					ok = false
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			listed = listed && ok
			if err != nil && fatal == nil {
				fatal = err
			}
			total.merge(sum)
		}()
	}
	wg.Wait()
	if fatal == nil && ctx.Err() != nil {
		fatal = ctx.Err()
	}
	return total, listed && fatal == nil, fatal
}

// partitionChunk is how many partitions of a page become entities at a
// time. A worker whose EmitPart waits on a busy catalog holds what it
// built: with a whole page of partitions and a page of entities for each
// of 32 workers, a scan into SQLite held ~60 MB more than one into a store
// that never makes it wait.
const partitionChunk = 128

// emitPartitions emits one page, partitionChunk at a time, and consumes
// it: each chunk's partitions are cleared once they are entities, so the
// collector may have them while the worker waits. record collects the
// names emitted (the unsegmented phase); skip holds names emitted already
// (the segmented one), which are counted but not emitted twice.
func (r *run) emitPartitions(ctx context.Context, tableFQN string, keys []string, parts []types.Partition, sum *partitionSummary, record, skip map[string]bool, formats *formatCache) error {
	if len(parts) == 0 {
		return nil
	}
	entities := make([]catalog.Entity, 0, min(len(parts), partitionChunk))
	for len(parts) > 0 {
		chunk := parts[:min(len(parts), partitionChunk)]
		parts = parts[len(chunk):]
		entities = entities[:0]
		for i := range chunk {
			p := &chunk[i]
			name := partitionName(keys, p.Values)
			sum.add(name, p)
			if skip[name] {
				continue
			}
			if record != nil {
				record[name] = true
			}
			entities = append(entities, partitionEntity(r.s.ServiceName, tableFQN, name, p, formats))
		}
		clear(chunk)
		if len(entities) == 0 {
			continue
		}
		// EmitPart copies the entities: the slice is free again after it.
		err := r.sink.EmitPart(ctx, tableFQN, entities...)
		clear(entities)
		if err != nil {
			return err
		}
		r.sink.Progress(catalog.KindPartition, len(entities))
	}
	return nil
}

// partitionError turns a listing failure into a warning; the partitions
// already listed are written with the table, and none is deleted.
func (r *run) partitionError(ctx context.Context, t *types.Table, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	classified := awsconn.Classify(err, fmt.Sprintf("listing Glue partitions of table %s.%s", aws.ToString(t.DatabaseName), aws.ToString(t.Name)))
	// A table dropped since it was listed: the next scan deletes it.
	if !apperr.Is(classified, apperr.NotFound) {
		r.sink.Warn(ctx, classified)
	}
	return nil
}

// formatCache remembers the format of each storage layout of a table's
// partitions: they nearly always share one, and working it out for each of
// a million partitions would cost more than the rest of the entity.
type formatCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *formatCache) of(sd *types.StorageDescriptor) string {
	key := aws.ToString(sd.InputFormat)
	if sd.SerdeInfo != nil {
		key += "\x00" + aws.ToString(sd.SerdeInfo.SerializationLibrary)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.m[key]; ok {
		return f
	}
	if c.m == nil {
		c.m = map[string]string{}
	}
	f := storageFormat(nil, sd)
	c.m[key] = f
	return f
}

func partitionEntity(service, tableFQN, name string, p *types.Partition, formats *formatCache) catalog.Entity {
	values := make([]any, len(p.Values))
	for i, v := range p.Values {
		values[i] = v
	}
	attrs := make(map[string]any, 6)
	attrs["values"] = values
	if sd := p.StorageDescriptor; sd != nil {
		setString(attrs, "location", aws.ToString(sd.Location))
		setString(attrs, "format", formats.of(sd))
	}
	setMap(attrs, "parameters", p.Parameters)
	if p.LastAccessTime != nil && !p.LastAccessTime.IsZero() {
		attrs["lastAccessTime"] = p.LastAccessTime.UTC().Format(time.RFC3339)
	}
	if p.LastAnalyzedTime != nil && !p.LastAnalyzedTime.IsZero() {
		attrs["lastAnalyzedTime"] = p.LastAnalyzedTime.UTC().Format(time.RFC3339)
	}
	return catalog.Entity{
		FQN: catalog.Child(tableFQN, name), Kind: catalog.KindPartition, Service: service, ParentFQN: tableFQN,
		Name: name, Attrs: attrs, SourceCreated: timePtr(p.CreationTime),
	}
}
