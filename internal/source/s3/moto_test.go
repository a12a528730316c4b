package s3

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/linkedin/goavro/v2"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

type motoLake struct {
	t   *testing.T
	srv *moto.Server
	ctx context.Context
}

func (m motoLake) s3(region string) *awss3.Client {
	cfg := m.srv.AWSConfig(m.t, "", "")
	cfg.Region = region
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
}

func (m motoLake) bucket(name, region string) *awss3.Client {
	m.t.Helper()
	c := m.s3(region)
	in := &awss3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := c.CreateBucket(m.ctx, in); err != nil {
		m.t.Fatal(err)
	}
	return c
}

func (m motoLake) put(c *awss3.Client, bucket, key string, data []byte, opts ...func(*awss3.PutObjectInput)) {
	m.t.Helper()
	in := &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)}
	for _, o := range opts {
		o(in)
	}
	if _, err := c.PutObject(m.ctx, in); err != nil {
		m.t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

func avroBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: `{"type":"record","name":"Click","fields":[{"name":"user","type":"string"},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}`})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append([]any{map[string]any{"user": "u1", "at": time.Unix(1, 0)}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func putMetric(t *testing.T, c *awscw.Client, bucket, metric, storageType string, v float64) {
	t.Helper()
	_, err := c.PutMetricData(context.Background(), &awscw.PutMetricDataInput{Namespace: aws.String("AWS/S3"), MetricData: []cwtypes.MetricDatum{{
		MetricName: aws.String(metric), Timestamp: aws.Time(time.Now().Add(-3 * time.Hour)), Value: aws.Float64(v),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("BucketName"), Value: aws.String(bucket)}, {Name: aws.String("StorageType"), Value: aws.String(storageType)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAgainstMoto scans buckets in three regions through the real
// connection path (awsconn session, per-region clients, path-style),
// CloudWatch metrics put with the real SDK, then denies one bucket's
// listing with a bucket policy and scans again.
func TestAgainstMoto(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	m := motoLake{t: t, srv: srv, ctx: context.Background()}
	pq := parquetBytes(t, []order{{ID: 1, Amount: 2}})

	east := m.bucket("moto-east", "us-east-1")
	m.put(east, "moto-east", "sales/orders/year=2024/month=01/part-0.parquet", pq)
	m.put(east, "moto-east", "sales/orders/year=2024/month=02/part-1.parquet", pq)
	m.put(east, "moto-east", "sales/orders/_SUCCESS", nil)
	m.put(east, "moto-east", "raw/customers.csv", []byte("id,name\n1,Ann\n"), func(in *awss3.PutObjectInput) {
		in.ContentType, in.ContentEncoding, in.Tagging = aws.String("text/csv"), aws.String("identity"), aws.String("pii=yes")
	})
	if _, err := east.PutBucketTagging(m.ctx, &awss3.PutBucketTaggingInput{Bucket: aws.String("moto-east"),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("sales")}}}}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::moto-east/*"}]}`
	if _, err := east.PutBucketPolicy(m.ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("moto-east"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}

	west := m.bucket("moto-west", "eu-west-1")
	if _, err := west.PutBucketVersioning(m.ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String("moto-west"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	m.put(west, "moto-west", "openmetadata.json", []byte(`{"entries":[
		{"dataPath":"transactions","structureFormat":"csv","separator":"|"},
		{"dataPath":"clicks/**/*.avro","structureFormat":"avro"}]}`))
	m.put(west, "moto-west", "transactions/a.csv", []byte("id|total\n1|2\n"))
	m.put(west, "moto-west", "transactions/a.csv", []byte("id|total|currency\n1|2|EUR\n")) // a second version
	m.put(west, "moto-west", "clicks/day=2024-01-01/c.avro", avroBytes(t))
	m.put(west, "moto-west", "old/gone.txt", []byte("x"))
	if _, err := west.DeleteObject(m.ctx, &awss3.DeleteObjectInput{Bucket: aws.String("moto-west"), Key: aws.String("old/gone.txt")}); err != nil {
		t.Fatal(err)
	}

	ap := m.bucket("moto-ap", "ap-southeast-2")
	m.put(ap, "moto-ap", "events/e1.jsonl", []byte(`{"a":1,"b":{"c":"x"}}`+"\n"))

	cwCfg := func(region string) *awscw.Client {
		cfg := srv.AWSConfig(t, "", "")
		cfg.Region = region
		return awsconn.NewCloudWatchClient(cfg)
	}
	putMetric(t, cwCfg("us-east-1"), "moto-east", "BucketSizeBytes", "StandardIAStorage", 4096)
	putMetric(t, cwCfg("us-east-1"), "moto-east", "NumberOfObjects", "AllStorageTypes", 4)
	putMetric(t, cwCfg("eu-west-1"), "moto-west", "BucketSizeBytes", "StandardIAStorage", 777)

	reg := source.NewRegistry()
	Register(reg)
	spec, _ := reg.Lookup(Type)
	conn := spec.NewConnection().(*Connection)
	conn.AWSConfig = awsconn.Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: srv.URL(), Region: "us-east-1"}
	cfg := spec.NewSourceConfig().(*SourceConfig)
	cfg.IncludeObjects, cfg.IncludeObjectVersions, cfg.IncludeTags, cfg.IncludeObjectHeaders = true, true, true, true
	sess, err := awsconn.NewSession(m.ctx, conn.AWSConfig, awsconn.Options{ServiceName: "moto", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	src, err := spec.New(source.Params{ServiceName: "moto", Connection: conn, SourceConfig: cfg, AWS: sess})
	if err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	if err := src.Scan(m.ctx, sink); err != nil {
		t.Fatal(err)
	}
	if w := sink.warningsText(); w != "" {
		t.Errorf("warnings: %s", w)
	}

	for bucket, region := range map[string]string{"moto-east": "us-east-1", "moto-west": "eu-west-1", "moto-ap": "ap-southeast-2"} {
		if got := sink.get(t, "moto."+bucket).Attrs["region"]; got != region {
			t.Errorf("%s region = %v, want %s", bucket, got, region)
		}
	}
	e := sink.get(t, "moto.moto-east")
	if fmt.Sprint(e.Attrs["tags"]) != "map[team:sales]" || e.Attrs["policy"].(map[string]any)["Statement"] == nil ||
		e.Attrs["sizeBytes"] != int64(4096) || e.Attrs["objectCount"] != int64(4) || e.SourceCreated == nil {
		t.Errorf("moto-east = %+v", e.Attrs)
	}
	// The chart's daily values: the newest day is the bucket's size.
	if days, _ := e.Attrs["metricsDaily"].([]any); len(days) == 0 || days[len(days)-1].(map[string]any)["sizeBytes"] != int64(4096) {
		t.Errorf("moto-east metricsDaily = %v", e.Attrs["metricsDaily"])
	}
	w := sink.get(t, "moto.moto-west")
	if w.Attrs["versioning"] != "Enabled" || w.Attrs["sizeBytes"] != int64(777) || w.Attrs["objectCount"] != nil {
		t.Errorf("moto-west = %+v (metrics must come from eu-west-1, objectCount unknown)", w.Attrs)
	}
	if a := sink.get(t, "moto.moto-ap"); a.Attrs["sizeBytes"] != nil {
		t.Errorf("moto-ap has no metrics, got sizeBytes %v", a.Attrs["sizeBytes"])
	}
	if got := strings.Join(sink.children("moto.moto-east.sales/orders", catalog.KindColumn), ", "); got != "0:id bigint, 1:amount double, 2:note string, 3:year bigint, 4:month bigint" {
		t.Errorf("orders columns = %s", got)
	}
	if got := strings.Join(sink.children("moto.moto-west.transactions", catalog.KindColumn), ", "); got != "0:id bigint, 1:total bigint, 2:currency string" {
		t.Errorf("transactions columns = %s", got)
	}
	if got := strings.Join(sink.children("moto.moto-west.clicks", catalog.KindColumn), ", "); got != "0:user string, 1:at timestamp, 2:day date" {
		t.Errorf("clicks columns = %s", got)
	}
	if got := strings.Join(sink.children("moto.moto-ap.events", catalog.KindColumn), ", "); got != "0:a bigint, 1:b struct<c:string>" {
		t.Errorf("events columns = %s", got)
	}
	csv := sink.get(t, `moto.moto-east."raw/customers.csv"`)
	if csv.Attrs["contentType"] != "text/csv" || fmt.Sprint(csv.Attrs["tags"]) != "map[pii:yes]" {
		t.Errorf("customers.csv = %+v", csv.Attrs)
	}
	tx := sink.get(t, `moto.moto-west."transactions/a.csv"`)
	if tx.Attrs["versionCount"] != int64(2) || tx.Attrs["versionId"] == nil || len(tx.Attrs["noncurrentVersions"].([]any)) != 1 {
		t.Errorf("versioned object = %+v", tx.Attrs)
	}
	if sink.has(`moto.moto-west."old/gone.txt"`) {
		t.Error("an object whose latest version is a delete marker was catalogued")
	}

	// Deny moto-ap: the others scan, nothing is deleted. moto 5.2.1 cannot
	// produce this itself: it does not enforce bucket policies with IAM
	// enforcement off, and with it on it rejects the signature of every
	// ListObjectsV2 whose query holds a "/" (delimiter=/), so a proxy in
	// front of it answers AccessDenied for the bucket's own requests, as
	// S3 does under a bucket policy denying s3:*.
	pager := moto.NewGluePager(t, srv.URL(), 1000)
	pager.FailWhen(func(op string, _ []byte) *moto.Fault {
		if op == "GET /moto-ap" {
			return &moto.Fault{Code: "AccessDenied", Status: 403, Message: "Access Denied"}
		}
		return nil
	})
	conn.AWSConfig.EndpointURL = pager.URL()
	sess, err = awsconn.NewSession(m.ctx, conn.AWSConfig, awsconn.Options{ServiceName: "moto", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if src, err = spec.New(source.Params{ServiceName: "moto", Connection: conn, SourceConfig: cfg, AWS: sess}); err != nil {
		t.Fatal(err)
	}
	sink.rescan()
	if err := src.Scan(m.ctx, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.deleted) != 0 {
		t.Errorf("deleted after AccessDenied: %v", sink.deleted)
	}
	if w := sink.warningsText(); !strings.Contains(w, `reading the region of bucket "moto-ap"; the bucket is left as it was: access denied`) {
		t.Errorf("warnings = %s", w)
	}
	if sink.get(t, "moto.moto-ap").Deleted || !sink.has("moto.moto-west.transactions") {
		t.Error("denied bucket deleted or another bucket not scanned")
	}
	if !sink.has("moto.moto-ap.events") || !sink.has("moto.moto-east.raw") {
		t.Error("containers lost")
	}
	for _, c := range sink.completes {
		if strings.HasPrefix(c, "moto.moto-ap ") || strings.HasPrefix(c, "moto [bucket]") {
			t.Errorf("a listing missing the denied bucket was declared complete: %s", c)
		}
	}
}
