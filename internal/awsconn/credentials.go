package awsconn

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Assumed-role credentials are refreshed before they expire, so that no
// call goes out signed with credentials about to lapse. The margin is a
// share of the credentials' lifetime, capped: a fixed margin longer than
// the lifetime (a two-minute window against one-minute credentials from a
// role chain or a test STS) would make every call assume the role again.
const (
	// maxRefreshWindow is the margin for AWS's 15-minute sessions and
	// longer: refresh two minutes before expiry.
	maxRefreshWindow = 2 * time.Minute
	// refreshShare is the part of a shorter lifetime given to the margin:
	// one-minute credentials are refreshed after 45 s.
	refreshShare = 4
	// assumeRoleTimeout bounds one AssumeRole, retries included.
	// aws.CredentialsCache fetches for every waiting call at once and
	// ignores their cancellation, so an STS endpoint that never answers
	// would otherwise hold every later call of the connection.
	assumeRoleTimeout = time.Minute
)

// refreshWindow is how long before expiry credentials of the given
// lifetime are replaced.
func refreshWindow(lifetime time.Duration) time.Duration {
	return min(maxRefreshWindow, max(lifetime, 0)/refreshShare)
}

// roleProvider assumes the role and marks failures with it, so Classify can
// say which role was refused: the SDK's error does not name it. It tells
// aws.CredentialsCache how early to refresh (AdjustExpiresBy) and keeps
// the real expiry of the last credentials for Identity.
type roleProvider struct {
	provider aws.CredentialsProvider
	roleARN  string
	now      func() time.Time
	expires  atomic.Pointer[time.Time] // the last credentials' real expiry
}

func newRoleProvider(p aws.CredentialsProvider, roleARN string) *roleProvider {
	return &roleProvider{provider: p, roleARN: roleARN, now: time.Now}
}

func (p *roleProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	ctx, cancel := context.WithTimeout(ctx, assumeRoleTimeout)
	defer cancel()
	c, err := p.provider.Retrieve(ctx)
	if err != nil {
		return c, &assumeRoleError{roleARN: p.roleARN, err: err}
	}
	if c.CanExpire {
		p.expires.Store(&c.Expires)
	}
	return c, nil
}

// AdjustExpiresBy is called by aws.CredentialsCache with minus its
// ExpiryWindow (maxRefreshWindow): the cache treats the credentials as
// expired once the returned Expires passes.
func (p *roleProvider) AdjustExpiresBy(c aws.Credentials, by time.Duration) (aws.Credentials, error) {
	if !c.CanExpire {
		return c, nil
	}
	c.Expires = c.Expires.Add(-min(-by, refreshWindow(c.Expires.Sub(p.now()))))
	return c, nil
}

// lastExpiry is when the credentials last assumed really expire.
func (p *roleProvider) lastExpiry() time.Time {
	if t := p.expires.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

type assumeRoleError struct {
	roleARN string
	err     error
}

func (e *assumeRoleError) Error() string { return "assuming role " + e.roleARN + ": " + e.err.Error() }
func (e *assumeRoleError) Unwrap() error { return e.err }
