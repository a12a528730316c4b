package awsconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lakemap/lakemap/internal/apperr"
)

// The error shapes the SDK produces, built by hand.

func opErr(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: err}
}

func httpErr(status int, err error) error {
	return &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
		RequestID:     "req-123",
	}
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// viaAssumeRole is how a Glue call fails when the role cannot be assumed:
// the signer's credential fetch wraps the STS error.
func viaAssumeRole(stsErr error) error {
	cause := fmt.Errorf("failed to refresh cached credentials, %w", &assumeRoleError{roleARN: testRole, err: stsErr})
	return opErr("Glue", "GetDatabases", fmt.Errorf("get identity: %w", cause))
}

func netErr(host string, cause error) error {
	return opErr("Glue", "GetDatabases", &smithyhttp.RequestSendError{Err: &url.Error{
		Op: "Post", URL: "https://" + host + "/?X-Amz-Security-Token=SECRET-TOKEN&X-Amz-Signature=SIG", Err: cause,
	}})
}

func TestClassifyConstructedErrors(t *testing.T) {
	const doing = "listing Glue databases"
	accessDenied := []string{AdviceTrustPolicy, AdviceExternalID, AdvicePermissionPolicy}
	roleNotFound := []string{AdviceRoleARNFormat, AdviceRoleAccount, AdviceRoleTypos}
	invalidCreds := []string{AdviceOwnCredentials, AdviceSTSNetwork}

	for _, tc := range []struct {
		name       string
		err        error
		kind       apperr.Kind
		wantText   []string
		wantAdvice []string
	}{
		{"Glue AccessDeniedException", opErr("Glue", "GetDatabases", httpErr(400, apiErr("AccessDeniedException", "not authorized to perform glue:GetDatabases"))),
			apperr.AccessDenied, []string{"access denied", "Glue GetDatabases returned AccessDeniedException", "HTTP 400", "request id req-123", "glue:GetDatabases"}, accessDenied},
		{"EC2 UnauthorizedOperation", opErr("EC2", "DescribeRegions", httpErr(403, apiErr("UnauthorizedOperation", "no"))),
			apperr.AccessDenied, []string{"EC2 DescribeRegions returned UnauthorizedOperation"}, accessDenied},
		{"bare HTTP 403 without a code", opErr("Athena", "ListWorkGroups", httpErr(403, &smithy.DeserializationError{Err: errors.New("EOF")})),
			apperr.AccessDenied, []string{"Athena ListWorkGroups failed (HTTP 403"}, accessDenied},
		{"moto's XML 403 on a JSON service", opErr("Glue", "GetTables", httpErr(403, &smithy.DeserializationError{
			Err:      errors.New("invalid character '<'"),
			Snapshot: []byte(`<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/lm is not authorized to perform: glue:GetTables</Message></Error></Errors></ErrorResponse>`),
		})), apperr.AccessDenied, []string{"Glue GetTables returned AccessDenied", "user/lm is not authorized"}, accessDenied},
		{"moto's XML 403 saying the key is bad", opErr("Glue", "GetTables", httpErr(403, &smithy.DeserializationError{
			Snapshot: []byte(`<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors></ErrorResponse>`),
		})), apperr.Unauthenticated, []string{"AWS rejected lakemap's own credentials", "InvalidClientTokenId"}, invalidCreds},
		{"AssumeRole refused inside a Glue call", viaAssumeRole(opErr("STS", "AssumeRole", httpErr(403, apiErr("AccessDenied", "not authorized to perform: sts:AssumeRole")))),
			apperr.AccessDenied, []string{"assuming role " + testRole + " was refused", "STS AssumeRole (for Glue GetDatabases) returned AccessDenied"},
			append(slices.Clone(accessDenied), AdviceRoleAccount, AdviceRoleTypos)},
		{"AssumeRole refused, no role known", opErr("STS", "AssumeRole", httpErr(403, apiErr("AccessDenied", "no"))),
			apperr.AccessDenied, []string{"assuming the role was refused"}, nil},
		{"IAM NoSuchEntity on the role", opErr("IAM", "GetRole", httpErr(404, apiErr("NoSuchEntity", "The role with name Reader cannot be found."))),
			apperr.NotFound, []string{"the role not found", "IAM GetRole returned NoSuchEntity"}, roleNotFound},
		{"AssumeRole NoSuchEntity", viaAssumeRole(opErr("STS", "AssumeRole", httpErr(404, apiErr("NoSuchEntity", "gone")))),
			apperr.NotFound, []string{"role " + testRole + " not found"}, roleNotFound},
		{"InvalidClientTokenId", viaAssumeRole(opErr("STS", "AssumeRole", httpErr(403, apiErr("InvalidClientTokenId", "The security token included in the request is invalid.")))),
			apperr.Unauthenticated, []string{"AWS rejected lakemap's own credentials", "InvalidClientTokenId"}, invalidCreds},
		{"SignatureDoesNotMatch", opErr("STS", "GetCallerIdentity", httpErr(403, apiErr("SignatureDoesNotMatch", "Check your AWS Secret Access Key"))),
			apperr.Unauthenticated, []string{"SignatureDoesNotMatch"}, invalidCreds},
		{"ExpiredToken", opErr("S3", "ListBuckets", httpErr(400, apiErr("ExpiredToken", "expired"))),
			apperr.Unauthenticated, []string{"have expired", "S3 ListBuckets returned ExpiredToken"}, invalidCreds},
		{"ExpiredTokenException", opErr("Glue", "GetTables", httpErr(400, apiErr("ExpiredTokenException", "expired"))),
			apperr.Unauthenticated, []string{"have expired"}, invalidCreds},
		{"UnrecognizedClientException", opErr("Athena", "ListWorkGroups", httpErr(400, apiErr("UnrecognizedClientException", "bad"))),
			apperr.Unauthenticated, nil, invalidCreds},
		{"InvalidAccessKeyId", opErr("S3", "ListBuckets", httpErr(403, apiErr("InvalidAccessKeyId", "bad"))),
			apperr.Unauthenticated, nil, invalidCreds},
		{"no credentials in the chain", opErr("Glue", "GetDatabases", fmt.Errorf("get identity: %w", fmt.Errorf("failed to refresh cached credentials, %w",
			fmt.Errorf("no EC2 IMDS role found, %w", opErr("ec2imds", "GetMetadata", errors.New("access disabled to EC2 IMDS via client option")))))),
			apperr.Unauthenticated, []string{"no AWS credentials found"}, invalidCreds},
		{"throttled after retries", opErr("Glue", "GetTables", &retry.MaxAttemptsError{Attempt: 8, Err: httpErr(400, apiErr("ThrottlingException", "Rate exceeded"))}),
			apperr.Unavailable, []string{"throttled by AWS, gave up after 8 attempts", "Glue GetTables returned ThrottlingException"}, []string{AdviceThrottled}},
		{"S3 SlowDown", opErr("S3", "ListObjectsV2", httpErr(503, apiErr("SlowDown", "Please reduce your request rate."))),
			apperr.Unavailable, []string{"throttled by AWS"}, []string{AdviceThrottled}},
		{"Athena TooManyRequestsException", opErr("Athena", "StartQueryExecution", httpErr(400, apiErr("TooManyRequestsException", "slow down"))),
			apperr.Unavailable, nil, []string{AdviceThrottled}},
		{"EC2 RequestLimitExceeded", opErr("EC2", "DescribeRegions", httpErr(503, apiErr("RequestLimitExceeded", "slow down"))),
			apperr.Unavailable, nil, []string{AdviceThrottled}},
		{"connection refused", netErr("glue.us-east-1.amazonaws.com", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}),
			apperr.Unavailable, []string{"cannot reach the AWS Glue endpoint https://glue.us-east-1.amazonaws.com", "connection refused"},
			[]string{"Verify network connectivity to AWS Glue endpoint (https://glue.us-east-1.amazonaws.com)"}},
		{"DNS failure", netErr("glue.nowhere.example", &net.DNSError{Err: "no such host", Name: "glue.nowhere.example", IsNotFound: true}),
			apperr.Unavailable, []string{"cannot reach the AWS Glue endpoint https://glue.nowhere.example", "no such host"}, nil},
		{"STS unreachable while assuming", viaAssumeRole(opErr("STS", "AssumeRole", &smithyhttp.RequestSendError{Err: &url.Error{
			Op: "Post", URL: "https://sts.us-east-1.amazonaws.com/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("i/o timeout")},
		}})), apperr.Unavailable, []string{"cannot reach the AWS STS endpoint https://sts.us-east-1.amazonaws.com"},
			[]string{AdviceOwnCredentials, "Verify network connectivity to AWS STS endpoint (https://sts.us-east-1.amazonaws.com)"}},
		{"context deadline", opErr("Glue", "GetTables", fmt.Errorf("send: %w", context.DeadlineExceeded)),
			apperr.Unavailable, []string{"cannot reach the AWS Glue endpoint", "timed out"}, []string{"Verify network connectivity to AWS Glue endpoint"}},
		{"cancelled", opErr("Glue", "GetTables", context.Canceled), apperr.Unavailable, []string{"cancelled"}, nil},
		{"cancelled while assuming the role", opErr("Glue", "GetDatabases", fmt.Errorf("get identity: %w", fmt.Errorf("failed to refresh cached credentials, %w",
			context.Canceled))), apperr.Unavailable, []string{"cancelled"}, nil},
		{"EntityNotFoundException", opErr("Glue", "GetTable", httpErr(400, apiErr("EntityNotFoundException", "Table orders not found."))),
			apperr.NotFound, []string{": not found: Glue GetTable returned EntityNotFoundException", "Table orders not found."}, nil},
		{"S3 NoSuchBucket", opErr("S3", "GetBucketPolicy", httpErr(404, apiErr("NoSuchBucket", "gone"))), apperr.NotFound, nil, nil},
		{"ValidationException", opErr("DataZone", "ListDomains", httpErr(400, apiErr("ValidationException", "maxResults too big"))),
			apperr.Invalid, []string{"rejected the request as invalid", "DataZone ListDomains returned ValidationException"}, nil},
		{"InvalidInputException", opErr("Glue", "GetPartitions", httpErr(400, apiErr("InvalidInputException", "bad expression"))), apperr.Invalid, nil, nil},
		{"AlreadyExistsException", opErr("Glue", "CreateDatabase", httpErr(400, apiErr("AlreadyExistsException", "exists"))), apperr.Conflict, nil, nil},
		{"InternalServiceException", opErr("Glue", "GetTables", httpErr(500, apiErr("InternalServiceException", "oops"))), apperr.Unavailable, []string{"retry later"}, nil},
		{"unknown code", opErr("Glue", "GetTables", httpErr(400, apiErr("FederationSourceException", "odd"))),
			apperr.Internal, []string{"unexpected AWS error", "Glue GetTables returned FederationSourceException"}, nil},
		{"no operation at all", errors.New("something odd"), apperr.Internal, []string{"unexpected AWS error", "something odd"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Classify(tc.err, doing)
			if got := apperr.KindOf(err); got != tc.kind {
				t.Errorf("kind = %v, want %v (%v)", got, tc.kind, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, doing+": ") {
				t.Errorf("message %q does not start with what was being done", msg)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			for _, secret := range []string{"SECRET-TOKEN", "SIG", "operation error", "https response error"} {
				if strings.Contains(msg, secret) {
					t.Errorf("message %q shows %q", msg, secret)
				}
			}
			if advice := apperr.AdviceOf(err); tc.wantAdvice != nil && !slices.Equal(advice, tc.wantAdvice) {
				t.Errorf("advice = %q\nwant     %q", advice, tc.wantAdvice)
			}
			if !errors.Is(err, tc.err) {
				t.Error("the SDK error is not in the chain")
			}
		})
	}
}

func TestClassifyKeepsAnEarlierClassification(t *testing.T) {
	inner := Classify(opErr("Glue", "GetTables", httpErr(400, apiErr("AccessDeniedException", "no"))), "listing Glue tables in \"sales\"")
	err := Classify(inner, "scanning connection prod")
	if !apperr.Is(err, apperr.AccessDenied) || !strings.HasPrefix(err.Error(), "scanning connection prod: listing Glue tables in \"sales\": access denied") {
		t.Errorf("err = %v", err)
	}
	if len(apperr.AdviceOf(err)) != 3 {
		t.Errorf("advice = %q", apperr.AdviceOf(err))
	}
	if Classify(nil, "x") != nil {
		t.Error("Classify(nil) is not nil")
	}
}

func TestAdviceQuotesTheVendorGuide(t *testing.T) {
	// The guide's bullets, with Chicory replaced by lakemap and the
	// Markdown code marks dropped.
	guide := `**Error: "Access Denied"**
- Verify the IAM role trust policy includes lakemap's account ID
- Confirm the external ID matches
- Check that permissions policy is attached to the role

**Error: "Role not found"**
- Verify the role ARN format: arn:aws:iam::{account}:role/{name}
- Confirm the role exists in the correct AWS account
- Check for typos in the role name

**Error: "Invalid credentials"**
- Check that lakemap's AWS account credentials are properly configured
- Verify network connectivity to AWS STS endpoint`
	for _, a := range append(append(accessDeniedAdvice(), roleNotFoundAdvice()...), invalidCredentialsAdvice()...) {
		if !strings.Contains(guide, "- "+a+"\n") && !strings.HasSuffix(guide, "- "+a) {
			t.Errorf("advice %q is not a bullet of the guide", a)
		}
	}
}
