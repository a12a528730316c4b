package connections

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/workflow"
)

// Keys of the sealed secrets. The static keys keep awsConfig's names, as
// live tools (mcpserver) read them; secrets of the scan options are named
// sourceConfig.<path>.
const (
	secretAccessKeyID     = "awsAccessKeyId"
	secretSecretAccessKey = "awsSecretAccessKey"
	secretSessionToken    = "awsSessionToken"
	secretSourcePrefix    = "sourceConfig."
)

// record is the catalog record of a parsed, validated workflow. Secrets
// are sealed with box; the rest is kept as JSON under the workflow's names.
func record(wf *workflow.Workflow, projectID string, box *secrets.Box) (catalog.Connection, error) {
	in, externalID, sourceSecrets, err := inputOf(wf)
	if err != nil {
		return catalog.Connection{}, fmt.Errorf("connection %q: %w", in.Name, err)
	}
	aws := *wf.Source.Connection.AWS()
	sealed := map[string]string{}
	for k, v := range map[string]string{secretAccessKeyID: aws.AccessKeyID, secretSecretAccessKey: aws.SecretAccessKey, secretSessionToken: aws.SessionToken} {
		if v != "" {
			sealed[k] = v
		}
	}
	for path, v := range sourceSecrets {
		sealed[secretSourcePrefix+path] = v
	}
	c := catalog.Connection{
		Name:         in.Name,
		ProjectID:    projectID,
		SourceType:   in.SourceType,
		RoleARN:      in.RoleARN,
		ExternalID:   externalID,
		Region:       in.Region,
		AccessLevel:  in.AccessLevel,
		EndpointURL:  in.EndpointURL,
		SecretFields: sortedKeys(sealed),
	}
	if len(sealed) > 0 {
		if box == nil {
			return c, &apperr.Error{Kind: apperr.Unavailable,
				Msg:    fmt.Sprintf("connection %q has static keys but lakemap has no key to seal them", in.Name),
				Advice: []string{"set " + secrets.EnvKey + " or let lakemap create its key file"}}
		}
		plain, err := json.Marshal(sealed)
		if err != nil {
			return c, fmt.Errorf("encode secrets of connection %q: %w", in.Name, err)
		}
		if c.Secrets, err = box.SealFor(plain, in.Name); err != nil {
			return c, fmt.Errorf("seal secrets of connection %q: %w", in.Name, err)
		}
	}
	cfg := map[string]any{"type": connectionType(wf), "accessLevel": string(in.AccessLevel), "awsConfig": awsWithoutSecrets(aws)}
	for k, v := range in.ConnectionConfig {
		cfg[k] = v
	}
	if c.Config, err = json.Marshal(cfg); err != nil {
		return c, fmt.Errorf("encode config of connection %q: %w", in.Name, err)
	}
	if len(in.SourceConfig) > 0 {
		if c.SourceConfig, err = json.Marshal(in.SourceConfig); err != nil {
			return c, fmt.Errorf("encode scan options of connection %q: %w", in.Name, err)
		}
	}
	return c, nil
}

func connectionType(wf *workflow.Workflow) string {
	m, err := toMap(wf.Source.Connection)
	if err != nil {
		return wf.Source.Spec.ConnectionType
	}
	if t, ok := m["type"].(string); ok && t != "" {
		return t
	}
	return wf.Source.Spec.ConnectionType
}

// awsWithoutSecrets is awsConfig as stored: its set, non-secret fields.
func awsWithoutSecrets(aws awsconn.Config) map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		"awsRegion": aws.Region, "endPointURL": aws.EndpointURL, "profileName": aws.ProfileName,
		"assumeRoleArn": aws.AssumeRoleARN, "assumeRoleSessionName": aws.AssumeRoleSessionName,
		"assumeRoleSourceIdentity": aws.AssumeRoleSourceIdentity, "assumeRoleExternalId": aws.AssumeRoleExternalID,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// stored is a record read back as an Input, with its secrets when box is
// given (else the credentials carry no values). sourceSecrets lists the
// paths of the scan options' sealed fields.
func stored(c catalog.Connection, box *secrets.Box) (in Input, sourceSecrets []string, err error) {
	in = Input{
		Name: c.Name, SourceType: c.SourceType, RoleARN: c.RoleARN, Region: c.Region,
		AccessLevel: c.AccessLevel, EndpointURL: c.EndpointURL, Schedule: scheduleOf(c.Schedule),
	}
	cfg := map[string]any{}
	if len(c.Config) > 0 {
		if err := json.Unmarshal(c.Config, &cfg); err != nil {
			return in, nil, fmt.Errorf("stored config of connection %q is not a JSON object: %w", c.Name, err)
		}
	}
	aws, _ := cfg["awsConfig"].(map[string]any)
	str := func(k string) string { s, _ := aws[k].(string); return s }
	in.RoleSourceIdentity = str("assumeRoleSourceIdentity")
	if n := str("assumeRoleSessionName"); n != awsconn.DefaultSessionName(c.Name) {
		in.RoleSessionName = n
	}
	// Records older than this service kept every key; only the source's
	// own ones are connection options.
	for k, v := range cfg {
		if slices.Contains(reservedConnectionKeys, k) || isEmpty(v) {
			continue
		}
		if in.ConnectionConfig == nil {
			in.ConnectionConfig = map[string]any{}
		}
		in.ConnectionConfig[k] = v
	}
	if len(c.SourceConfig) > 0 {
		if err := json.Unmarshal(c.SourceConfig, &in.SourceConfig); err != nil {
			return in, nil, fmt.Errorf("stored scan options of connection %q are not a JSON object: %w", c.Name, err)
		}
	}
	in.Credentials = credentialsView(c, str("profileName"))
	for _, f := range c.SecretFields {
		if p, ok := strings.CutPrefix(f, secretSourcePrefix); ok {
			sourceSecrets = append(sourceSecrets, p)
		}
	}
	if box == nil || len(c.Secrets) == 0 {
		return in, sourceSecrets, nil
	}
	plain, err := box.OpenFor(c.Secrets, c.Name)
	if err != nil {
		return in, nil, fmt.Errorf("open secrets of connection %q: %w", c.Name, err)
	}
	var sealed map[string]string
	if err := json.Unmarshal(plain, &sealed); err != nil {
		return in, nil, apperr.New(apperr.Internal, "stored secrets of connection %q are not a JSON object", c.Name)
	}
	in.Credentials.AccessKeyID = sealed[secretAccessKeyID]
	in.Credentials.SecretAccessKey = sealed[secretSecretAccessKey]
	in.Credentials.SessionToken = sealed[secretSessionToken]
	for k, v := range sealed {
		if p, ok := strings.CutPrefix(k, secretSourcePrefix); ok {
			if in.SourceConfig == nil {
				in.SourceConfig = map[string]any{}
			}
			setPath(in.SourceConfig, strings.Split(p, "."), v)
		}
	}
	return in, sourceSecrets, nil
}

// credentialsView says which credentials a record has, without values.
func credentialsView(c catalog.Connection, profile string) Credentials {
	switch {
	case slices.Contains(c.SecretFields, secretAccessKeyID) || slices.Contains(c.SecretFields, secretSecretAccessKey),
		// Records older than SecretFields sealed static keys only.
		len(c.SecretFields) == 0 && len(c.Secrets) > 0:
		return Credentials{Type: StaticKeys}
	case profile != "":
		return Credentials{Type: NamedProfile, Profile: profile}
	}
	return Credentials{Type: DefaultChain}
}
