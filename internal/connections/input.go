package connections

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Input is a connection as the API, the web UI and the CLI give it. Its JSON
// names are the field paths errors name (roleArn, sourceConfig.x.y[0]).
type Input struct {
	Name string `json:"name"`
	// SourceType is the workflow's source.type: glue, athena, s3 (datazone
	// once registered).
	SourceType string `json:"sourceType"`
	RoleARN    string `json:"roleArn,omitempty"`
	// ExternalID is never chosen by a caller: a connection always uses its
	// project's. It is here only so that a request giving one is refused
	// with a message naming the field rather than silently ignored.
	ExternalID         string              `json:"externalId,omitempty"`
	RoleSessionName    string              `json:"roleSessionName,omitempty"`
	RoleSourceIdentity string              `json:"roleSourceIdentity,omitempty"`
	Region             string              `json:"region,omitempty"` // default us-east-1
	AccessLevel        catalog.AccessLevel `json:"accessLevel,omitempty"`
	EndpointURL        string              `json:"endpointUrl,omitempty"`
	// ConnectionConfig holds the source's own serviceConnection.config keys
	// (s3 bucketNames, glue catalogId, athena workgroup...).
	ConnectionConfig map[string]any `json:"connectionConfig,omitempty"`
	// SourceConfig is the scan options: the workflow's sourceConfig.config.
	SourceConfig map[string]any `json:"sourceConfig,omitempty"`
	Credentials  Credentials    `json:"credentials"`
	Schedule     Schedule       `json:"schedule"`
}

// CredentialType says where the base credentials, those that assume the
// role, come from.
type CredentialType string

const (
	// DefaultChain is the server's own AWS credential chain.
	DefaultChain CredentialType = "default"
	// StaticKeys are an access key id and secret (and maybe a session
	// token), stored sealed and never returned.
	StaticKeys CredentialType = "static"
	// NamedProfile is a profile of the shared AWS config files.
	NamedProfile CredentialType = "profile"
)

// Credentials are the base credentials of a connection.
type Credentials struct {
	Type            CredentialType `json:"type,omitempty"` // "" is DefaultChain
	AccessKeyID     string         `json:"accessKeyId,omitempty"`
	SecretAccessKey string         `json:"secretAccessKey,omitempty"`
	SessionToken    string         `json:"sessionToken,omitempty"`
	Profile         string         `json:"profile,omitempty"`
}

// Schedule is when the server scans a connection: a standard 5-field cron
// expression or an interval (a Go duration, at least a minute), at most one.
type Schedule struct {
	Cron     string `json:"cron,omitempty"`
	Interval string `json:"interval,omitempty"`
}

// Patch changes some fields of a connection. A nil field is unchanged; a
// non-nil map replaces the stored one whole.
type Patch struct {
	RoleARN *string `json:"roleArn,omitempty"`
	// ExternalID is refused, as in Input.
	ExternalID         *string              `json:"externalId,omitempty"`
	RoleSessionName    *string              `json:"roleSessionName,omitempty"`
	RoleSourceIdentity *string              `json:"roleSourceIdentity,omitempty"`
	Region             *string              `json:"region,omitempty"`
	AccessLevel        *catalog.AccessLevel `json:"accessLevel,omitempty"`
	EndpointURL        *string              `json:"endpointUrl,omitempty"`
	ConnectionConfig   map[string]any       `json:"connectionConfig,omitempty"`
	// SourceConfig replaces the scan options; a secret field it omits at a
	// place the new options still have keeps its stored value.
	SourceConfig map[string]any `json:"sourceConfig,omitempty"`
	// Credentials replace the stored ones, except that an omitted secret
	// keeps the stored one: an empty type keeps the type; with static keys
	// an empty secretAccessKey keeps the stored secret, an empty
	// accessKeyId the stored id, and an empty sessionToken the stored token
	// while the access key id stays the same.
	Credentials *Credentials `json:"credentials,omitempty"`
	// Schedule replaces the schedule; an empty one removes it.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// FieldError is one invalid field of an Input or Patch.
type FieldError struct {
	// Field is the JSON path of the field, e.g. roleArn or
	// sourceConfig.schemaFilterPattern.includes[0].
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors are every invalid field of a request. It is apperr.Invalid;
// the API finds it with errors.As to list the fields.
type FieldErrors []FieldError

func (fs FieldErrors) Error() string {
	msgs := make([]string, len(fs))
	for i, f := range fs {
		msgs[i] = f.Error()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap gives the errors their kind.
func (fs FieldErrors) Unwrap() error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: fmt.Sprintf("%d invalid field(s) in the connection", len(fs))}
}

// MinInterval is the shortest schedule interval.
const MinInterval = time.Minute

// cronParser accepts the standard five fields only: no seconds, no
// descriptors such as @every, whose interval would escape MinInterval.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// parse checks a schedule and returns the store's form.
func (s Schedule) parse() (catalog.Schedule, FieldErrors) {
	var out catalog.Schedule
	var errs FieldErrors
	if s.Cron != "" && s.Interval != "" {
		return out, FieldErrors{{Field: "schedule", Message: "give a cron expression or an interval, not both"}}
	}
	if s.Cron != "" {
		if _, err := cronParser.Parse(s.Cron); err != nil {
			errs = append(errs, FieldError{Field: "schedule.cron",
				Message: fmt.Sprintf("%q is not a 5-field cron expression (minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"): %v", s.Cron, err)})
		}
		out.Cron = s.Cron
	}
	if s.Interval != "" {
		d, err := time.ParseDuration(s.Interval)
		switch {
		case err != nil:
			errs = append(errs, FieldError{Field: "schedule.interval", Message: fmt.Sprintf("%q is not a duration such as 15m or 6h", s.Interval)})
		case d < MinInterval:
			errs = append(errs, FieldError{Field: "schedule.interval", Message: fmt.Sprintf("%s is shorter than the minimum, %s", d, MinInterval)})
		}
		out.Interval = d
	}
	return out, errs
}

// scheduleOf is the API form of a stored schedule.
func scheduleOf(s catalog.Schedule) Schedule {
	out := Schedule{Cron: s.Cron}
	if s.Interval > 0 {
		out.Interval = s.Interval.String()
	}
	return out
}

// check validates what the workflow parser does not see: the External ID
// rule and the shape of the credentials.
func (in Input) check() FieldErrors {
	var errs FieldErrors
	if in.ExternalID != "" {
		errs = append(errs, FieldError{Field: "externalId",
			Message: "is not accepted: a connection always assumes its role with its project's External ID, shown on the project"})
	}
	c := in.Credentials
	onlyStatic := func() {
		for _, f := range []struct{ name, v string }{{"accessKeyId", c.AccessKeyID}, {"secretAccessKey", c.SecretAccessKey}, {"sessionToken", c.SessionToken}} {
			if f.v != "" {
				errs = append(errs, FieldError{Field: "credentials." + f.name, Message: fmt.Sprintf("is only for credentials of type %q", StaticKeys)})
			}
		}
	}
	switch c.Type {
	case "", DefaultChain:
		onlyStatic()
		if c.Profile != "" {
			errs = append(errs, FieldError{Field: "credentials.profile", Message: fmt.Sprintf("is only for credentials of type %q", NamedProfile)})
		}
	case StaticKeys:
		if c.AccessKeyID == "" {
			errs = append(errs, FieldError{Field: "credentials.accessKeyId", Message: "is required for static keys"})
		}
		if c.SecretAccessKey == "" {
			errs = append(errs, FieldError{Field: "credentials.secretAccessKey", Message: "is required for static keys"})
		}
		if c.Profile != "" {
			errs = append(errs, FieldError{Field: "credentials.profile", Message: fmt.Sprintf("is only for credentials of type %q", NamedProfile)})
		}
	case NamedProfile:
		onlyStatic()
		if c.Profile == "" {
			errs = append(errs, FieldError{Field: "credentials.profile", Message: "is required for a named profile"})
		}
	default:
		errs = append(errs, FieldError{Field: "credentials.type",
			Message: fmt.Sprintf("%q is not one of %q, %q, %q", c.Type, DefaultChain, StaticKeys, NamedProfile)})
	}
	for _, reserved := range []string{"type", "awsConfig", "accessLevel", "project"} {
		if _, ok := in.ConnectionConfig[reserved]; ok {
			errs = append(errs, FieldError{Field: "connectionConfig." + reserved,
				Message: "is set by the connection's own fields (sourceType, roleArn, region, credentials, accessLevel, project)"})
		}
	}
	return errs
}

// apply returns in with the patch applied; old secrets are kept where the
// patch omits them.
func (p Patch) apply(in Input, sourceSecrets []string) Input {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.RoleARN, p.RoleARN)
	set(&in.ExternalID, p.ExternalID)
	set(&in.RoleSessionName, p.RoleSessionName)
	set(&in.RoleSourceIdentity, p.RoleSourceIdentity)
	set(&in.Region, p.Region)
	set(&in.EndpointURL, p.EndpointURL)
	if p.AccessLevel != nil {
		in.AccessLevel = *p.AccessLevel
	}
	if p.ConnectionConfig != nil {
		in.ConnectionConfig = p.ConnectionConfig
	}
	if p.SourceConfig != nil {
		in.SourceConfig = keepSecrets(p.SourceConfig, in.SourceConfig, sourceSecrets)
	}
	if p.Schedule != nil {
		in.Schedule = *p.Schedule
	}
	if c := p.Credentials; c != nil {
		old := in.Credentials
		next := *c
		if next.Type == "" {
			next.Type = old.Type
		}
		if next.Type == StaticKeys && old.Type == StaticKeys {
			if next.AccessKeyID == "" {
				next.AccessKeyID = old.AccessKeyID
			}
			if next.SecretAccessKey == "" {
				next.SecretAccessKey = old.SecretAccessKey
			}
			if next.SessionToken == "" && next.AccessKeyID == old.AccessKeyID {
				next.SessionToken = old.SessionToken
			}
		}
		in.Credentials = next
	}
	return in
}
