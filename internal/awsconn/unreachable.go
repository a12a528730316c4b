package awsconn

import (
	"errors"
	"net"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// unreachableNotRetryable stops retries of connection refusals and unknown
// hosts; every other error is left to the standard retry rules.
func unreachableNotRetryable(err error) aws.Ternary {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return aws.FalseTernary
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}
