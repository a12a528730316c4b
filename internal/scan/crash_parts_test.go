package scan_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	gluesrc "github.com/lakemap/lakemap/internal/source/glue"
	s3src "github.com/lakemap/lakemap/internal/source/s3"
)

// The real Glue and S3 scanners, on in-process AWS fakes, with pages far
// smaller than a unit: a table of crashPartitions partitions, a prefix of
// crashObjects objects, listed crashPage at a time with a pause per page
// (a step the parent may kill after), so that kills land mid-listing.
const (
	crashPartitions = 2000
	crashObjects    = 2000
	crashPage       = 100
	crashPagePause  = 2 * time.Millisecond
)

// TestKillMidPartitionListingLeavesTablesWhole: a table's partitions, listed
// page by page (then in parallel segments) and written while listed, appear
// all at once with the table: after a kill each table holds its partitions
// of one scan, the one it was dropped by deleted only beside the new ones.
func TestKillMidPartitionListingLeavesTablesWhole(t *testing.T) {
	killScans(t, "glue", 20)
}

// TestKillMidObjectListingLeavesBucketsWhole: a bucket's objects, listed a
// page at a time under a big prefix, appear all at once with the bucket.
func TestKillMidObjectListingLeavesBucketsWhole(t *testing.T) {
	killScans(t, "s3", 20)
}

// crashGlueTables are the Glue estate's tables and their partition counts
// (besides the one named after the version); -1: not partitioned.
var crashGlueTables = []struct {
	name       string
	partitions int
}{{"big", crashPartitions}, {"small1", 7}, {"flat", -1}, {"small2", 3}}

func scanGluePartitions(ctx context.Context, st catalog.Store, version int) error {
	cfg := gluesrc.DefaultSourceConfig()
	cfg.IncludeColumnStatistics, cfg.IncludeFunctions, cfg.IncludeAthena = false, false, false
	s, err := gluesrc.NewScanner(crashGlue{version: "v" + strconv.Itoa(version)}, "svc", *cfg, nil)
	if err != nil {
		return err
	}
	// Segmented after 5 pages: the rest of the big table is read by
	// parallel segments, staged from as many goroutines.
	s.SegmentAfterPages = 5
	_, err = (&scan.Runner{Store: st, BatchSize: crashBatch}).Run(ctx, "svc", "glue", s)
	return err
}

// crashGlue serves one version of the estate.
type crashGlue struct{ version string }

var errNotServed = errors.New("not served by the crash test's fake")

func (g crashGlue) GetDatabases(context.Context, *glue.GetDatabasesInput, ...func(*glue.Options)) (*glue.GetDatabasesOutput, error) {
	return &glue.GetDatabasesOutput{DatabaseList: []gluetypes.Database{{Name: aws.String("db")}}}, nil
}

func (g crashGlue) GetTables(_ context.Context, in *glue.GetTablesInput, _ ...func(*glue.Options)) (*glue.GetTablesOutput, error) {
	out := &glue.GetTablesOutput{}
	for _, tb := range crashGlueTables {
		t := gluetypes.Table{Name: aws.String(tb.name), DatabaseName: in.DatabaseName, Description: aws.String(g.version), TableType: aws.String("EXTERNAL_TABLE"),
			StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/" + tb.name + "/"),
				Columns: []gluetypes.Column{{Name: aws.String("id"), Type: aws.String("bigint")}}}}
		if tb.partitions >= 0 {
			t.PartitionKeys = []gluetypes.Column{{Name: aws.String("dt"), Type: aws.String("string")}}
		}
		out.TableList = append(out.TableList, t)
	}
	return out, nil
}

// partitionValues are a table's partitions in this version: the same ones
// in every version, and one of the version's own.
func (g crashGlue) partitionValues(table string) []string {
	for _, tb := range crashGlueTables {
		if tb.name == table {
			out := make([]string, 0, tb.partitions+1)
			for i := range tb.partitions {
				out = append(out, fmt.Sprintf("d%04d", i))
			}
			return append(out, "x_"+g.version)
		}
	}
	return nil
}

func (g crashGlue) GetPartitions(_ context.Context, in *glue.GetPartitionsInput, _ ...func(*glue.Options)) (*glue.GetPartitionsOutput, error) {
	values := g.partitionValues(aws.ToString(in.TableName))
	if seg := in.Segment; seg != nil {
		var mine []string
		for i, v := range values {
			if i%int(aws.ToInt32(seg.TotalSegments)) == int(seg.SegmentNumber) {
				mine = append(mine, v)
			}
		}
		values = mine
	}
	from, _ := strconv.Atoi(aws.ToString(in.NextToken))
	to := min(from+crashPage, len(values))
	out := &glue.GetPartitionsOutput{}
	for _, v := range values[from:to] {
		out.Partitions = append(out.Partitions, gluetypes.Partition{Values: []string{v}, Parameters: map[string]string{"scan": g.version},
			StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/" + aws.ToString(in.TableName) + "/dt=" + v + "/")}})
	}
	if to < len(values) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	if aws.ToString(in.TableName) == "big" {
		time.Sleep(crashPagePause)
		crashStep()
	}
	return out, nil
}

func (crashGlue) GetColumnStatisticsForTable(context.Context, *glue.GetColumnStatisticsForTableInput, ...func(*glue.Options)) (*glue.GetColumnStatisticsForTableOutput, error) {
	return nil, errNotServed
}

func (crashGlue) GetUserDefinedFunctions(context.Context, *glue.GetUserDefinedFunctionsInput, ...func(*glue.Options)) (*glue.GetUserDefinedFunctionsOutput, error) {
	return nil, errNotServed
}

// gluePartitionVersions reads each table's version, failing the test when
// its live partitions are not exactly those of that version, all written
// by the same scan.
func gluePartitionVersions(t *testing.T, ctx context.Context, st catalog.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range crashGlueTables {
		fqn := "svc.db." + tb.name
		table, err := st.Get(ctx, fqn)
		if err != nil || table.Deleted {
			t.Fatalf("%s: %v (deleted %v)", fqn, err, table.Deleted)
		}
		v := table.Description
		out[fqn] = v
		if tb.partitions < 0 {
			continue
		}
		var want, got []string
		for _, value := range (crashGlue{version: v}).partitionValues(tb.name) {
			want = append(want, "dt="+value)
		}
		mixed := 0
		for _, p := range listAll(t, ctx, st, fqn, catalog.KindPartition) {
			got = append(got, p.Name)
			if params, _ := p.Attrs["parameters"].(map[string]any); params["scan"] != v {
				mixed++
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s is %s with %d live partitions, want the %d of %s (first live %q, last %q)", fqn, v, len(got), len(want), v, first(got), last(got))
		}
		if mixed > 0 {
			t.Errorf("%s is %s but %d of its %d partitions are not: a mix of two scans", fqn, v, mixed, len(got))
		}
		if n, _ := table.Attrs["partitionCount"].(float64); int(n) != len(want) {
			t.Errorf("%s counts %v partitions, want %d", fqn, table.Attrs["partitionCount"], len(want))
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// The S3 estate: one bucket whose tags carry the version, with a big prefix
// and a small one; every object's ETag is the version, and each version
// has an object of its own in the big prefix.

func scanS3Objects(ctx context.Context, st catalog.Store, version int) error {
	cfg := s3src.DefaultSourceConfig()
	cfg.IncludeObjects, cfg.IncludeMetrics, cfg.SampleFiles = true, false, 0
	s, err := s3src.NewScanner(s3src.StaticClients{S3API: crashS3{version: version}}, "svc", *cfg, nil)
	if err != nil {
		return err
	}
	_, err = (&scan.Runner{Store: st, BatchSize: crashBatch}).Run(ctx, "svc", s3src.Type, s)
	return err
}

// crashS3 serves one version of the bucket.
type crashS3 struct{ version int }

var crashT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func (b crashS3) keys() []string {
	var out []string
	for i := range crashObjects {
		out = append(out, fmt.Sprintf("events/part-%04d.parquet", i))
	}
	out = append(out, fmt.Sprintf("events/x_v%d.parquet", b.version))
	for i := range 10 {
		out = append(out, fmt.Sprintf("small/part-%02d.parquet", i))
	}
	slices.Sort(out)
	return out
}

func (b crashS3) ListBuckets(context.Context, *awss3.ListBucketsInput, ...func(*awss3.Options)) (*awss3.ListBucketsOutput, error) {
	return &awss3.ListBucketsOutput{Buckets: []s3types.Bucket{{Name: aws.String("lake"), CreationDate: aws.Time(crashT0)}}}, nil
}

func (b crashS3) GetBucketLocation(context.Context, *awss3.GetBucketLocationInput, ...func(*awss3.Options)) (*awss3.GetBucketLocationOutput, error) {
	return &awss3.GetBucketLocationOutput{}, nil
}

func (b crashS3) GetBucketVersioning(context.Context, *awss3.GetBucketVersioningInput, ...func(*awss3.Options)) (*awss3.GetBucketVersioningOutput, error) {
	return &awss3.GetBucketVersioningOutput{}, nil
}

func (b crashS3) GetBucketTagging(context.Context, *awss3.GetBucketTaggingInput, ...func(*awss3.Options)) (*awss3.GetBucketTaggingOutput, error) {
	return &awss3.GetBucketTaggingOutput{TagSet: []s3types.Tag{{Key: aws.String("scan"), Value: aws.String("v" + strconv.Itoa(b.version))}}}, nil
}

func (b crashS3) GetBucketPolicy(context.Context, *awss3.GetBucketPolicyInput, ...func(*awss3.Options)) (*awss3.GetBucketPolicyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "NoSuchBucketPolicy"}
}

func (b crashS3) GetObject(context.Context, *awss3.GetObjectInput, ...func(*awss3.Options)) (*awss3.GetObjectOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "NoSuchKey"} // no manifest; samples are off
}

// ListObjectsV2 pages keys and common prefixes in key order, crashPage at a
// time.
func (b crashS3) ListObjectsV2(_ context.Context, in *awss3.ListObjectsV2Input, _ ...func(*awss3.Options)) (*awss3.ListObjectsV2Output, error) {
	prefix, delim := aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	type entry struct {
		key    string
		prefix bool
	}
	var entries []entry
	for _, k := range b.keys() {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			p := prefix + rest[:i+len(delim)]
			if len(entries) == 0 || entries[len(entries)-1].key != p {
				entries = append(entries, entry{p, true})
			}
			continue
		}
		entries = append(entries, entry{k, false})
	}
	from, _ := strconv.Atoi(aws.ToString(in.ContinuationToken))
	to := min(from+crashPage, len(entries))
	out := &awss3.ListObjectsV2Output{}
	for _, e := range entries[from:to] {
		if e.prefix {
			out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(e.key)})
			continue
		}
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(e.key), Size: aws.Int64(1000 + int64(b.version)),
			ETag: aws.String(fmt.Sprintf(`"v%d"`, b.version)), LastModified: aws.Time(crashT0.Add(time.Duration(b.version) * time.Minute)),
			StorageClass: s3types.ObjectStorageClassStandard})
	}
	if to < len(entries) {
		out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(strconv.Itoa(to))
	}
	if strings.HasPrefix(prefix, "events/") {
		time.Sleep(crashPagePause)
		crashStep()
	}
	return out, nil
}

func (crashS3) ListObjectVersions(context.Context, *awss3.ListObjectVersionsInput, ...func(*awss3.Options)) (*awss3.ListObjectVersionsOutput, error) {
	return nil, errNotServed
}

func (crashS3) HeadObject(context.Context, *awss3.HeadObjectInput, ...func(*awss3.Options)) (*awss3.HeadObjectOutput, error) {
	return nil, errNotServed
}

func (crashS3) GetObjectTagging(context.Context, *awss3.GetObjectTaggingInput, ...func(*awss3.Options)) (*awss3.GetObjectTaggingOutput, error) {
	return nil, errNotServed
}

// s3ObjectVersions reads the bucket's version, failing the test when its
// live objects are not exactly those of that version, all seen by the
// same scan.
func s3ObjectVersions(t *testing.T, ctx context.Context, st catalog.Store) map[string]string {
	t.Helper()
	bucket, err := st.Get(ctx, "svc.lake")
	if err != nil || bucket.Deleted {
		t.Fatalf("bucket: %v (deleted %v)", err, bucket.Deleted)
	}
	tags, _ := bucket.Attrs["tags"].(map[string]any)
	v, _ := tags["scan"].(string)
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "v"))
	want := crashS3{version: n}.keys()
	var got []string
	mixed := 0
	for _, o := range listAll(t, ctx, st, "svc.lake", catalog.KindObject) {
		got = append(got, o.Name)
		if o.Attrs["etag"] != v {
			mixed++
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the bucket is %s with %d live objects, want the %d of %s (first live %q, last %q)", v, len(got), len(want), v, first(got), last(got))
	}
	if mixed > 0 {
		t.Errorf("the bucket is %s but %d of its %d objects are not: a mix of two scans", v, mixed, len(got))
	}
	for _, c := range []string{"svc.lake.events", "svc.lake.small"} {
		if e, err := st.Get(ctx, c); err != nil || e.Deleted {
			t.Errorf("container %s: %v (deleted %v)", c, err, e.Deleted)
		}
	}
	return map[string]string{"svc.lake": v}
}
