package athena

import (
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/glue"
)

// Connection is serviceConnection.config for source.type athena: the fields
// of OpenMetadata's AthenaConnection, so that its athena.yaml runs with only
// credentials and endpoint changed.
type Connection struct {
	source.AWSConnection `yaml:",inline"`
	// S3StagingDir and Workgroup are where and how lakemap's own Athena
	// queries run (MCP tools); scanning reads every workgroup.
	S3StagingDir string `yaml:"s3StagingDir" json:"s3StagingDir,omitempty" jsonschema:"S3 location for the results of queries lakemap runs, e.g. s3://bucket/athena-results/"`
	Workgroup    string `yaml:"workgroup" json:"workgroup,omitempty" jsonschema:"workgroup for queries lakemap runs; scans read every workgroup"`
	// CatalogID is the Glue catalog behind AwsDataCatalog when it is not
	// the role's own account.
	CatalogID string `yaml:"catalogId" json:"catalogId,omitempty" jsonschema:"Glue catalog id (12-digit account) behind AwsDataCatalog; default the role's own account"`
	// Accepted for OpenMetadata compatibility.
	Scheme                     string `yaml:"scheme" json:"scheme,omitempty" jsonschema:"accepted for OpenMetadata compatibility (awsathena+rest); unused"`
	HostPort                   string `yaml:"hostPort" json:"hostPort,omitempty" jsonschema:"accepted for OpenMetadata compatibility; use awsConfig.endPointURL"`
	DatabaseName               string `yaml:"databaseName" json:"databaseName,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsMetadataExtraction *bool  `yaml:"supportsMetadataExtraction" json:"supportsMetadataExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsDBTExtraction      *bool  `yaml:"supportsDBTExtraction" json:"supportsDBTExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsProfiler           *bool  `yaml:"supportsProfiler" json:"supportsProfiler,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsQueryComment       *bool  `yaml:"supportsQueryComment" json:"supportsQueryComment,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsUsageExtraction    *bool  `yaml:"supportsUsageExtraction" json:"supportsUsageExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; query history is always read"`
	SupportsLineageExtraction  *bool  `yaml:"supportsLineageExtraction" json:"supportsLineageExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; lineage is always derived"`
	SupportsDatabase           *bool  `yaml:"supportsDatabase" json:"supportsDatabase,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SampleDataStorageConfig    any    `yaml:"sampleDataStorageConfig" json:"sampleDataStorageConfig,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// SourceConfig is sourceConfig.config for source.type athena: the glue
// source's (OpenMetadata's DatabaseMetadata pipeline, plus the Athena
// settings queryLogDuration and resultLimit of its usage and lineage
// pipelines), whose table options apply to the databases of Athena's GLUE
// data catalogs. includeAthena is meaningless here: Athena is the point.
type SourceConfig struct {
	glue.SourceConfig `yaml:",inline"`
	// Accepted for OpenMetadata compatibility (DatabaseUsage and
	// DatabaseLineage pipelines).
	StageFileLocation    string `yaml:"stageFileLocation" json:"stageFileLocation,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	FilterCondition      string `yaml:"filterCondition" json:"filterCondition,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	ProcessViewLineage   *bool  `yaml:"processViewLineage" json:"processViewLineage,omitempty" jsonschema:"accepted for OpenMetadata compatibility; view lineage is always derived"`
	ProcessQueryLineage  *bool  `yaml:"processQueryLineage" json:"processQueryLineage,omitempty" jsonschema:"accepted for OpenMetadata compatibility; query lineage is always derived"`
	OverrideViewLineage  *bool  `yaml:"overrideViewLineage" json:"overrideViewLineage,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	ParsingTimeoutLimit  *int   `yaml:"parsingTimeoutLimit" json:"parsingTimeoutLimit,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	QueryParsingTimeout  *int   `yaml:"queryParsingTimeoutLimit" json:"queryParsingTimeoutLimit,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	IncludeDDL           *bool  `yaml:"includeDDL" json:"includeDDL,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	IncludeStoredProcLin *bool  `yaml:"processStoredProcedureLineage" json:"processStoredProcedureLineage,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	Incremental          any    `yaml:"incremental" json:"incremental,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// Validate implements source.Validator.
func (c *SourceConfig) Validate() []source.FieldProblem {
	return c.SourceConfig.Validate()
}

func newConnection() *Connection {
	return &Connection{AWSConnection: source.AWSConnection{Type: "Athena"}}
}

func newSourceConfig() *SourceConfig {
	return &SourceConfig{SourceConfig: *glue.DefaultSourceConfig()}
}
