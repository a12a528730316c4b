// Package athenascan scans Athena's own resources: data catalogs,
// workgroups and the query execution history. Both the athena source and the
// glue source (whose IAM role, in the vendor guide, grants Athena reads too)
// use it; it imports neither, so neither imports the other.
package athenascan

import (
	"fmt"

	"github.com/lakemap/lakemap/internal/source"
)

// Options are the Athena settings of a source config. Source config structs
// embed them inline, so the YAML keys sit beside the source's own.
type Options struct {
	// OpenMetadata's usage and lineage pipelines call the look-back window
	// queryLogDuration, in days, and the cap resultLimit.
	QueryLogDuration       int                  `yaml:"queryLogDuration" json:"queryLogDuration" jsonschema:"days of Athena query history to read (default 1; Athena keeps 45)"`
	ResultLimit            int                  `yaml:"resultLimit" json:"resultLimit" jsonschema:"most query executions read per workgroup and scan (default 1000)"`
	IncludeQueryHistory    bool                 `yaml:"includeQueryHistory" json:"includeQueryHistory" jsonschema:"read Athena query executions (default true)"`
	IncludeDataCatalogs    bool                 `yaml:"includeDataCatalogs" json:"includeDataCatalogs" jsonschema:"read Athena data catalogs (default true)"`
	IncludeWorkgroups      bool                 `yaml:"includeWorkgroups" json:"includeWorkgroups" jsonschema:"read Athena workgroups (default true; query history needs them)"`
	WorkgroupFilterPattern source.FilterPattern `yaml:"workgroupFilterPattern" json:"workgroupFilterPattern,omitempty" jsonschema:"filters Athena workgroups by name"`
}

// Defaults for Options.
const (
	DefaultQueryLogDuration = 1 // OpenMetadata's default
	DefaultResultLimit      = 1000
	// Athena keeps query history for 45 days; asking for more reads nothing more.
	MaxQueryLogDuration = 45
	// BatchGetQueryExecution takes at most 50 ids, and ListQueryExecutions
	// returns at most 50 per page: one batch per page.
	BatchSize = 50
)

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{
		QueryLogDuration: DefaultQueryLogDuration, ResultLimit: DefaultResultLimit,
		IncludeQueryHistory: true, IncludeDataCatalogs: true, IncludeWorkgroups: true,
	}
}

// Validate checks values the YAML types cannot.
func (o *Options) Validate() []source.FieldProblem {
	var out []source.FieldProblem
	if o.QueryLogDuration < 0 || o.QueryLogDuration > MaxQueryLogDuration {
		out = append(out, source.FieldProblem{Path: "queryLogDuration",
			Message: fmt.Sprintf("must be 0-%d days (Athena keeps %d days of history), got %d", MaxQueryLogDuration, MaxQueryLogDuration, o.QueryLogDuration)})
	}
	if o.ResultLimit < 0 {
		out = append(out, source.FieldProblem{Path: "resultLimit", Message: fmt.Sprintf("must not be negative, got %d", o.ResultLimit)})
	}
	return out
}
