package glue

import (
	"fmt"

	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
)

// Connection is serviceConnection.config for source.type glue.
type Connection struct {
	source.AWSConnection `yaml:",inline"`
	// CatalogID scans another account's Data Catalog (cross-account catalogs).
	CatalogID string `yaml:"catalogId" json:"catalogId,omitempty" jsonschema:"Glue catalog id (12-digit account) to scan; default the role's own account"`
	// Accepted for OpenMetadata compatibility.
	DatabaseName               string `yaml:"databaseName" json:"databaseName,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsMetadataExtraction *bool  `yaml:"supportsMetadataExtraction" json:"supportsMetadataExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	SupportsDBTExtraction      *bool  `yaml:"supportsDBTExtraction" json:"supportsDBTExtraction,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
}

// SourceConfig is sourceConfig.config for source.type glue (OpenMetadata's
// DatabaseMetadata pipeline).
type SourceConfig struct {
	Type                  string               `yaml:"type" json:"type,omitempty" jsonschema:"DatabaseMetadata"`
	DatabaseFilterPattern source.FilterPattern `yaml:"databaseFilterPattern" json:"databaseFilterPattern,omitempty" jsonschema:"filters Glue databases by name"`
	// OpenMetadata maps Glue databases to schemas; both patterns apply to them.
	SchemaFilterPattern source.FilterPattern `yaml:"schemaFilterPattern" json:"schemaFilterPattern,omitempty" jsonschema:"OpenMetadata's name for Glue database filters; applied to Glue databases too"`
	TableFilterPattern  source.FilterPattern `yaml:"tableFilterPattern" json:"tableFilterPattern,omitempty" jsonschema:"filters tables by name"`
	MarkDeletedTables   bool                 `yaml:"markDeletedTables" json:"markDeletedTables" jsonschema:"mark tables gone from Glue as deleted (default true)"`
	IncludeTables       bool                 `yaml:"includeTables" json:"includeTables" jsonschema:"scan tables (default true)"`
	IncludeViews        bool                 `yaml:"includeViews" json:"includeViews" jsonschema:"scan views (default true)"`
	// Concurrency bounds the databases scanned at once.
	Threads int `yaml:"threads" json:"threads,omitempty" jsonschema:"databases scanned in parallel (default 4)"`
	// TableThreads bounds the tables whose partitions and statistics are
	// read at once, across databases; the connection's call limiter still
	// bounds the calls in flight.
	TableThreads            int  `yaml:"tableThreads" json:"tableThreads,omitempty" jsonschema:"tables read in parallel: partitions, statistics (default 32)"`
	IncludePartitions       bool `yaml:"includePartitions" json:"includePartitions" jsonschema:"scan every partition of partitioned tables (default true)"`
	PartitionSegments       int  `yaml:"partitionSegments" json:"partitionSegments,omitempty" jsonschema:"Glue segments (1-10) a table with many partitions is read in, in parallel (default 10)"`
	IncludeColumnStatistics bool `yaml:"includeColumnStatistics" json:"includeColumnStatistics" jsonschema:"read Glue column statistics (default true; needs glue:GetColumnStatisticsForTable, which the vendor guide grants only with ReadWrite)"`
	IncludeFunctions        bool `yaml:"includeFunctions" json:"includeFunctions" jsonschema:"scan user-defined functions (default true)"`
	IncludeAthena           bool `yaml:"includeAthena" json:"includeAthena" jsonschema:"scan Athena data catalogs, workgroups and query history with the same role (default true)"`
	// The Athena settings, used when includeAthena is on.
	athenascan.Options `yaml:",inline"`
	// Accepted for OpenMetadata compatibility.
	IncludeTags                 *bool `yaml:"includeTags" json:"includeTags,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	IncludeOwners               *bool `yaml:"includeOwners" json:"includeOwners,omitempty" jsonschema:"accepted for OpenMetadata compatibility; owners are always read"`
	IncludeStoredProcedures     *bool `yaml:"includeStoredProcedures" json:"includeStoredProcedures,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	MarkDeletedStoredProcedures *bool `yaml:"markDeletedStoredProcedures" json:"markDeletedStoredProcedures,omitempty" jsonschema:"accepted for OpenMetadata compatibility; unused"`
	UseFqnForFiltering          *bool `yaml:"useFqnForFiltering" json:"useFqnForFiltering,omitempty" jsonschema:"accepted for OpenMetadata compatibility; filters always match names"`
}

// Defaults of SourceConfig.
const (
	DefaultThreads           = 4
	DefaultTableThreads      = 32
	DefaultPartitionSegments = 10
	// MaxPartitionSegments is Glue's limit on TotalSegments.
	MaxPartitionSegments = 10
)

// Validate implements source.Validator.
func (c *SourceConfig) Validate() []source.FieldProblem {
	var out []source.FieldProblem
	if c.Threads < 0 {
		out = append(out, source.FieldProblem{Path: "threads", Message: fmt.Sprintf("must not be negative, got %d", c.Threads)})
	}
	if c.TableThreads < 0 {
		out = append(out, source.FieldProblem{Path: "tableThreads", Message: fmt.Sprintf("must not be negative, got %d", c.TableThreads)})
	}
	if c.PartitionSegments < 0 || c.PartitionSegments > MaxPartitionSegments {
		out = append(out, source.FieldProblem{Path: "partitionSegments", Message: fmt.Sprintf("must be 1-%d (Glue's limit), got %d", MaxPartitionSegments, c.PartitionSegments)})
	}
	return append(out, c.Options.Validate()...)
}

func newConnection() *Connection {
	return &Connection{AWSConnection: source.AWSConnection{Type: "Glue"}}
}

// DefaultSourceConfig returns a source config with every default set.
func DefaultSourceConfig() *SourceConfig {
	return &SourceConfig{
		Type: "DatabaseMetadata", MarkDeletedTables: true, IncludeTables: true, IncludeViews: true,
		Threads: DefaultThreads, TableThreads: DefaultTableThreads,
		IncludePartitions: true, PartitionSegments: DefaultPartitionSegments,
		IncludeColumnStatistics: true, IncludeFunctions: true, IncludeAthena: true,
		Options: athenascan.DefaultOptions(),
	}
}
