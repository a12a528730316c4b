package connections

import (
	"slices"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// View is the read model of a connection: what the API returns, the web UI
// shows and `lakemap connection list/show --json` prints. It holds no
// secret: credentials say which fields are set, never their values.
type View struct {
	Name               string              `json:"name"`
	ProjectID          string              `json:"projectId,omitempty"`
	SourceType         string              `json:"sourceType"`
	RoleARN            string              `json:"roleArn,omitempty"`
	ExternalID         string              `json:"externalId,omitempty"` // the project's, shown for the role's trust policy
	RoleSessionName    string              `json:"roleSessionName,omitempty"`
	RoleSourceIdentity string              `json:"roleSourceIdentity,omitempty"`
	Region             string              `json:"region"`
	AccessLevel        catalog.AccessLevel `json:"accessLevel"`
	EndpointURL        string              `json:"endpointUrl,omitempty"`
	ConnectionConfig   map[string]any      `json:"connectionConfig,omitempty"`
	SourceConfig       map[string]any      `json:"sourceConfig,omitempty"`
	// SourceConfigSecrets are the paths of secret scan options that are set
	// (their values are sealed and never returned).
	SourceConfigSecrets []string        `json:"sourceConfigSecrets,omitempty"`
	Credentials         CredentialsView `json:"credentials"`
	Schedule            *Schedule       `json:"schedule,omitempty"`
	Created             time.Time       `json:"created"`
	Updated             time.Time       `json:"updated"`
}

// CredentialsView is Credentials with each secret replaced by Set when it
// is stored.
type CredentialsView struct {
	Type            CredentialType `json:"type"`
	AccessKeyID     string         `json:"accessKeyId,omitempty"`
	SecretAccessKey string         `json:"secretAccessKey,omitempty"`
	SessionToken    string         `json:"sessionToken,omitempty"`
	Profile         string         `json:"profile,omitempty"`
}

// Set stands for a stored secret in the read model.
const Set = "set"

// ViewOf is the read model of a record. It opens no secret.
func ViewOf(c catalog.Connection) (View, error) {
	in, sourceSecrets, err := stored(c, nil)
	if err != nil {
		return View{}, err
	}
	v := View{
		Name: c.Name, ProjectID: c.ProjectID, SourceType: c.SourceType, RoleARN: c.RoleARN, ExternalID: c.ExternalID,
		RoleSessionName: in.RoleSessionName, RoleSourceIdentity: in.RoleSourceIdentity,
		Region: c.Region, AccessLevel: c.AccessLevel, EndpointURL: c.EndpointURL,
		ConnectionConfig: in.ConnectionConfig, SourceConfig: in.SourceConfig, SourceConfigSecrets: sourceSecrets,
		Credentials: CredentialsView{Type: in.Credentials.Type, Profile: in.Credentials.Profile},
		Created:     c.Created, Updated: c.Updated,
	}
	if v.AccessLevel == "" {
		v.AccessLevel = catalog.ReadOnly
	}
	if !c.Schedule.IsZero() {
		s := scheduleOf(c.Schedule)
		v.Schedule = &s
	}
	has := func(f string) string {
		if slices.Contains(c.SecretFields, f) {
			return Set
		}
		return ""
	}
	if v.Credentials.Type == StaticKeys {
		v.Credentials.AccessKeyID, v.Credentials.SecretAccessKey, v.Credentials.SessionToken =
			has(secretAccessKeyID), has(secretSecretAccessKey), has(secretSessionToken)
		if len(c.SecretFields) == 0 {
			// An older record: its static keys are sealed, unnamed.
			v.Credentials.AccessKeyID, v.Credentials.SecretAccessKey = Set, Set
		}
	}
	return v, nil
}
