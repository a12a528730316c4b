// Package awsconn is the AWS block every source shares: credentials, region,
// endpoint, AssumeRole with External ID, the service clients (clients.go),
// error classification and call limits.
package awsconn

// Config is OpenMetadata's awsConfig, plus assumeRoleExternalId, which the
// vendor guide requires and OpenMetadata lacks. Field names are the YAML keys.
type Config struct {
	AccessKeyID              string `yaml:"awsAccessKeyId" json:"awsAccessKeyId,omitempty" secret:"true" jsonschema:"static access key id; omit to use the standard AWS credential chain"`
	SecretAccessKey          string `yaml:"awsSecretAccessKey" json:"awsSecretAccessKey,omitempty" secret:"true" jsonschema:"static secret access key"`
	SessionToken             string `yaml:"awsSessionToken" json:"awsSessionToken,omitempty" secret:"true" jsonschema:"session token of temporary base credentials"`
	Region                   string `yaml:"awsRegion" json:"awsRegion,omitempty" jsonschema:"AWS region, default us-east-1"`
	EndpointURL              string `yaml:"endPointURL" json:"endPointURL,omitempty" jsonschema:"endpoint for every AWS service, STS included (e.g. a local emulator)"`
	ProfileName              string `yaml:"profileName" json:"profileName,omitempty" jsonschema:"named profile from the shared AWS config files"`
	AssumeRoleARN            string `yaml:"assumeRoleArn" json:"assumeRoleArn,omitempty" jsonschema:"role to assume in the customer account: arn:aws:iam::<12 digits>:role/<name>"`
	AssumeRoleSessionName    string `yaml:"assumeRoleSessionName" json:"assumeRoleSessionName,omitempty" jsonschema:"role session name shown in CloudTrail, default lakemap-<serviceName>"`
	AssumeRoleSourceIdentity string `yaml:"assumeRoleSourceIdentity" json:"assumeRoleSourceIdentity,omitempty" jsonschema:"source identity passed to AssumeRole"`
	AssumeRoleExternalID     string `yaml:"assumeRoleExternalId" json:"assumeRoleExternalId,omitempty" jsonschema:"External ID the role's trust policy requires, e.g. lakemap-<project-uuid>"`
}

// DefaultRegion is used when awsRegion is empty, as the vendor guide says.
const DefaultRegion = "us-east-1"

// SessionDuration is the AssumeRole session length the vendor guide promises.
const SessionDurationSeconds = 900
