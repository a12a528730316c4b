package s3list

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// answer is an HTTP client that answers every request with body, so the
// SDK's deserializer can read fuzzed bytes without a server.
type answer []byte

func (a answer) Do(r *http.Request) (*http.Response, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(a)))
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Request: r,
		ContentLength: int64(len(a)), Body: io.NopCloser(bytes.NewReader(a))}, nil
}

// FuzzDecode feeds Decode arbitrary bytes: it must never panic, and
// whatever it accepts the SDK's own deserializer must read the same way,
// since the fast path is only allowed to be faster, never different. The
// seed corpus is testdata/fuzz/FuzzDecode; `go test -fuzz FuzzDecode`
// explores further.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, err := Decode(bytes.Clone(data))
		if err != nil {
			if fast != nil {
				t.Fatalf("Decode returned a result with error %v", err)
			}
			return
		}
		cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://s3.test"), HTTPClient: answer(data),
			Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1}
		slow, err := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true }).
			ListObjectsV2(context.Background(), &awss3.ListObjectsV2Input{Bucket: aws.String("b")})
		if err != nil {
			t.Fatalf("Decode accepted what the SDK refuses (%v):\n%q", err, data)
		}
		slow.ResultMetadata = middleware.Metadata{}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("Decode and the SDK disagree on\n%q\nfast %+v\nSDK  %+v", data, fast, slow)
		}
	})
}
