package awsconn

import (
	"errors"

	"github.com/aws/smithy-go"
)

// ErrorCode is the AWS error code in err's chain ("NoSuchKey",
// "InvalidRange"...), or "" when there is none. Callers that branch on one
// specific answer use it; everything shown to users goes through Classify.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
