package awsconn

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// An endpoint that does not implement an operation says so in many ways:
// AWS answers UnknownOperationException or InvalidAction (for an operation
// the region or the API version lacks), LocalStack and S3-compatible stores
// answer HTTP 501, moto raises NotImplementedError, which its server turns
// into a bare HTML "500 Internal Server Error" page. None of these answers
// changes on a retry, so they are never retried (see notImplementedNotRetryable),
// and scans turn the optional enrichment off instead of asking again.

// notImplementedCodes are AWS error codes meaning "no such operation here".
var notImplementedCodes = codeSet("UnknownOperationException", "UnknownOperation", "InvalidAction",
	"NotImplemented", "NotImplementedException", "UnsupportedOperation", "UnsupportedOperationException",
	"OperationNotSupportedException")

// notImplementedPhrases are what emulators put in the message of an error
// that has a generic code (LocalStack: InternalFailure "... not yet
// implemented or pro feature").
var notImplementedPhrases = []string{"not yet implemented", "has not been implemented", "is not implemented",
	"not implemented", "unknown operation"}

// codeEndpointHTMLError is the code lakemap gives an HTTP 500 whose body is an
// HTML page: AWS's own 5xx answers always carry an error code in its
// protocol's shape (JSON or XML), so an HTML page is an emulator's (moto's
// server) or a web server's crash page, which a retry does not change.
const codeEndpointHTMLError = "lakemap.EndpointHTMLError"

// NotImplemented reports whether err says that the endpoint does not
// implement the operation at all (as opposed to failing this once). Such an
// error is never retried; an optional enrichment that gets it is turned off
// for the rest of the scan.
func NotImplemented(err error) bool {
	if err == nil {
		return false
	}
	f := inspect(err)
	return notImplemented(f.code, f.message, f.status)
}

func notImplemented(code, message string, status int) bool {
	switch {
	case status == http.StatusNotImplemented, notImplementedCodes[code], code == codeEndpointHTMLError:
		return true
	case code == "" || serverCodes[code] || code == "UnknownError":
		m := strings.ToLower(message)
		for _, p := range notImplementedPhrases {
			if strings.Contains(m, p) {
				return true
			}
		}
	}
	return false
}

// notImplementedNotRetryable keeps the retryer from asking again for an
// operation the endpoint lacks; other errors are left to the standard rules.
func notImplementedNotRetryable(err error) aws.Ternary {
	var ae smithy.APIError
	status := 0
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	code, msg := "", ""
	if errors.As(err, &ae) {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
	}
	if notImplemented(code, msg, status) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// looksLikeHTML says whether an error body is a web page rather than an AWS
// error document.
func looksLikeHTML(body []byte) bool {
	b := bytes.ToLower(bytes.TrimSpace(body))
	if len(b) > 512 {
		b = b[:512]
	}
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html")) ||
		bytes.Contains(b, []byte("<title>500 internal server error</title>"))
}
