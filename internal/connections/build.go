package connections

import (
	"errors"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/workflow"
)

// The connection's place in a workflow file, whose parser validates it.
const (
	pathConnection   = "source.serviceConnection.config"
	pathAWS          = pathConnection + ".awsConfig"
	pathSourceConfig = "source.sourceConfig.config"
)

// reservedConnectionKeys are the serviceConnection.config keys Input has
// fields for; the rest is ConnectionConfig.
var reservedConnectionKeys = []string{"type", "awsConfig", "accessLevel", "project"}

// fieldOfPath maps workflow paths to Input's JSON paths, most specific
// first; the path's rest is appended.
var fieldOfPath = []struct{ yaml, field string }{
	{pathAWS + ".assumeRoleArn", "roleArn"},
	{pathAWS + ".assumeRoleExternalId", "externalId"},
	{pathAWS + ".assumeRoleSessionName", "roleSessionName"},
	{pathAWS + ".assumeRoleSourceIdentity", "roleSourceIdentity"},
	{pathAWS + ".awsRegion", "region"},
	{pathAWS + ".endPointURL", "endpointUrl"},
	{pathAWS + ".awsAccessKeyId", "credentials.accessKeyId"},
	{pathAWS + ".awsSecretAccessKey", "credentials.secretAccessKey"},
	{pathAWS + ".awsSessionToken", "credentials.sessionToken"},
	{pathAWS + ".profileName", "credentials.profile"},
	{pathAWS, "credentials"},
	{pathConnection + ".accessLevel", "accessLevel"},
	{pathConnection + ".type", "sourceType"},
	{pathConnection + ".project", "projectId"},
	{pathConnection, "connectionConfig"},
	{pathSourceConfig, "sourceConfig"},
	{"source.type", "sourceType"},
	{"source.serviceName", "name"},
}

// fieldOf is the Input field a workflow finding is about.
func fieldOf(path string) string {
	for _, m := range fieldOfPath {
		if path == m.yaml {
			return m.field
		}
		if rest, ok := strings.CutPrefix(path, m.yaml); ok && (rest[0] == '.' || rest[0] == '[') {
			return m.field + rest
		}
	}
	if path == "" {
		return "connection"
	}
	return path
}

// fieldErrors turns the parser's findings into FieldErrors: the workflow's
// rules are the connection's, named as the API names its fields.
func fieldErrors(err error) error {
	var fs workflow.Findings
	if !errors.As(err, &fs) {
		return err
	}
	out := make(FieldErrors, 0, len(fs))
	for _, f := range fs {
		msg := f.Message
		if f.Path != "" {
			msg = strings.TrimPrefix(msg, f.Path+": ")
		}
		out = append(out, FieldError{Field: fieldOf(f.Path), Message: msg})
	}
	return out
}

// doc is the workflow file of a connection.
type doc struct {
	in         Input
	externalID string // written as assumeRoleExternalId when not empty
	project    string // written as project when not empty
	secrets    bool   // write the static keys
}

// tree is the workflow as plain values, ready for yaml.Marshal.
func (d doc) tree(reg *source.Registry) map[string]any {
	in := d.in
	aws := map[string]any{}
	put := func(m map[string]any, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	put(aws, "assumeRoleArn", in.RoleARN)
	put(aws, "assumeRoleExternalId", d.externalID)
	put(aws, "assumeRoleSessionName", in.RoleSessionName)
	put(aws, "assumeRoleSourceIdentity", in.RoleSourceIdentity)
	put(aws, "awsRegion", in.Region)
	put(aws, "endPointURL", in.EndpointURL)
	put(aws, "profileName", in.Credentials.Profile)
	if d.secrets {
		put(aws, "awsAccessKeyId", in.Credentials.AccessKeyID)
		put(aws, "awsSecretAccessKey", in.Credentials.SecretAccessKey)
		put(aws, "awsSessionToken", in.Credentials.SessionToken)
	}
	conn := map[string]any{}
	for k, v := range in.ConnectionConfig {
		conn[k] = v
	}
	if spec, ok := reg.Lookup(in.SourceType); ok {
		conn["type"] = spec.ConnectionType
	}
	conn["awsConfig"] = aws
	put(conn, "accessLevel", string(in.AccessLevel))
	put(conn, "project", d.project)
	src := map[string]any{
		"type":              in.SourceType,
		"serviceName":       in.Name,
		"serviceConnection": map[string]any{"config": conn},
	}
	if sc := d.in.SourceConfig; len(sc) > 0 {
		src["sourceConfig"] = map[string]any{"config": sc}
	}
	return map[string]any{"source": src, "sink": map[string]any{"type": "lakemap"}}
}

// yaml is the workflow file's bytes. Strings are written literally: "${"
// becomes "$${" so the parser expands no environment variable of the
// server (an API caller must not read them back through a stored field).
func (d doc) yaml(reg *source.Registry) ([]byte, error) {
	return yaml.Marshal(literal(d.tree(reg)))
}

// parse validates the connection with the workflow's own rules.
func (d doc) parse(reg *source.Registry) (*workflow.Workflow, error) {
	data, err := d.yaml(reg)
	if err != nil {
		return nil, err
	}
	noEnv := func(string) (string, bool) { return "", false }
	wf, err := workflow.Options{Registry: reg, LookupEnv: noEnv}.Parse("connection "+d.in.Name, data)
	if err != nil {
		return nil, fieldErrors(err)
	}
	return wf, nil
}

// literal escapes "${" in every string and turns JSON's whole floats back
// into integers, which the YAML decoder reads into int fields.
func literal(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, "${", "$${")
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = literal(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = literal(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = literal(e)
		}
		return out
	}
	return v
}

// inputOf is the Input of a parsed workflow: what ingest's door stores.
// externalID is the workflow's assumeRoleExternalId, returned apart since
// Input refuses one.
func inputOf(wf *workflow.Workflow) (in Input, externalID string, sourceSecrets map[string]string, err error) {
	holder := wf.Source.Connection
	aws := *holder.AWS()
	in = Input{
		Name:               wf.Source.ServiceName,
		SourceType:         wf.Source.Type,
		RoleARN:            aws.AssumeRoleARN,
		RoleSourceIdentity: aws.AssumeRoleSourceIdentity,
		Region:             aws.Region,
		AccessLevel:        holder.Access(),
		EndpointURL:        aws.EndpointURL,
		Credentials:        credentialsOf(aws),
	}
	if aws.AssumeRoleSessionName != awsconn.DefaultSessionName(wf.Source.ServiceName) {
		in.RoleSessionName = aws.AssumeRoleSessionName
	}
	spec := wf.Source.Spec
	conn, err := sparse(holder, spec.NewConnection())
	if err != nil {
		return in, "", nil, err
	}
	for _, k := range reservedConnectionKeys {
		delete(conn, k)
	}
	if len(conn) > 0 {
		in.ConnectionConfig = conn
	}
	if wf.Source.SourceConfig != nil && spec.NewSourceConfig != nil {
		sc, secrets, err := sparseWithoutSecrets(wf.Source.SourceConfig, spec.NewSourceConfig())
		if err != nil {
			return in, "", nil, err
		}
		if len(sc) > 0 {
			in.SourceConfig = sc
		}
		sourceSecrets = secrets
	}
	return in, aws.AssumeRoleExternalID, sourceSecrets, nil
}

func credentialsOf(aws awsconn.Config) Credentials {
	switch {
	case aws.AccessKeyID != "" || aws.SecretAccessKey != "":
		return Credentials{Type: StaticKeys, AccessKeyID: aws.AccessKeyID, SecretAccessKey: aws.SecretAccessKey, SessionToken: aws.SessionToken}
	case aws.ProfileName != "":
		return Credentials{Type: NamedProfile, Profile: aws.ProfileName}
	}
	return Credentials{Type: DefaultChain}
}
