package s3

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakemap/lakemap/internal/catalog"
)

type order struct {
	ID     int64   `parquet:"id"`
	Amount float64 `parquet:"amount"`
	Note   string  `parquet:"note,optional"`
}

type orderV2 struct {
	ID     int64   `parquet:"id"`
	Amount float64 `parquet:"amount"`
	Coupon string  `parquet:"coupon"`
}

func parquetBytes[T any](t testing.TB, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func at(hours int) time.Time { return t0.Add(time.Duration(hours) * time.Hour) }

// lakeBucket is a data lake written the ways Spark, Hive, Delta and people
// write them.
func lakeBucket(t testing.TB) *memSpace {
	pq := parquetBytes(t, []order{{ID: 1, Amount: 2.5}})
	m := &memSpace{}
	for _, o := range []fakeObject{
		{key: "sales/orders/year=2024/month=01/part-0000.snappy.parquet", data: pq, modified: at(1)},
		{key: "sales/orders/year=2024/month=02/part-0001.snappy.parquet", data: pq, modified: at(2)},
		{key: "sales/orders/year=2024/month=02/.part-0001.snappy.parquet.crc", data: []byte("crc"), modified: at(3)},
		{key: "sales/orders/_SUCCESS", data: []byte{}, modified: at(3)},
		{key: "sales/orders/_temporary/0/task/part-9.parquet", data: []byte("partial"), modified: at(4)},
		{key: "logs/2024/01/02/a.json", data: []byte(`{"level":"info","n":1}` + "\n"), modified: at(1)},
		{key: "logs/2024/01/03/b.json", data: []byte(`{"level":"warn","n":2}` + "\n"), modified: at(2)},
		{key: "raw/customers.csv", data: []byte("id,name,since\n1,Ann,2020-01-02\n2,Bob,2021-03-04\n"), modified: at(1)},
		{key: "raw/customers_2023.csv", data: []byte("id,name,since\n3,Cid,2022-01-02\n"), modified: at(0)},
		{key: "raw/readme.txt", data: []byte("hello"), modified: at(0)},
		{key: "events/_delta_log/00000000000000000000.json", data: []byte(`{"commitInfo":{}}`), modified: at(1)},
		{key: "events/part-00000-abc.snappy.parquet", data: pq, modified: at(1)},
		{key: "top.csv", data: []byte("a,b\n1,x\n"), modified: at(1)},
		{key: "images/a.png", data: []byte("\x89PNG"), modified: at(1)},
		{key: "images/b.png", data: []byte("\x89PNG"), modified: at(2)},
		{key: "empty/", data: []byte{}, modified: at(1)},
	} {
		m.put(o)
	}
	return m
}

func TestDiscovery(t *testing.T) {
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "lake", region: "eu-west-1", versioning: "Enabled", tags: map[string]string{"team": "data"},
		policy: `{"Version":"2012-10-17","Statement":[]}`, space: lakeBucket(t)})
	srv := f.start()
	var regions []string
	s := testScanner(t, srv.URL, f, nil)
	s.Clients = StaticClients{S3API: f.client(srv.URL), Region: func(r string) { regions = append(regions, r) }}
	sink := newMemSink()
	scanOnce(t, s, sink)

	if w := sink.warningsText(); w != "" {
		t.Errorf("warnings: %s", w)
	}
	b := sink.get(t, "svc.lake")
	if b.Attrs["region"] != "eu-west-1" || b.Attrs["versioning"] != "Enabled" || fmt.Sprint(b.Attrs["tags"]) != "map[team:data]" ||
		b.Attrs["policy"].(map[string]any)["Version"] != "2012-10-17" || b.SourceCreated == nil {
		t.Errorf("bucket = %+v", b)
	}
	if _, ok := b.Attrs["sizeBytes"]; ok {
		t.Error("metrics off, yet sizeBytes set: unknown must stay absent")
	}
	if !strings.Contains(strings.Join(regions, ","), "eu-west-1") {
		t.Errorf("no call went to the bucket's region: %v", regions)
	}
	got := strings.Join(sink.children("svc.lake", catalog.KindContainer), ", ")
	if got != "/, events, images, logs, raw, sales/orders" {
		t.Errorf("containers = %s", got)
	}

	orders := sink.get(t, `svc.lake.sales/orders`)
	if orders.Attrs["format"] != "parquet" || orders.Attrs["fileCount"] != int64(2) || orders.Attrs["path"] != "sales/orders/" ||
		orders.Attrs["source"] != "discovery" || fmt.Sprint(orders.Attrs["storageClasses"]) != "[STANDARD]" {
		t.Errorf("orders = %+v", orders.Attrs)
	}
	if got := strings.Join(sink.children(`svc.lake.sales/orders`, catalog.KindColumn), ", "); got != "0:id bigint, 1:amount double, 2:note string, 3:year bigint, 4:month bigint" {
		t.Errorf("orders columns = %s", got)
	}
	if p := fmt.Sprint(orders.Attrs["partitionColumns"]); p != "[map[dataType:bigint name:year] map[dataType:bigint name:month]]" {
		t.Errorf("partitionColumns = %s", p)
	}
	logs := sink.get(t, "svc.lake.logs")
	if fmt.Sprint(logs.Attrs["partitionColumns"]) != "[map[dataType:bigint name:partition_0] map[dataType:bigint name:partition_1] map[dataType:bigint name:partition_2]]" {
		t.Errorf("logs partitions = %v", logs.Attrs["partitionColumns"])
	}
	raw := sink.get(t, "svc.lake.raw")
	if raw.Attrs["format"] != "csv" || fmt.Sprint(raw.Attrs["formats"]) != "map[csv:2 txt:1]" {
		t.Errorf("raw = %+v", raw.Attrs)
	}
	if got := strings.Join(sink.children("svc.lake.raw", catalog.KindColumn), ", "); got != "0:id bigint, 1:name string, 2:since date" {
		t.Errorf("raw columns = %s", got)
	}
	if s := fmt.Sprint(raw.Attrs["sampledFiles"]); s != "[raw/customers.csv raw/customers_2023.csv]" {
		t.Errorf("sampled newest first: %s", s)
	}
	events := sink.get(t, "svc.lake.events")
	if events.Attrs["tableFormat"] != "delta" || events.Attrs["format"] != "parquet" || events.Attrs["fileCount"] != int64(1) {
		t.Errorf("events = %+v", events.Attrs)
	}
	if img := sink.get(t, "svc.lake.images"); img.Attrs["format"] != "png" || img.Attrs["schemaError"] != nil {
		t.Errorf("images = %+v", img.Attrs)
	}
	if root := sink.get(t, `svc.lake./`); root.Attrs["format"] != "csv" {
		t.Errorf("root = %+v", root.Attrs)
	}
	if sink.count(catalog.KindObject) != 0 {
		t.Error("objects catalogued with includeObjects off")
	}
	if !strings.Contains(strings.Join(sink.completes, "\n"), "svc.lake [container]") {
		t.Errorf("bucket's containers not completed: %v", sink.completes)
	}
}

func TestRescanMarksDeleted(t *testing.T) {
	f := newFakeS3(t)
	space := lakeBucket(t)
	f.addBucket(&fakeBucket{name: "lake", space: space})
	f.addBucket(&fakeBucket{name: "gone"})
	srv := f.start()
	s := testScanner(t, srv.URL, f, nil)
	sink := newMemSink()
	scanOnce(t, s, sink)

	// The raw dataset goes, customers change columns, a bucket goes.
	space.mu.Lock()
	kept := space.objs[:0]
	for _, o := range space.objs {
		if !strings.HasPrefix(o.key, "images/") {
			kept = append(kept, o)
		}
	}
	space.objs = kept
	space.mu.Unlock()
	space.put(fakeObject{key: "raw/customers.csv", data: []byte("id,email\n1,a@b\n"), modified: at(10)})
	f.mu.Lock()
	delete(f.buckets, "gone")
	f.mu.Unlock()

	sink.rescan()
	scanOnce(t, s, sink)
	if sink.has("svc.lake.images") || sink.has("svc.gone") {
		t.Errorf("deleted: %v", sink.deleted)
	}
	if got := strings.Join(sink.children("svc.lake.raw", catalog.KindColumn), ", "); got != "0:id bigint, 1:email string" {
		t.Errorf("raw columns after change = %s", got)
	}
	if drift := fmt.Sprint(sink.get(t, "svc.lake.raw").Attrs["schemaDrift"]); !strings.Contains(drift, "raw/customers_2023.csv") || !strings.Contains(drift, "missing:[email]") {
		t.Errorf("schemaDrift = %s", drift)
	}
}

func TestAccessDeniedOnOneBucket(t *testing.T) {
	for _, deny := range []string{"ListObjectsV2", "GetBucketLocation", "GetBucketTagging"} {
		t.Run(deny, func(t *testing.T) {
			f := newFakeS3(t)
			f.addBucket(&fakeBucket{name: "open", space: lakeBucket(t)})
			locked := f.addBucket(&fakeBucket{name: "locked", space: lakeBucket(t), tags: map[string]string{"a": "b"}})
			srv := f.start()
			cfg := DefaultSourceConfig()
			cfg.IncludeObjects = true
			s := testScanner(t, srv.URL, f, cfg)
			sink := newMemSink()
			scanOnce(t, s, sink)
			before := sink.count(catalog.KindContainer)

			f.mu.Lock()
			locked.deny = map[string]bool{deny: true}
			f.mu.Unlock()
			sink.rescan()
			scanOnce(t, s, sink)
			if len(sink.deleted) != 0 {
				t.Errorf("deleted after AccessDenied on %s: %v", deny, sink.deleted)
			}
			if got := sink.count(catalog.KindContainer); got != before {
				t.Errorf("containers %d, want %d", got, before)
			}
			if !sink.has("svc.open.raw") || !sink.has("svc.locked.raw") {
				t.Error("containers missing")
			}
			w := sink.warningsText()
			if !strings.Contains(w, `"locked"`) && !strings.Contains(w, "locked") || !strings.Contains(w, "access denied") && !strings.Contains(w, "denied") {
				t.Errorf("warning does not name the bucket and the denial: %s", w)
			}
			if strings.Contains(w, "open") {
				t.Errorf("warning about the open bucket: %s", w)
			}
		})
	}
}

func TestLargeObjectsAreNeverDownloaded(t *testing.T) {
	const fiveGiB = 5 << 30
	pq := parquetBytes(t, []order{{ID: 1}})
	footerLen := int(binary.LittleEndian.Uint32(pq[len(pq)-8:]))
	f := newFakeS3(t)
	space := &memSpace{}
	space.put(fakeObject{key: "big/huge.csv", size: fiveGiB, filler: []byte("1,2.5,x\n"), tail: nil, modified: at(1)})
	space.put(fakeObject{key: "bigpq/huge.parquet", size: fiveGiB, tail: pq[len(pq)-8-footerLen:], modified: at(1)})
	space.put(fakeObject{key: "gz/huge.json.gz", size: fiveGiB, filler: []byte("not gzip"), modified: at(1)})
	f.addBucket(&fakeBucket{name: "big", space: space})
	f.maxRange = DefaultSampleBytes
	srv := f.start()
	cfg := DefaultSourceConfig()
	s := testScanner(t, srv.URL, f, cfg)
	sink := newMemSink()
	scanOnce(t, s, sink)
	if got := strings.Join(sink.children("svc.big.big", catalog.KindColumn), ", "); got != "0:col_0 bigint, 1:col_1 double, 2:col_2 string" {
		t.Errorf("csv columns = %s", got)
	}
	if got := strings.Join(sink.children("svc.big.bigpq", catalog.KindColumn), ", "); got != "0:id bigint, 1:amount double, 2:note string" {
		t.Errorf("parquet columns = %s", got)
	}
	if sent := f.bytesSent.Load(); sent > 3*DefaultSampleBytes {
		t.Errorf("sent %d bytes for three 5 GiB objects", sent)
	}
	if w := sink.warningsText(); !strings.Contains(w, "s3://big/gz/huge.json.gz") || !strings.Contains(w, "reading gzip header") {
		t.Errorf("warnings = %s", w)
	}
}

func TestBadSamples(t *testing.T) {
	pq := parquetBytes(t, []order{{ID: 1}})
	corrupt := bytes.Clone(pq)
	footerLen := int(binary.LittleEndian.Uint32(corrupt[len(corrupt)-8:]))
	for i := len(corrupt) - 8 - footerLen; i < len(corrupt)-8; i++ {
		corrupt[i] = 0xff
	}
	v2 := parquetBytes(t, []orderV2{{ID: 1}})
	space := &memSpace{}
	space.put(fakeObject{key: "broken/a.parquet", data: corrupt, modified: at(1)})
	space.put(fakeObject{key: "empty/a.csv", data: []byte{}, modified: at(1)})
	space.put(fakeObject{key: "drift/old.parquet", data: pq, modified: at(1)})
	space.put(fakeObject{key: "drift/new.parquet", data: v2, modified: at(2)})
	space.put(fakeObject{key: "cold/a.csv", data: []byte("a\n1\n"), class: "DEEP_ARCHIVE", modified: at(2)})
	f := newFakeS3(t)
	f.addBucket(&fakeBucket{name: "bad", space: space})
	srv := f.start()
	s := testScanner(t, srv.URL, f, nil)
	sink := newMemSink()
	scanOnce(t, s, sink)

	w := sink.warningsText()
	if !strings.Contains(w, "reading the schema of s3://bad/broken/a.parquet: corrupt Parquet footer") {
		t.Errorf("warnings = %s", w)
	}
	if e := sink.get(t, "svc.bad.broken"); !strings.Contains(fmt.Sprint(e.Attrs["schemaError"]), "corrupt Parquet footer") {
		t.Errorf("broken = %+v", e.Attrs)
	}
	if e := sink.get(t, "svc.bad.empty"); e.Attrs["schemaError"] != "no readable file: 1 empty, 0 in Glacier storage classes" || e.Attrs["emptyFiles"] != int64(1) {
		t.Errorf("empty = %+v", e.Attrs)
	}
	if e := sink.get(t, "svc.bad.cold"); e.Attrs["archivedFiles"] != int64(1) || f.getCalls.Load() != 3 {
		t.Errorf("cold = %+v, sample reads %d, want 3 (broken, and drift's two)", e.Attrs, f.getCalls.Load())
	}
	drift := sink.get(t, "svc.bad.drift")
	if got := strings.Join(sink.children("svc.bad.drift", catalog.KindColumn), ", "); got != "0:id bigint, 1:amount double, 2:coupon string" {
		t.Errorf("drift columns (newest file's) = %s", got)
	}
	if d := fmt.Sprint(drift.Attrs["schemaDrift"]); d != "[map[added:[note] key:drift/old.parquet missing:[coupon]]]" {
		t.Errorf("schemaDrift = %s", d)
	}
}

func TestBucketNamesAndFilter(t *testing.T) {
	f := newFakeS3(t)
	for _, n := range []string{"sales-eu", "sales-us", "hr-data"} {
		f.addBucket(&fakeBucket{name: n})
	}
	srv := f.start()
	for _, tc := range []struct {
		names    []string
		includes []string
		want     string
	}{
		{nil, nil, "hr-data, sales-eu, sales-us"},
		{nil, []string{"sales.*"}, "sales-eu, sales-us"},
		{[]string{"sales-us", "hr-data", "sales-us"}, nil, "hr-data, sales-us"},
		{[]string{"sales-us", "hr-data"}, []string{"sales"}, "sales-us"},
		{[]string{"missing-bucket", "hr-data"}, nil, "hr-data"},
	} {
		cfg := DefaultSourceConfig()
		cfg.ContainerFilterPattern.Includes = tc.includes
		s := testScanner(t, srv.URL, f, cfg)
		s.BucketNames = tc.names
		sink := newMemSink()
		scanOnce(t, s, sink)
		if got := strings.Join(sink.children("svc", catalog.KindBucket), ", "); got != tc.want {
			t.Errorf("names %v includes %v: buckets %s, want %s", tc.names, tc.includes, got, tc.want)
		}
		if strings.Contains(fmt.Sprint(tc.names), "missing") && !strings.Contains(sink.warningsText(), `reading the region of bucket "missing-bucket": not found`) {
			t.Errorf("warnings = %s", sink.warningsText())
		}
	}
}
