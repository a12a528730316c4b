package awsconn

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

var (
	roleARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$`)
	// Go regexps cap repeat counts at 1000, so the length is checked apart.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	sessionPattern    = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	sourceIDPattern   = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// WithDefaults fills the region and the role session name.
func (c Config) WithDefaults(serviceName string) Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.AssumeRoleARN != "" && c.AssumeRoleSessionName == "" {
		c.AssumeRoleSessionName = DefaultSessionName(serviceName)
	}
	return c
}

// DefaultSessionName names lakemap and the connection, trimmed to the
// 64-character limit and to the characters STS allows.
func DefaultSessionName(serviceName string) string {
	var b strings.Builder
	b.WriteString("lakemap")
	if serviceName != "" {
		b.WriteByte('-')
		for _, r := range serviceName {
			if r < 128 && (r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
				r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// Problem is one invalid field, named by its YAML key.
type Problem struct {
	Field   string
	Message string
}

// Validate checks every field without any network call. Each problem names
// the YAML field it is about.
func (c Config) Validate() error {
	problems := c.Problems()
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Field + ": " + p.Message
	}
	return apperr.New(apperr.Invalid, "invalid awsConfig: %s", strings.Join(msgs, "; "))
}

// Problems lists every invalid field, sorted by field name, so the workflow
// parser can point at each one's line.
func (c Config) Problems() []Problem {
	var problems []Problem
	bad := func(field, format string, args ...any) {
		problems = append(problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if c.Region != "" && !regionPattern.MatchString(c.Region) {
		bad("awsRegion", "%q is not an AWS region name (like us-east-1)", c.Region)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		bad("awsAccessKeyId", "awsAccessKeyId and awsSecretAccessKey go together: give both or neither")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		bad("awsSessionToken", "a session token needs awsAccessKeyId and awsSecretAccessKey")
	}
	if c.AccessKeyID != "" && c.ProfileName != "" {
		bad("profileName", "give static keys or a profile, not both")
	}
	if c.EndpointURL != "" {
		if msg := endpointProblem(c.EndpointURL); msg != "" {
			bad("endPointURL", "%s", msg)
		}
	}
	if c.AssumeRoleARN != "" && !roleARNPattern.MatchString(c.AssumeRoleARN) {
		bad("assumeRoleArn", "%q is not a role ARN: expected arn:aws:iam::<12-digit account>:role/<name> (partition aws, aws-cn or aws-us-gov)", c.AssumeRoleARN)
	}
	if c.AssumeRoleARN == "" {
		for field, v := range map[string]string{
			"assumeRoleExternalId":     c.AssumeRoleExternalID,
			"assumeRoleSessionName":    c.AssumeRoleSessionName,
			"assumeRoleSourceIdentity": c.AssumeRoleSourceIdentity,
		} {
			if v != "" {
				bad(field, "is set but assumeRoleArn is not: set the role to assume")
			}
		}
	}
	if id := c.AssumeRoleExternalID; id != "" && (len(id) < 2 || len(id) > 1224 || !externalIDPattern.MatchString(id)) {
		bad("assumeRoleExternalId", "must be 2-1224 characters of letters, digits and +=,.@:/-_ (got %d characters)", len(c.AssumeRoleExternalID))
	}
	if c.AssumeRoleSessionName != "" && !sessionPattern.MatchString(c.AssumeRoleSessionName) {
		bad("assumeRoleSessionName", "%q must be 2-64 characters of letters, digits and +=,.@-_", c.AssumeRoleSessionName)
	}
	if c.AssumeRoleSourceIdentity != "" && !sourceIDPattern.MatchString(c.AssumeRoleSourceIdentity) {
		bad("assumeRoleSourceIdentity", "%q must be 2-64 characters of letters, digits and +=,.@-_", c.AssumeRoleSourceIdentity)
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
	return problems
}

// endpointProblem says what is wrong with an endpoint URL, "" when nothing.
// Credentials in the URL (user:password@) are refused: the URL is stored and
// shown in clear, unlike the connection's secrets.
func endpointProblem(raw string) string {
	// The value is quoted only when it cannot hold a password.
	shown := "the endpoint URL"
	if !strings.Contains(raw, "@") {
		shown = fmt.Sprintf("%q", raw)
	}
	if !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
		return shown + " must start with http:// or https://"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return shown + " is not a valid URL"
	case u.User != nil:
		return "must not carry a user name or password (user@host): give credentials as static keys or a profile"
	case u.Host == "":
		return shown + " has no host"
	}
	return ""
}

// AccountOfRole returns the account id in a role ARN, or "".
func AccountOfRole(arn string) string {
	if m := roleARNPattern.FindStringSubmatch(arn); m != nil {
		return m[2]
	}
	return ""
}
