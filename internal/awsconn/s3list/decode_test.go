package s3list

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// fastClient is an S3 client with the fast decoder, as awsconn builds them
// (awsconn imports this package, so its builder cannot be used here).
func fastClient(cfg aws.Config) *awss3.Client {
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.UsePathStyle = true
		o.APIOptions = append(o.APIOptions, UseFastDecoder)
	})
}

// TestFastListMatchesSDK decodes answers with the fast path and with the
// SDK's own deserializer and requires the same result.
func TestFastListMatchesSDK(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	for _, tc := range []struct{ name, body string }{
		{"full", head + `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix/><MaxKeys>1000</MaxKeys><KeyCount>3</KeyCount><Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated><ContinuationToken>c1</ContinuationToken><NextContinuationToken>c&amp;2</NextContinuationToken>
  <StartAfter>a</StartAfter><EncodingType>url</EncodingType>
  <Contents><Key>a&amp;b &lt;c&gt; &#233;&#x20AC;.csv</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>
    <Size>42</Size><Owner><ID>o1</ID><DisplayName>me</DisplayName></Owner><StorageClass>GLACIER</StorageClass>
    <RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress><RestoreExpiryDate>2024-02-01T00:00:00Z</RestoreExpiryDate></RestoreStatus></Contents>
  <Contents><Key>日本/x</Key><LastModified>2024-01-02T03:04:05Z</LastModified><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>
</ListBucketResult>`},
		{"times, sizes and classes", `<ListBucketResult><Name>b</Name><KeyCount>4</KeyCount>
  <Contents><Key>a</Key><LastModified>2024-12-31T23:59:59.999Z</LastModified><Size>9223372036854775</Size><StorageClass>INTELLIGENT_TIERING</StorageClass></Contents>
  <Contents><Key>b</Key><LastModified>2024-02-29T00:00:00.123456Z</LastModified><Size>0</Size><StorageClass>SOME_FUTURE_CLASS</StorageClass></Contents>
  <Contents><Key>c</Key><LastModified>2024-06-01T12:00:00+02:00</LastModified><Size>7</Size></Contents>
  <Contents><Key>d</Key><LastModified>1999-01-01T00:00:00.000Z</LastModified><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
</ListBucketResult>`},
		{"negative size falls back", `<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>`},
		{"empty", `<ListBucketResult><Name>b</Name><Prefix>p/</Prefix><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`},
		{"unknown element falls back", `<ListBucketResult><Name>b</Name><Future>x</Future><Contents><Key>k</Key><Size>1</Size><NewField>y</NewField></Contents></ListBucketResult>`},
		{"cdata falls back", `<ListBucketResult><Name>b</Name><Contents><Key><![CDATA[a<b]]></Key></Contents></ListBucketResult>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, perr := Decode([]byte(tc.body))
			if wantFallback := strings.Contains(tc.name, "falls back"); (perr != nil) != wantFallback {
				t.Fatalf("fast path error %v, want a fallback: %v", perr, wantFallback)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/xml")
				w.Header().Set("x-amz-request-charged", "requester")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), RetryMaxAttempts: 1}
			in := &awss3.ListObjectsV2Input{Bucket: aws.String("b")}
			fast, err := fastClient(cfg).ListObjectsV2(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			slow, err := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true }).ListObjectsV2(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			fast.ResultMetadata, slow.ResultMetadata = middleware.Metadata{}, middleware.Metadata{}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("fast %+v\nSDK  %+v", fast, slow)
			}
		})
	}
}

func TestFastListNeverPanics(t *testing.T) {
	base := `<ListBucketResult><Name>b</Name><Contents><Key>k&amp;</Key><Size>1</Size><LastModified>2024-01-02T03:04:05Z</LastModified></Contents></ListBucketResult>`
	for i := range len(base) {
		for _, mut := range []string{base[:i], base[:i] + "<" + base[i:], base[:i] + "&" + base[i:], strings.Replace(base, base[i:i+1], "\xff", 1)} {
			_, _ = Decode([]byte(mut))
		}
	}
}
