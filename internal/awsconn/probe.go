package awsconn

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is who the connection acts as in AWS.
type Identity struct {
	Account string
	// ARN is the caller: arn:aws:sts::<account>:assumed-role/<role>/<session>
	// when a role is assumed.
	ARN    string
	UserID string
	// SessionName is the role session name CloudTrail shows, "" without a role.
	SessionName string
	// Expires is when the current credentials lapse; zero for long-term keys.
	Expires time.Time
}

// Identity fetches the credentials (assuming the role, if any) and asks STS
// who they belong to: the cheapest proof that a connection works. Errors
// are classified.
func (s *Session) Identity(ctx context.Context) (Identity, error) {
	const doing = "checking the AWS identity"
	creds, err := s.aws.Credentials.Retrieve(ctx)
	if err != nil {
		return Identity{}, Classify(err, doing)
	}
	out, err := s.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, Classify(err, doing)
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	if creds.CanExpire {
		id.Expires = creds.Expires
		if s.role != nil {
			// The cache moved the expiry earlier by the refresh window.
			id.Expires = s.role.lastExpiry()
		}
	}
	if _, rest, ok := strings.Cut(id.ARN, ":assumed-role/"); ok {
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			id.SessionName = rest[i+1:]
		}
	}
	return id, nil
}
