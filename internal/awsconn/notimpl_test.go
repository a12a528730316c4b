package awsconn

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
)

const motoCrashPage = `<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request.</p>`

// Each way an endpoint says "no such operation" must be recognised, never
// retried, and presented as such; a real AWS 500 must still be retried.
func TestNotImplementedIsNeverRetried(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		wantNotImpl bool
		wantCalls   int
	}{
		{"moto's HTML 500", 500, "text/html; charset=utf-8", motoCrashPage, true, 1},
		{"LocalStack's 501", 501, "application/x-amz-json-1.1",
			`{"__type":"InternalFailure","message":"API action 'GetColumnStatisticsForTable' for service 'glue' not yet implemented or pro feature"}`, true, 1},
		{"bare 501", 501, "text/plain", "", true, 1},
		{"UnknownOperationException", 400, "application/x-amz-json-1.1", `{"__type":"UnknownOperationException"}`, true, 1},
		{"InvalidAction", 400, "text/xml", `<ErrorResponse><Error><Code>InvalidAction</Code><Message>no such action</Message></Error></ErrorResponse>`, true, 1},
		{"AWS's own 500 is retried", 500, "application/x-amz-json-1.1", `{"__type":"InternalServiceException","message":"oops"}`, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			s := fakeSession(t, srv.URL, Config{}, Options{MaxAttempts: 3})
			_, err := s.Glue().GetColumnStatisticsForTable(context.Background(), &glue.GetColumnStatisticsForTableInput{
				DatabaseName: aws.String("d"), TableName: aws.String("t"), ColumnNames: []string{"c"}})
			if err == nil {
				t.Fatal("no error")
			}
			if got := NotImplemented(err); got != tc.wantNotImpl {
				t.Errorf("NotImplemented = %v, want %v (%v)", got, tc.wantNotImpl, err)
			}
			if got := int(calls.Load()); got != tc.wantCalls {
				t.Errorf("calls = %d, want %d", got, tc.wantCalls)
			}
			c := Classify(err, "reading column statistics")
			if NotImplemented(c) != tc.wantNotImpl {
				t.Errorf("classification lost the class: %v", c)
			}
			if tc.wantNotImpl {
				if !strings.Contains(c.Error(), "the endpoint does not implement this operation") || !strings.Contains(c.Error(), "Glue GetColumnStatisticsForTable") {
					t.Errorf("message = %q", c)
				}
				if strings.Contains(c.Error(), "lakemap.") {
					t.Errorf("message shows lakemap's internal marker: %q", c)
				}
				if a := apperr.AdviceOf(c); len(a) != 1 || a[0] != AdviceNotImplemented {
					t.Errorf("advice = %q", a)
				}
			}
		})
	}
}

func TestNotImplementedOfOtherErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"access denied", opErr("Glue", "GetTables", httpErr(403, apiErr("AccessDeniedException", "no"))), false},
		{"throttled", opErr("Glue", "GetTables", httpErr(400, apiErr("ThrottlingException", "Rate exceeded"))), false},
		{"InternalFailure saying not implemented", opErr("Glue", "GetTables", httpErr(500, apiErr("InternalFailure", "action has not been implemented"))), true},
		{"validation error mentioning implementation", opErr("Glue", "GetTables", httpErr(400, apiErr("ValidationException", "not implemented for this type"))), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NotImplemented(tc.err); got != tc.want {
				t.Errorf("NotImplemented = %v, want %v", got, tc.want)
			}
		})
	}
}

// moto's HTML crash page must read as "not implemented" whatever the
// protocol's error decoder makes of it: the awsQuery decoder (IAM,
// CloudWatch) fails on HTML with an error that is not a
// DeserializationError, and connection test's IAM policy simulation once
// retried it for 30 s.
func TestMotoCrashPageInEveryProtocol(t *testing.T) {
	for _, tc := range []struct {
		protocol string
		call     func(s *Session) error
	}{
		{"awsJson1_1 (Glue)", func(s *Session) error {
			_, err := s.Glue().GetDatabases(context.Background(), &glue.GetDatabasesInput{})
			return err
		}},
		{"awsQuery (IAM)", func(s *Session) error {
			_, err := s.IAM().SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String("arn:aws:iam::123456789012:role/r"), ActionNames: []string{"s3:GetObject"}})
			return err
		}},
		{"restXml (S3)", func(s *Session) error {
			_, err := s.S3("us-east-1").GetBucketAcl(context.Background(), &s3.GetBucketAclInput{Bucket: aws.String("b")})
			return err
		}},
	} {
		t.Run(tc.protocol, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(motoCrashPage))
			}))
			defer srv.Close()
			err := tc.call(fakeSession(t, srv.URL, Config{}, Options{MaxAttempts: 3}))
			if !NotImplemented(err) {
				t.Errorf("NotImplemented = false for %v", err)
			}
			if got := calls.Load(); got != 1 {
				t.Errorf("calls = %d, want 1 (never retried)", got)
			}
		})
	}
}
