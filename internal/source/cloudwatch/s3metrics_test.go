package cloudwatch

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

// PutS3Metrics writes storage metrics as S3 would, for tests.
func putS3Metrics(t *testing.T, c *cloudwatch.Client, bucket string, at time.Time, sizes map[string]float64, objects float64) {
	t.Helper()
	var data []types.MetricDatum
	for st, v := range sizes {
		data = append(data, types.MetricDatum{MetricName: aws.String("BucketSizeBytes"), Timestamp: aws.Time(at), Value: aws.Float64(v), Unit: types.StandardUnitBytes,
			Dimensions: []types.Dimension{{Name: aws.String("BucketName"), Value: aws.String(bucket)}, {Name: aws.String("StorageType"), Value: aws.String(st)}}})
	}
	if objects >= 0 {
		data = append(data, types.MetricDatum{MetricName: aws.String("NumberOfObjects"), Timestamp: aws.Time(at), Value: aws.Float64(objects), Unit: types.StandardUnitCount,
			Dimensions: []types.Dimension{{Name: aws.String("BucketName"), Value: aws.String(bucket)}, {Name: aws.String("StorageType"), Value: aws.String("AllStorageTypes")}}})
	}
	if _, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/S3"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
}

// TestReadS3AgainstMoto runs the real SDK client, over awsQuery, against
// moto: metrics put in two regions are read back from their own region,
// and a bucket without metrics reads as unknown, not zero.
func TestReadS3AgainstMoto(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	ctx := context.Background()
	now := time.Now().UTC()
	client := func(region string) *cloudwatch.Client {
		cfg := srv.AWSConfig(t, "", "")
		cfg.Region = region
		return awsconn.NewCloudWatchClient(cfg)
	}
	putS3Metrics(t, client("us-east-1"), "cw-east", now.Add(-30*time.Hour), map[string]float64{"StandardStorage": 1000, "GlacierStorage": 5}, 12)
	putS3Metrics(t, client("us-east-1"), "cw-east", now.Add(-6*time.Hour), map[string]float64{"StandardStorage": 2000}, 14)
	putS3Metrics(t, client("eu-west-1"), "cw-west", now.Add(-6*time.Hour), map[string]float64{"StandardIAStorage": 77}, -1)

	for _, tc := range []struct {
		region, bucket string
		want           string
	}{
		{"us-east-1", "cw-east", "total 2005 objects 14 map[GlacierStorage:5 StandardStorage:2000]"},
		{"eu-west-1", "cw-west", "total 77 objects <nil> map[StandardIAStorage:77]"},
		// Another region's client sees nothing: metrics live in the bucket's region.
		{"us-east-1", "cw-west", "unknown"},
		{"us-east-1", "cw-none", "unknown"},
	} {
		t.Run(tc.region+"/"+tc.bucket, func(t *testing.T) {
			m, err := ReadS3(ctx, client(tc.region), tc.bucket, now)
			if err != nil {
				t.Fatal(err)
			}
			got := "unknown"
			if m.Known() {
				total, _ := m.TotalBytes()
				var objects any = nil
				if m.Objects != nil {
					objects = *m.Objects
				}
				got = fmt.Sprintf("total %d objects %v %v", total, objects, m.SizeBytes)
			}
			if got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

type fakeAPI struct {
	pages []*cloudwatch.GetMetricDataOutput
	calls int
	err   error
}

func (f *fakeAPI) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.calls++
	return f.pages[f.calls-1], nil
}

func (f *fakeAPI) ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return &cloudwatch.ListMetricsOutput{}, nil
}

func TestReadS3PagesAndBadValues(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeAPI{pages: []*cloudwatch.GetMetricDataOutput{
		{NextToken: aws.String("p2"), MetricDataResults: []types.MetricDataResult{
			{Id: aws.String("s0"), Values: []float64{10, 9}, Timestamps: []time.Time{t0, t0.Add(-24 * time.Hour)}},
			{Id: aws.String("s6"), Values: []float64{-1}, Timestamps: []time.Time{t0}}, // negative: ignored
		}},
		{MetricDataResults: []types.MetricDataResult{
			{Id: aws.String("s0"), Values: []float64{11}, Timestamps: []time.Time{t0.Add(24 * time.Hour)}},
			{Id: aws.String("objects"), Values: []float64{3}}, // no timestamp: ignored
		}},
	}}
	m, err := ReadS3(context.Background(), f, "b", t0)
	if err != nil {
		t.Fatal(err)
	}
	if f.calls != 2 || fmt.Sprint(m.SizeBytes) != "map[StandardStorage:11]" || m.Objects != nil || !m.At.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("metrics = %+v after %d calls", m, f.calls)
	}
	// Every good value is a day of the chart, oldest first; bad ones none.
	var days []string
	for _, d := range m.Daily {
		if d.Objects != nil || d.SizeBytes == nil {
			t.Errorf("day %+v: want a size and no object count", d)
			continue
		}
		days = append(days, fmt.Sprintf("%s=%d", d.Day.Format(time.DateOnly), *d.SizeBytes))
	}
	if got := fmt.Sprint(days); got != "[2024-04-30=9 2024-05-01=10 2024-05-02=11]" {
		t.Errorf("daily = %s", got)
	}
}

// TestDailySumsStorageTypes: a day's size is the sum of its storage types,
// and the object count sits beside it.
func TestDailySumsStorageTypes(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeAPI{pages: []*cloudwatch.GetMetricDataOutput{{MetricDataResults: []types.MetricDataResult{
		{Id: aws.String("s0"), Values: []float64{100, 90}, Timestamps: []time.Time{t0, t0.Add(-24 * time.Hour)}},
		{Id: aws.String("s14"), Values: []float64{5}, Timestamps: []time.Time{t0}},
		{Id: aws.String("objects"), Values: []float64{7}, Timestamps: []time.Time{t0}},
	}}}}
	m, err := ReadS3(context.Background(), f, "b", t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Daily) != 2 || *m.Daily[0].SizeBytes != 90 || m.Daily[0].Objects != nil ||
		*m.Daily[1].SizeBytes != 105 || m.Daily[1].Objects == nil || *m.Daily[1].Objects != 7 {
		t.Errorf("daily = %+v", m.Daily)
	}
}
