package cloudwatch

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// S3StorageTypes are the StorageType dimension values of AWS/S3
// BucketSizeBytes, as AWS documents them. They are all asked in one
// GetMetricData call; the ones a bucket does not use come back empty.
var S3StorageTypes = []string{
	"StandardStorage", "IntelligentTieringFAStorage", "IntelligentTieringIAStorage", "IntelligentTieringAAStorage",
	"IntelligentTieringAIAStorage", "IntelligentTieringDAAStorage", "StandardIAStorage", "StandardIASizeOverhead",
	"StandardIAObjectOverhead", "OneZoneIAStorage", "OneZoneIASizeOverhead", "ReducedRedundancyStorage",
	"GlacierInstantRetrievalSizeOverhead", "GlacierInstantRetrievalStorage", "GlacierStorage", "GlacierStagingStorage",
	"GlacierObjectOverhead", "GlacierS3ObjectOverhead", "DeepArchiveStorage", "DeepArchiveObjectOverhead",
	"DeepArchiveS3ObjectOverhead", "DeepArchiveStagingStorage", "ExpressOneZone",
}

// S3Window is how far back the daily storage metrics are read: two weeks
// of daily values for the bucket's chart, from which the newest is the
// bucket's size (S3 publishes once a day, sometimes a day or two late).
const S3Window = 14 * 24 * time.Hour

// BucketMetrics are a bucket's newest storage metrics. A metric CloudWatch
// has no datapoint for is absent, never zero: unknown is not empty.
type BucketMetrics struct {
	// SizeBytes by storage type, only the types with a datapoint.
	SizeBytes map[string]int64
	// Objects is NumberOfObjects (all storage types), nil when unknown.
	Objects *int64
	// At is the time of the newest datapoint used.
	At time.Time
	// Daily are CloudWatch's daily values over S3Window, oldest first: the
	// size summed over the storage types reported that day.
	Daily []DailyMetric
}

// DailyMetric is one day's storage metrics; nil where CloudWatch has no
// datapoint that day.
type DailyMetric struct {
	Day       time.Time
	SizeBytes *int64
	Objects   *int64
}

// TotalBytes sums the storage types; false when none had a datapoint.
func (m BucketMetrics) TotalBytes() (int64, bool) {
	if len(m.SizeBytes) == 0 {
		return 0, false
	}
	var total int64
	for _, v := range m.SizeBytes {
		total += v
	}
	return total, true
}

// Known reports whether any metric was found.
func (m BucketMetrics) Known() bool { return len(m.SizeBytes) > 0 || m.Objects != nil }

// ReadS3 reads bucket's storage metrics with one GetMetricData call (more
// only if CloudWatch pages the answer). api must be a client of the
// bucket's region: S3 publishes a bucket's metrics there only. Errors are
// the SDK's.
func ReadS3(ctx context.Context, api API, bucket string, now time.Time) (BucketMetrics, error) {
	dims := func(storageType string) []types.Dimension {
		return []types.Dimension{
			{Name: aws.String("BucketName"), Value: aws.String(bucket)},
			{Name: aws.String("StorageType"), Value: aws.String(storageType)},
		}
	}
	query := func(id, metric, storageType string) types.MetricDataQuery {
		return types.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("AWS/S3"), MetricName: aws.String(metric), Dimensions: dims(storageType)},
				Period: aws.Int32(86400),
				Stat:   aws.String("Average"),
			},
			ReturnData: aws.Bool(true),
		}
	}
	queries := make([]types.MetricDataQuery, 0, len(S3StorageTypes)+1)
	for i, st := range S3StorageTypes {
		queries = append(queries, query("s"+strconv.Itoa(i), "BucketSizeBytes", st))
	}
	queries = append(queries, query("objects", "NumberOfObjects", "AllStorageTypes"))

	in := &cloudwatch.GetMetricDataInput{
		StartTime:         aws.Time(now.Add(-S3Window)),
		EndTime:           aws.Time(now),
		MetricDataQueries: queries,
		ScanBy:            types.ScanByTimestampDescending,
	}
	var out BucketMetrics
	newest := map[string]time.Time{}
	days := map[time.Time]*DailyMetric{}
	daily := func(at time.Time, id string, n int64) {
		day := at.UTC().Truncate(24 * time.Hour)
		d := days[day]
		if d == nil {
			d = &DailyMetric{Day: day}
			days[day] = d
		}
		field := &d.SizeBytes
		if id == "objects" {
			field = &d.Objects
		}
		if *field == nil {
			*field = new(int64)
		}
		**field += n
	}
	take := func(r types.MetricDataResult) {
		id := aws.ToString(r.Id)
		for i, v := range r.Values {
			if i >= len(r.Timestamps) || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				continue
			}
			at := r.Timestamps[i]
			daily(at, id, int64(math.Round(v)))
			if !at.After(newest[id]) {
				continue
			}
			newest[id] = at
			n := int64(math.Round(v))
			if id == "objects" {
				out.Objects = &n
			} else if idx, err := strconv.Atoi(id[1:]); err == nil && idx < len(S3StorageTypes) {
				if out.SizeBytes == nil {
					out.SizeBytes = map[string]int64{}
				}
				out.SizeBytes[S3StorageTypes[idx]] = n
			}
			if at.After(out.At) {
				out.At = at
			}
		}
	}
	pages := cloudwatch.NewGetMetricDataPaginator(api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			// Unwrapped: the caller classifies it (awsconn.Classify) and
			// names the bucket.
			return BucketMetrics{}, err
		}
		for _, r := range page.MetricDataResults {
			take(r)
		}
	}
	for _, d := range days {
		out.Daily = append(out.Daily, *d)
	}
	slices.SortFunc(out.Daily, func(a, b DailyMetric) int { return a.Day.Compare(b.Day) })
	return out, nil
}
