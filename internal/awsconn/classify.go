package awsconn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Advice from the vendor guide's Troubleshooting section, one constant per
// bullet, so that onboarding docs and tests can quote the same words.
const (
	// "Access Denied"
	AdviceTrustPolicy      = "Verify the IAM role trust policy includes lakemap's account ID"
	AdviceExternalID       = "Confirm the external ID matches"
	AdvicePermissionPolicy = "Check that permissions policy is attached to the role"
	// "Role not found"
	AdviceRoleARNFormat = "Verify the role ARN format: arn:aws:iam::{account}:role/{name}"
	AdviceRoleAccount   = "Confirm the role exists in the correct AWS account"
	AdviceRoleTypos     = "Check for typos in the role name"
	// "Invalid credentials"
	AdviceOwnCredentials = "Check that lakemap's AWS account credentials are properly configured"
	AdviceSTSNetwork     = "Verify network connectivity to AWS STS endpoint"
	// Throttling: not in the guide, but as actionable.
	AdviceThrottled = "AWS is throttling these calls: retry later, or lower this connection's concurrency so fewer calls run at once"
	// An emulator or AWS-compatible endpoint without the operation.
	AdviceNotImplemented = "This endpoint (an emulator or an AWS-compatible service) lacks the operation: turn off the workflow option that needs it"
)

func accessDeniedAdvice() []string {
	return []string{AdviceTrustPolicy, AdviceExternalID, AdvicePermissionPolicy}
}

func roleNotFoundAdvice() []string {
	return []string{AdviceRoleARNFormat, AdviceRoleAccount, AdviceRoleTypos}
}

func invalidCredentialsAdvice() []string {
	return []string{AdviceOwnCredentials, AdviceSTSNetwork}
}

// endpointAdvice names the endpoint that could not be reached.
func endpointAdvice(service, endpoint string) string {
	if service == "" {
		service = "service"
	}
	if endpoint == "" {
		return fmt.Sprintf("Verify network connectivity to AWS %s endpoint", service)
	}
	return fmt.Sprintf("Verify network connectivity to AWS %s endpoint (%s)", service, endpoint)
}

// Error codes by what the user can do about them.
var (
	accessDeniedCodes = codeSet("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
		"UnauthorizedException", "AuthorizationError", "Forbidden", "AllAccessDisabled", "KmsAccessDeniedException")
	roleNotFoundCodes = codeSet("NoSuchEntity", "NoSuchEntityException")
	unauthCodes       = codeSet("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
		"UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken", "TokenRefreshRequired",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "IncompleteSignature",
		"IncompleteSignatureException", "InvalidSignatureException", "AuthFailure")
	throttleCodes = codeSet("ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
		"SlowDown", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
		"ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "EC2ThrottledException")
	notFoundCodes = codeSet("EntityNotFoundException", "ResourceNotFoundException", "NoSuchBucket", "NoSuchKey",
		"NotFound", "NotFoundException", "NoSuchBucketPolicy", "NoSuchTagSet")
	invalidCodes = codeSet("ValidationException", "ValidationError", "InvalidInputException", "InvalidInput",
		"InvalidParameterValue", "InvalidParameterValueException", "InvalidParameterCombination",
		"InvalidParameterCombinationException", "InvalidParameterException", "InvalidParameter",
		"InvalidRequestException", "InvalidRequest", "MissingParameter", "MissingRequiredParameterException",
		"MalformedPolicyDocument", "MalformedPolicyDocumentException", "SerializationException",
		"InvalidBucketName", "InvalidArgument", "RegionDisabledException", "PackedPolicyTooLarge",
		"PackedPolicyTooLargeException")
	conflictCodes = codeSet("AlreadyExistsException", "EntityAlreadyExists", "EntityAlreadyExistsException",
		"ConflictException", "ConcurrentModificationException", "BucketAlreadyExists",
		"BucketAlreadyOwnedByYou", "ResourceInUseException", "IdempotentParameterMismatchException")
	serverCodes = codeSet("InternalFailure", "InternalError", "InternalServerException", "InternalServiceException",
		"InternalServerError", "ServiceUnavailable", "ServiceUnavailableException", "ServiceFailure",
		"ServiceFailureException", "RequestTimeout", "RequestTimeoutException", "OperationTimeoutException")
)

func codeSet(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// Classify turns an error from an AWS call into an *apperr.Error whose kind
// says what the user can do, whose advice is the vendor guide's
// troubleshooting, and whose message names what was being done (doing,
// e.g. "listing Glue databases"), the AWS service and operation, and the
// error code. The SDK error stays in the chain for errors.As. nil stays nil.
func Classify(err error, doing string) error {
	if err == nil {
		return nil
	}
	var classified *apperr.Error
	if errors.As(err, &classified) {
		return &apperr.Error{Kind: classified.Kind, Msg: doing, Err: err}
	}
	f := inspect(err)
	call := f.callError(err)
	kind, summary, advice := decide(f, call)
	return &apperr.Error{Kind: kind, Msg: doing + ": " + summary, Advice: advice, Err: call}
}

// decide picks the kind, the one-line summary and the advice.
func decide(f facts, call *CallError) (apperr.Kind, string, []string) {
	code := call.Code
	assuming := f.roleARN != "" || call.Service == "STS" && strings.HasPrefix(call.Operation, "AssumeRole")
	role := "the role"
	if call.RoleARN != "" {
		role = "role " + call.RoleARN
	}
	switch {
	case unauthCodes[code]:
		if strings.HasPrefix(code, "Expired") {
			return apperr.Unauthenticated, "lakemap's AWS credentials have expired", invalidCredentialsAdvice()
		}
		return apperr.Unauthenticated, "AWS rejected lakemap's own credentials", invalidCredentialsAdvice()
	case roleNotFoundCodes[code] && (assuming || call.Service == "IAM"):
		return apperr.NotFound, role + " not found", roleNotFoundAdvice()
	case accessDeniedCodes[code] || code == "" && call.HTTPStatus == http.StatusForbidden:
		if assuming {
			// AWS answers AccessDenied, never "no such role", when the
			// role does not exist, so both sets of advice apply.
			return apperr.AccessDenied, "assuming " + role + " was refused",
				append(accessDeniedAdvice(), AdviceRoleAccount, AdviceRoleTypos)
		}
		return apperr.AccessDenied, "access denied", accessDeniedAdvice()
	case notImplemented(f.code, call.Message, call.HTTPStatus):
		return apperr.Unavailable, "the endpoint does not implement this operation", []string{AdviceNotImplemented}
	case throttleCodes[code] || code == "" && call.HTTPStatus == http.StatusTooManyRequests:
		s := "throttled by AWS"
		if f.attempts > 0 {
			s = fmt.Sprintf("throttled by AWS, gave up after %d attempts", f.attempts)
		}
		return apperr.Unavailable, s, []string{AdviceThrottled}
	case roleNotFoundCodes[code] || notFoundCodes[code] || code == "" && call.HTTPStatus == http.StatusNotFound:
		return apperr.NotFound, "not found", nil
	case invalidCodes[code]:
		return apperr.Invalid, "AWS rejected the request as invalid", nil
	case conflictCodes[code]:
		return apperr.Conflict, "conflicts with existing AWS state", nil
	case serverCodes[code] || code == "" && (call.HTTPStatus == http.StatusServiceUnavailable || call.HTTPStatus == http.StatusBadGateway || call.HTTPStatus == http.StatusGatewayTimeout):
		return apperr.Unavailable, "AWS failed to answer, retry later", nil
	case code == "" && call.HTTPStatus == http.StatusUnauthorized:
		return apperr.Unauthenticated, "AWS rejected lakemap's own credentials", invalidCredentialsAdvice()
	case f.canceled:
		// Before the credential checks: a call cancelled while the
		// credentials were being fetched says nothing about them.
		return apperr.Unavailable, "cancelled", nil
	case f.noCredentials:
		return apperr.Unauthenticated, "no AWS credentials found: set awsAccessKeyId and awsSecretAccessKey, or profileName, or run where the default credential chain finds some",
			invalidCredentialsAdvice()
	case f.network || f.deadline:
		service := call.Service
		s := fmt.Sprintf("cannot reach the AWS %s endpoint", orDefault(service, "service"))
		if call.Endpoint != "" {
			s += " " + call.Endpoint
		}
		if f.deadline {
			s += " (timed out)"
		}
		advice := []string{endpointAdvice(service, call.Endpoint)}
		if service == "STS" {
			advice = append([]string{AdviceOwnCredentials}, advice...)
		}
		return apperr.Unavailable, s, advice
	}
	return apperr.Internal, "unexpected AWS error", nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CallError describes the failed AWS call behind a classified error.
// Error() renders only these fields, never the SDK's own text, which may
// hold URLs with signed query strings.
type CallError struct {
	Service    string // e.g. "Glue", "STS"
	Operation  string // e.g. "GetDatabases", "AssumeRole"
	Via        string // the call that needed it, e.g. "Glue GetDatabases" for an AssumeRole
	Code       string // AWS error code, e.g. "AccessDeniedException"
	Message    string // AWS error message
	HTTPStatus int
	RequestID  string
	Attempts   int    // attempts made when the retryer gave up, else 0
	Endpoint   string // scheme://host of an unreachable endpoint
	RoleARN    string // the role being assumed, when that failed
	Err        error  // the SDK error
}

func (e *CallError) Error() string {
	var b strings.Builder
	if e.Service != "" {
		b.WriteString(e.Service + " " + e.Operation)
	} else {
		b.WriteString("AWS call")
	}
	if e.Via != "" {
		b.WriteString(" (for " + e.Via + ")")
	}
	var meta []string
	if e.HTTPStatus != 0 {
		meta = append(meta, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.RequestID != "" {
		meta = append(meta, "request id "+e.RequestID)
	}
	switch {
	case e.Code != "":
		b.WriteString(" returned " + e.Code)
	case len(meta) > 0:
		b.WriteString(" failed")
	}
	if len(meta) > 0 {
		b.WriteString(" (" + strings.Join(meta, ", ") + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

func (e *CallError) Unwrap() error { return e.Err }

func (f facts) callError(err error) *CallError {
	c := &CallError{
		Code: f.code, Message: f.message, HTTPStatus: f.status, RequestID: f.requestID,
		Attempts: f.attempts, Endpoint: f.endpoint, RoleARN: f.roleARN, Err: err,
	}
	if c.Code == codeEndpointHTMLError {
		// lakemap's own marker, not AWS's: the message says it.
		c.Code = ""
	}
	if f.inner != nil {
		c.Service, c.Operation = f.inner.ServiceID, f.inner.OperationName
		if f.outer != f.inner {
			c.Via = f.outer.ServiceID + " " + f.outer.OperationName
		}
	}
	// A status without a code says enough; the SDK's text would only
	// repeat it.
	if c.Message == "" && c.Code == "" && c.HTTPStatus == 0 {
		c.Message = f.detail(err)
	}
	c.Message = redact(c.Message)
	return c
}

// detail is the most specific text about a failure without an AWS error
// code: the network error, or the innermost error.
func (f facts) detail(err error) string {
	switch {
	case f.netErr != nil:
		return f.netErr.Error()
	case f.deadline:
		return context.DeadlineExceeded.Error()
	case f.canceled:
		return context.Canceled.Error()
	}
	if f.inner != nil && f.inner.Err != nil {
		err = f.inner.Err
	}
	return err.Error()
}
