package source

import (
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
)

// AWSConnection is the part of serviceConnection.config every AWS source has.
// Source connection structs embed it inline.
type AWSConnection struct {
	Type        string              `yaml:"type" json:"type" jsonschema:"connection type, e.g. Glue, S3, Athena, DataZone"`
	AWSConfig   awsconn.Config      `yaml:"awsConfig" json:"awsConfig" jsonschema:"AWS credentials, region, endpoint and role to assume"`
	AccessLevel catalog.AccessLevel `yaml:"accessLevel" json:"accessLevel,omitempty" jsonschema:"ReadOnly (default) or ReadWrite: write tools exist only on ReadWrite connections"`
	// Project names the lakemap project the connection belongs to; its
	// External ID is then the only one the role is assumed with.
	Project string `yaml:"project" json:"project,omitempty" jsonschema:"lakemap project (name or id) the connection belongs to: the role is then always assumed with the project's External ID (lakemap project list)"`
	// Accepted for OpenMetadata compatibility; lakemap passes nothing extra to AWS.
	ConnectionOptions   map[string]string `yaml:"connectionOptions" json:"connectionOptions,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	ConnectionArguments map[string]string `yaml:"connectionArguments" json:"connectionArguments,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// AWS implements AWSConfigHolder.
func (c *AWSConnection) AWS() *awsconn.Config { return &c.AWSConfig }

// Access implements AWSConfigHolder; an unset level is ReadOnly.
func (c *AWSConnection) Access() catalog.AccessLevel {
	if c.AccessLevel == "" {
		return catalog.ReadOnly
	}
	return c.AccessLevel
}

// ProjectRef is the project the workflow names, "" when none.
func (c *AWSConnection) ProjectRef() string { return c.Project }
