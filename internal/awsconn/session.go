package awsconn

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Options tune a Session beyond what the workflow YAML says.
type Options struct {
	// ServiceName names the connection; it goes into the default role
	// session name so CloudTrail shows who called.
	ServiceName string
	// MaxConcurrency bounds in-flight AWS calls for this connection. 0 means
	// DefaultMaxConcurrency.
	MaxConcurrency int
	// MaxAttempts bounds retries of throttled and transient calls. 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// MaxBackoff caps the jittered wait between attempts. 0 means
	// DefaultMaxBackoff; tests set it tiny so that retried throttles are
	// fast.
	MaxBackoff time.Duration
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Defaults for Options.
const (
	DefaultMaxConcurrency = 16
	DefaultMaxAttempts    = 8
	DefaultMaxBackoff     = 20 * time.Second
)

// Session is a resolved connection: an aws.Config whose credentials come from
// the base chain or static keys and, when a role is given, from AssumeRole
// with the External ID, cached and refreshed before expiry.
type Session struct {
	cfg     Config
	aws     aws.Config
	limiter chan struct{}
	logger  *slog.Logger
	role    *roleProvider // nil without assumeRoleArn

	calls atomic.Int64 // see calls.go

	mu      sync.Mutex
	clients map[clientKey]any  // see clients.go
	pacers  map[paceKey]*pacer // see pace.go
}

// NewSession validates cfg and builds the session. It makes no network call:
// credentials are fetched lazily by the first AWS call.
func NewSession(ctx context.Context, cfg Config, opts Options) (*Session, error) {
	cfg = cfg.WithDefaults(opts.ServiceName)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = DefaultMaxConcurrency
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Session{cfg: cfg, limiter: make(chan struct{}, opts.MaxConcurrency), logger: opts.Logger, clients: map[clientKey]any{}, pacers: map[paceKey]*pacer{}}

	loadOpts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(cfg.Region),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = opts.MaxAttempts
				o.MaxBackoff = opts.MaxBackoff
				o.Backoff = throttleBackoff{std: retry.NewExponentialJitterBackoff(opts.MaxBackoff)}
				// The default token bucket gives up on a throttling storm
				// after a handful of retries; a scan would rather wait.
				o.RateLimiter = noRateLimit{}
				o.Retryables = Retryables(o.Retryables)
			})
		}),
	}
	if opts.HTTPClient != nil {
		loadOpts = append(loadOpts, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	if cfg.ProfileName != "" {
		loadOpts = append(loadOpts, awsconfig.WithSharedConfigProfile(cfg.ProfileName))
	}
	if cfg.AccessKeyID != "" {
		loadOpts = append(loadOpts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	base, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	var noProfile awsconfig.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &noProfile):
		return nil, apperr.Wrap(apperr.Invalid, err, "profileName: profile %q is not in the shared AWS config files", cfg.ProfileName)
	case err != nil:
		return nil, apperr.Wrap(apperr.Invalid, err, "loading the AWS configuration")
	}
	if cfg.EndpointURL != "" {
		base.BaseEndpoint = aws.String(cfg.EndpointURL)
	}
	base.APIOptions = append(base.APIOptions, s.paceMiddleware, s.limitMiddleware, s.countCalls, recoverErrorCodes)

	if cfg.AssumeRoleARN != "" {
		// The base credentials call AssumeRole: this client cannot be the
		// session's own STS client, which signs with the role.
		stsClient := sts.NewFromConfig(base)
		provider := stscreds.NewAssumeRoleProvider(stsClient, cfg.AssumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = cfg.AssumeRoleSessionName
			o.Duration = SessionDurationSeconds * time.Second
			if cfg.AssumeRoleExternalID != "" {
				o.ExternalID = aws.String(cfg.AssumeRoleExternalID)
			}
			if cfg.AssumeRoleSourceIdentity != "" {
				o.SourceIdentity = aws.String(cfg.AssumeRoleSourceIdentity)
			}
		})
		s.role = newRoleProvider(provider, cfg.AssumeRoleARN)
		base.Credentials = aws.NewCredentialsCache(s.role, func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow = maxRefreshWindow // shortened per lifetime by s.role
		})
	}
	s.aws = base
	return s, nil
}

// Config returns the defaulted configuration (secrets included: never log it).
func (s *Session) Config() Config { return s.cfg }

// AWS returns the aws.Config for the connection's own region.
func (s *Session) AWS() aws.Config { return s.aws.Copy() }

// AWSForRegion returns the aws.Config for another region (S3 buckets live in
// their own regions), sharing credentials and the call limiter.
func (s *Session) AWSForRegion(region string) aws.Config {
	c := s.aws.Copy()
	if region != "" {
		c.Region = region
	}
	return c
}

// Region is the connection's region.
func (s *Session) Region() string { return s.cfg.Region }

// limitMiddleware bounds the connection's calls out at AWS, each retry
// attempt counted, so one connection cannot flood an account's API quota.
func (s *Session) limitMiddleware(stack *middleware.Stack) error {
	return HoldSlot("lakemapConcurrencyLimit", s.limiter)(stack)
}

// Retryables puts lakemap's rules before the SDK's standard ones (base):
// errors a retry cannot change are not retried. An endpoint that refuses
// connections or does not resolve will not answer on the eighth try either;
// failing fast gets the user to the "check connectivity" advice in seconds
// rather than minutes. Nor will an endpoint that lacks the operation:
// emulators answer 500 or 501, which the standard rules retry. Tests that
// build their own retryer use it too.
func Retryables(base []retry.IsErrorRetryable) []retry.IsErrorRetryable {
	return append([]retry.IsErrorRetryable{
		retry.IsErrorRetryableFunc(unreachableNotRetryable),
		retry.IsErrorRetryableFunc(notImplementedNotRetryable),
	}, base...)
}

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }
