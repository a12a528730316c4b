package awsconn

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// facts are what an SDK error chain says about a failure.
type facts struct {
	outer, inner  *smithy.OperationError // first and innermost operation
	code, message string
	status        int
	requestID     string
	attempts      int
	roleARN       string
	endpoint      string
	netErr        error
	network       bool
	deadline      bool
	canceled      bool
	noCredentials bool
}

func inspect(err error) facts {
	var f facts
	walk(err, func(e error) {
		switch e := e.(type) {
		case *smithy.OperationError:
			if f.outer == nil {
				f.outer = e
			}
			f.inner = e
			// The default chain's last resort is the EC2 instance metadata
			// service; its failure means no credentials were found.
			if e.ServiceID == "ec2imds" {
				f.noCredentials = true
			}
		case *awshttp.ResponseError:
			if f.status == 0 {
				f.status = e.HTTPStatusCode()
			}
			if f.requestID == "" {
				f.requestID = e.ServiceRequestID()
			}
		case *smithyhttp.ResponseError:
			if f.status == 0 {
				f.status = e.HTTPStatusCode()
			}
		case *smithy.DeserializationError:
			// moto answers denied JSON-protocol calls with an XML body; the
			// SDK keeps its start in the snapshot.
			if f.code == "" {
				f.code, f.message = xmlErrorInfo(e.Snapshot)
			}
		case *retry.MaxAttemptsError:
			f.attempts = e.Attempt
		case *assumeRoleError:
			f.roleARN = e.roleARN
		case *url.Error:
			if u, perr := url.Parse(e.URL); perr == nil && u.Host != "" {
				f.endpoint = u.Scheme + "://" + u.Host
			}
		case *net.OpError, *net.DNSError:
			f.netErr, f.network = e, true
		case *smithyhttp.RequestSendError:
			f.network = true
		case *awshttp.ResponseTimeoutError:
			f.deadline = true
		}
		if ae, ok := e.(smithy.APIError); ok && f.code == "" {
			f.code, f.message = ae.ErrorCode(), ae.ErrorMessage()
		}
		if ne, ok := e.(net.Error); ok && ne.Timeout() {
			f.deadline = true
		}
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		f.deadline = true
	case errors.Is(err, context.Canceled):
		f.canceled = true
	}
	// A failed STS call means the base credentials were found.
	stsFailed := f.inner != nil && f.inner.ServiceID == "STS"
	if f.code == "" && !f.network && !f.deadline && !f.canceled && !stsFailed && looksLikeNoCredentials(err) {
		f.noCredentials = true
	}
	return f
}

// walk visits every error in err's tree, outermost first.
func walk(err error, visit func(error)) {
	for err != nil {
		visit(err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, visit)
			}
			return
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return
		}
	}
}

// looksLikeNoCredentials recognises the credential chain's own errors,
// which carry no type of their own.
func looksLikeNoCredentials(err error) bool {
	s := err.Error()
	for _, m := range []string{"no EC2 IMDS role found", "failed to refresh cached credentials", "failed to retrieve credentials", "get identity:", "anonymous credentials"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// xmlErrorInfo reads the code and message of an XML error body, in the
// query protocol's or S3's shape.
func xmlErrorInfo(body []byte) (code, message string) {
	if !bytes.Contains(body, []byte("<Code>")) {
		return "", ""
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var current string
	for {
		tok, err := dec.Token()
		if err != nil {
			return code, message
		}
		switch t := tok.(type) {
		case xml.StartElement:
			current = t.Name.Local
		case xml.EndElement:
			current = ""
		case xml.CharData:
			switch {
			case current == "Code" && code == "":
				code = strings.TrimSpace(string(t))
			case current == "Message" && message == "":
				message = strings.TrimSpace(string(t))
			}
		}
	}
}

// signedParam matches presigned-URL parameters that must not reach a
// message or a log.
var signedParam = regexp.MustCompile(`(?i)(X-Amz-Security-Token|X-Amz-Signature|X-Amz-Credential|Signature|AWSAccessKeyId|SessionToken)=[^&\s"']+`)

func redact(s string) string { return signedParam.ReplaceAllString(s, "${1}=REDACTED") }
