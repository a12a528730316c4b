package awsconn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestErrorCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), ""},
		{"api error", &smithy.GenericAPIError{Code: "NoSuchKey"}, "NoSuchKey"},
		{"wrapped", fmt.Errorf("reading: %w", opErr("S3", "GetObject", &smithy.GenericAPIError{Code: "InvalidRange"})), "InvalidRange"},
		{"classified", Classify(&smithy.GenericAPIError{Code: "AccessDenied"}, "listing"), "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.err); got != tc.want {
				t.Errorf("ErrorCode = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBucketRegion(t *testing.T) {
	for constraint, want := range map[string]string{"": "us-east-1", "EU": "eu-west-1", "eu-central-1": "eu-central-1", "us-west-2": "us-west-2"} {
		t.Run(constraint, func(t *testing.T) {
			if got := BucketRegion(constraint); got != want {
				t.Errorf("BucketRegion(%q) = %q, want %q", constraint, got, want)
			}
		})
	}
}

// TestClientsAreSharedPerServiceAndRegion: one client per service and
// region, the connection's own region under both "" and its name.
func TestClientsAreSharedPerServiceAndRegion(t *testing.T) {
	s := fakeSession(t, "http://127.0.0.1:1", Config{Region: "eu-west-1"}, Options{})
	if s.S3("") != s.S3("eu-west-1") {
		t.Error("S3(\"\") and S3 of the connection's region are different clients")
	}
	if s.S3("us-east-1") == s.S3("eu-west-1") {
		t.Error("two regions share one S3 client")
	}
	for name, build := range map[string]func() any{
		"CloudWatch": func() any { return s.CloudWatch("us-east-1") },
		"Glue":       func() any { return s.Glue() },
		"Athena":     func() any { return s.Athena() },
		"STS":        func() any { return s.STS() },
		"DataZone":   func() any { return s.DataZone() },
		"IAM":        func() any { return s.IAM() },
	} {
		if build() != build() {
			t.Errorf("%s client built twice", name)
		}
	}
	if got := s.S3("ap-southeast-2").Options().Region; got != "ap-southeast-2" {
		t.Errorf("S3 client region %q", got)
	}
	if got := s.Glue().Options().Region; got != "eu-west-1" {
		t.Errorf("Glue client region %q", got)
	}
}

// TestS3ClientUsesSessionEndpointAndLimiter: the session's S3 client goes
// to endPointURL by path, gives its limiter slot back, and its listing
// decodes entities as the SDK does.
func TestS3ClientUsesSessionEndpointAndLimiter(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<ListBucketResult><Name>b</Name><KeyCount>1</KeyCount><Contents><Key>a&amp;b</Key><Size>3</Size></Contents></ListBucketResult>`)
	}))
	defer srv.Close()
	s := fakeSession(t, srv.URL, Config{}, Options{MaxConcurrency: 1})
	out, err := s.S3("eu-west-1").ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "a&b" || aws.ToInt64(out.Contents[0].Size) != 3 {
		t.Errorf("listing %+v", out.Contents)
	}
	if len(paths) != 1 || !strings.HasPrefix(paths[0], "/b") {
		t.Errorf("requests %v, want one path-style request to /b", paths)
	}
	if len(s.limiter) != 0 {
		t.Errorf("%d limiter slots still held after the call", len(s.limiter))
	}
}

// TestCloudWatchSpeaksQuery: the pinned CloudWatch client defaults to CBOR,
// which moto cannot answer (see NewCloudWatchClient).
func TestCloudWatchSpeaksQuery(t *testing.T) {
	s := fakeSession(t, "http://127.0.0.1:1", Config{}, Options{})
	for name, c := range map[string]*cloudwatch.Client{"session": s.CloudWatch("us-west-2"), "bare": NewCloudWatchClient(s.AWS())} {
		if got := fmt.Sprintf("%T", c.Options().Protocol); !strings.Contains(got, "awsquery") {
			t.Errorf("%s client protocol %s, want awsquery", name, got)
		}
	}
}
