package s3

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/testenv/throttle"
)

// fakeS3 is an S3 endpoint on 127.0.0.1 speaking the REST-XML the SDK
// parses, path-style: enough of ListBuckets, GetBucketLocation,
// GetBucketVersioning/Tagging/Policy, ListObjectsV2 (prefix, delimiter,
// continuation), GetObject with Range, HeadObject and GetObjectTagging for
// the scanner's tests and its benchmark. Objects may be virtual: sized
// without bytes behind them, so a test can prove they are never read.
type fakeS3 struct {
	tb       testing.TB
	latency  time.Duration
	pageSize int
	// maxRange fails the test when a GetObject asks for more bytes.
	maxRange int64
	// throttle, when set, answers 503 SlowDown to calls past its bucket.
	throttle *throttle.Bucket

	mu      sync.Mutex
	buckets map[string]*fakeBucket

	calls      atomic.Int64
	listCalls  atomic.Int64
	getCalls   atomic.Int64
	bytesSent  atomic.Int64
	opCounts   sync.Map // op -> *atomic.Int64
	inFlight   atomic.Int64
	maxPending atomic.Int64
}

type fakeObject struct {
	key      string
	size     int64
	modified time.Time
	class    string
	data     []byte
	// tail, for virtual objects: the bytes at the end of the object;
	// everything before them reads as filler.
	tail   []byte
	filler []byte
	tags   map[string]string
}

type fakeBucket struct {
	name, region string
	created      time.Time
	versioning   string
	tags         map[string]string
	policy       string
	space        keyspace
	// deny makes these operations answer AccessDenied ("*" for all).
	deny map[string]bool
}

// keyspace is a bucket's sorted keys.
type keyspace interface {
	list(prefix, delimiter, token string, max int) (objs []fakeObject, prefixes []string, next string)
	get(key string) (fakeObject, bool)
}

func newFakeS3(tb testing.TB) *fakeS3 {
	return &fakeS3{tb: tb, pageSize: 1000, buckets: map[string]*fakeBucket{}}
}

func (f *fakeS3) start() *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	f.tb.Cleanup(srv.Close)
	return srv
}

func (f *fakeS3) addBucket(b *fakeBucket) *fakeBucket {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b.space == nil {
		b.space = &memSpace{}
	}
	if b.region == "" {
		b.region = "us-east-1"
	}
	if b.created.IsZero() {
		b.created = time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	f.buckets[b.name] = b
	return b
}

// client is a client of the fake as lakemap builds them, path-style, no
// retries.
func (f *fakeS3) client(url string) *awss3.Client {
	return awsconn.NewS3Client(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	}, true)
}

func (f *fakeS3) count(op string) int64 {
	v, ok := f.opCounts.Load(op)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

func (f *fakeS3) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxPending.Load()
		if n <= m || f.maxPending.CompareAndSwap(m, n) {
			break
		}
	}
	if f.latency > 0 {
		// AWS's latency includes building the answer (a page of 1,000
		// keys costs the fake CPU time): answer at arrival + latency.
		arrived := time.Now()
		rec := httptest.NewRecorder()
		rec.Body = fakeBuffers.Get().(*bytes.Buffer)
		rec.Body.Reset()
		defer fakeBuffers.Put(rec.Body)
		f.respond(rec, r)
		time.Sleep(f.latency - time.Since(arrived))
		maps.Copy(w.Header(), rec.Header())
		if w.Header().Get("Content-Length") == "" && r.Method != http.MethodHead {
			// S3 sends the length of every listing; without it the client
			// reads a chunked body of unknown size.
			w.Header().Set("Content-Length", strconv.Itoa(rec.Body.Len()))
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	f.respond(w, r)
}

func (f *fakeS3) respond(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucketName, key, _ := strings.Cut(path, "/")
	if u, err := url.PathUnescape(key); err == nil {
		key = u
	}
	op := operation(r.Method, bucketName, key, q)
	if f.throttle != nil && !f.throttle.Take() {
		s3Error(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		return
	}
	v, _ := f.opCounts.LoadOrStore(op, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	if op == "ListBuckets" {
		f.listBuckets(w)
		return
	}
	f.mu.Lock()
	b := f.buckets[bucketName]
	f.mu.Unlock()
	if b == nil {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	if b.deny["*"] || b.deny[op] {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	switch op {
	case "GetBucketLocation":
		loc := b.region
		if loc == "us-east-1" {
			loc = ""
		}
		writeXML(w, `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+esc(loc)+`</LocationConstraint>`)
	case "GetBucketVersioning":
		body := `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
		if b.versioning != "" {
			body += "<Status>" + b.versioning + "</Status>"
		}
		writeXML(w, body+"</VersioningConfiguration>")
	case "GetBucketTagging":
		if len(b.tags) == 0 {
			s3Error(w, http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
			return
		}
		writeXML(w, "<Tagging><TagSet>"+tagXML(b.tags)+"</TagSet></Tagging>")
	case "GetBucketPolicy":
		if b.policy == "" {
			s3Error(w, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(b.policy))
	case "ListObjectsV2":
		f.listCalls.Add(1)
		f.listObjects(w, b, q)
	case "GetObject", "HeadObject":
		f.getObject(w, r, b, key, op == "HeadObject")
	case "GetObjectTagging":
		o, ok := b.space.get(key)
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		writeXML(w, "<Tagging><TagSet>"+tagXML(o.tags)+"</TagSet></Tagging>")
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "fake S3 does not serve "+op)
	}
}

func operation(method, bucket, key string, q url.Values) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch {
	case bucket == "":
		return "ListBuckets"
	case key == "" && has("location"):
		return "GetBucketLocation"
	case key == "" && has("versioning"):
		return "GetBucketVersioning"
	case key == "" && has("tagging"):
		return "GetBucketTagging"
	case key == "" && has("policy"):
		return "GetBucketPolicy"
	case key == "" && has("versions"):
		return "ListObjectVersions"
	case key == "" && q.Get("list-type") == "2":
		return "ListObjectsV2"
	case key != "" && has("tagging"):
		return "GetObjectTagging"
	case key != "" && method == http.MethodHead:
		return "HeadObject"
	case key != "" && method == http.MethodGet:
		return "GetObject"
	}
	return method + " " + q.Encode()
}

func (f *fakeS3) listBuckets(w http.ResponseWriter) {
	f.mu.Lock()
	names := make([]string, 0, len(f.buckets))
	for n := range f.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(`<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><Buckets>`)
	for _, n := range names {
		bk := f.buckets[n]
		fmt.Fprintf(&b, "<Bucket><Name>%s</Name><CreationDate>%s</CreationDate></Bucket>", esc(n), bk.created.Format(time.RFC3339))
	}
	f.mu.Unlock()
	b.WriteString("</Buckets></ListAllMyBucketsResult>")
	writeXML(w, b.String())
}

func (f *fakeS3) listObjects(w http.ResponseWriter, b *fakeBucket, q url.Values) {
	max := f.pageSize
	if m, err := strconv.Atoi(q.Get("max-keys")); err == nil && m > 0 && m < max {
		max = m
	}
	token := q.Get("continuation-token")
	if token == "" && q.Get("start-after") != "" {
		token = "k:" + q.Get("start-after")
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	objs, prefixes, next := b.space.list(prefix, delim, token, max)
	// Written straight into w, which with latency is serve's pooled
	// buffer: a second copy of every page in flight was the fake's memory,
	// counted in the benchmarks' RSS as if it were lakemap's.
	w.Header().Set("Content-Type", "application/xml")
	out := w.(interface {
		io.Writer
		io.StringWriter
	})
	out.WriteString(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>`)
	out.WriteString(esc(b.name))
	out.WriteString("</Name><Prefix>")
	out.WriteString(esc(prefix))
	fmt.Fprintf(out, "</Prefix><MaxKeys>%d</MaxKeys><KeyCount>%d</KeyCount>", max, len(objs)+len(prefixes))
	if delim != "" {
		out.WriteString("<Delimiter>" + esc(delim) + "</Delimiter>")
	}
	if next != "" {
		out.WriteString("<IsTruncated>true</IsTruncated><NextContinuationToken>" + esc(next) + "</NextContinuationToken>")
	} else {
		out.WriteString("<IsTruncated>false</IsTruncated>")
	}
	lastTime, lastText := time.Time{}, ""
	for _, o := range objs {
		if !o.modified.Equal(lastTime) {
			lastTime, lastText = o.modified, o.modified.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		class := o.class
		if class == "" {
			class = "STANDARD"
		}
		out.WriteString("<Contents><Key>")
		out.WriteString(esc(o.key))
		out.WriteString("</Key><LastModified>")
		out.WriteString(lastText)
		out.WriteString(`</LastModified><ETag>"0123456789abcdef"</ETag><Size>`)
		out.WriteString(strconv.FormatInt(o.size, 10))
		out.WriteString("</Size><StorageClass>")
		out.WriteString(class)
		out.WriteString("</StorageClass></Contents>")
	}
	for _, p := range prefixes {
		out.WriteString("<CommonPrefixes><Prefix>" + esc(p) + "</Prefix></CommonPrefixes>")
	}
	out.WriteString("</ListBucketResult>")
}

func (f *fakeS3) getObject(w http.ResponseWriter, r *http.Request, b *fakeBucket, key string, head bool) {
	o, ok := b.space.get(key)
	if !ok {
		if head {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("Last-Modified", o.modified.UTC().Format(http.TimeFormat))
	w.Header().Set("ETag", `"0123456789abcdef"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	if head {
		w.Header().Set("Content-Length", strconv.FormatInt(o.size, 10))
		return
	}
	f.getCalls.Add(1)
	start, end := int64(0), o.size-1
	rng := r.Header.Get("Range")
	if rng != "" {
		a, bs, ok := strings.Cut(strings.TrimPrefix(rng, "bytes="), "-")
		s, err1 := strconv.ParseInt(a, 10, 64)
		e, err2 := strconv.ParseInt(bs, 10, 64)
		if !ok || err1 != nil || err2 != nil || s > e || s >= o.size {
			s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		start, end = s, min(e, o.size-1)
	}
	n := end - start + 1
	if f.maxRange > 0 && (rng == "" || n > f.maxRange) {
		f.tb.Errorf("GetObject %s/%s asked for %d bytes (Range %q), more than the %d allowed", b.name, key, n, rng, f.maxRange)
		s3Error(w, http.StatusForbidden, "AccessDenied", "test refuses large reads")
		return
	}
	data := o.read(start, n)
	f.bytesSent.Add(int64(len(data)))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if rng != "" {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, o.size))
		w.WriteHeader(http.StatusPartialContent)
	}
	_, _ = w.Write(data)
}

// read returns bytes [off, off+n) of the object, real or virtual.
func (o fakeObject) read(off, n int64) []byte {
	if o.data != nil {
		return o.data[off : off+n]
	}
	out := make([]byte, 0, n)
	tailStart := o.size - int64(len(o.tail))
	for i := off; i < off+n; i++ {
		switch {
		case i >= tailStart:
			out = append(out, o.tail[i-tailStart])
		case len(o.filler) > 0:
			out = append(out, o.filler[i%int64(len(o.filler))])
		default:
			out = append(out, 0)
		}
	}
	return out
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>`, code, esc(msg))
}

// fakeBuffers recycle the fake's answers: its garbage would otherwise be
// collected by the scanner's process and counted against it.
var fakeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, body)
}

func esc(s string) string {
	if !strings.ContainsAny(s, `<>&'"`+"\r\n\t") {
		return s
	}
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func tagXML(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", esc(k), esc(tags[k]))
	}
	return b.String()
}

// memSpace is a keyspace held in memory.
type memSpace struct {
	mu   sync.Mutex
	objs []fakeObject
}

func (m *memSpace) put(o fakeObject) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if o.data != nil {
		o.size = int64(len(o.data))
	}
	if o.modified.IsZero() {
		o.modified = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	i := sort.Search(len(m.objs), func(i int) bool { return m.objs[i].key >= o.key })
	if i < len(m.objs) && m.objs[i].key == o.key {
		m.objs[i] = o
		return
	}
	m.objs = append(m.objs, fakeObject{})
	copy(m.objs[i+1:], m.objs[i:])
	m.objs[i] = o
}

func (m *memSpace) get(key string) (fakeObject, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.objs), func(i int) bool { return m.objs[i].key >= key })
	if i < len(m.objs) && m.objs[i].key == key {
		return m.objs[i], true
	}
	return fakeObject{}, false
}

func (m *memSpace) list(prefix, delim, token string, max int) ([]fakeObject, []string, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	objs := m.objs
	after := func(i int) bool { return objs[i].key >= prefix }
	if kind, v, ok := strings.Cut(token, ":"); ok {
		switch kind {
		case "k":
			after = func(i int) bool { return objs[i].key > v && objs[i].key >= prefix }
		case "p":
			after = func(i int) bool {
				return objs[i].key > v && !strings.HasPrefix(objs[i].key, v) && objs[i].key >= prefix
			}
		}
	}
	i := sort.Search(len(objs), after)
	var keys []fakeObject
	var prefixes []string
	last := ""
	for i < len(objs) && strings.HasPrefix(objs[i].key, prefix) {
		if len(keys)+len(prefixes) >= max {
			return keys, prefixes, last
		}
		k := objs[i].key
		if delim != "" {
			if j := strings.Index(k[len(prefix):], delim); j >= 0 {
				cp := k[:len(prefix)+j+len(delim)]
				prefixes = append(prefixes, cp)
				last = "p:" + cp
				i = sort.Search(len(objs), func(x int) bool { return objs[x].key > cp && !strings.HasPrefix(objs[x].key, cp) })
				continue
			}
		}
		keys = append(keys, objs[i])
		last = "k:" + k
		i++
	}
	return keys, prefixes, ""
}

// testScanner builds a scanner of the fake with cfg.
func testScanner(t testing.TB, url string, f *fakeS3, cfg *SourceConfig) *Scanner {
	t.Helper()
	if cfg == nil {
		cfg = DefaultSourceConfig()
	}
	cfg.IncludeMetrics = false
	client := f.client(url)
	s, err := NewScanner(StaticClients{S3API: client}, "svc", *cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func scanOnce(t testing.TB, s *Scanner, sink *memSink) {
	t.Helper()
	if err := s.Scan(context.Background(), sink); err != nil {
		t.Fatalf("Scan: %v", err)
	}
}
