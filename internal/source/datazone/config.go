package datazone

import (
	"fmt"

	"github.com/lakemap/lakemap/internal/source"
)

// Connection is serviceConnection.config for source.type datazone: the
// vendor guide's Connection Parameters (role_arn, external_id, region in
// awsConfig; region defaults to us-east-1) and the access level.
type Connection struct {
	source.AWSConnection `yaml:",inline"`
}

// SourceConfig is sourceConfig.config for source.type datazone.
type SourceConfig struct {
	Type string `yaml:"type" json:"type,omitempty" jsonschema:"DataZoneMetadata"`
	// Domains, when given, are the only domain ids scanned; the name
	// pattern applies too.
	Domains             []string             `yaml:"domains" json:"domains,omitempty" jsonschema:"DataZone domain ids (dzd_...) to scan; default every domain the role can list"`
	DomainFilterPattern source.FilterPattern `yaml:"domainFilterPattern" json:"domainFilterPattern,omitempty" jsonschema:"filters DataZone domains by name"`
	MarkDeleted         bool                 `yaml:"markDeleted" json:"markDeleted" jsonschema:"mark DataZone items gone from complete listings as deleted (default true)"`
	// UseSearch lets the scan use datazone:Search (not in the vendor
	// guide's ReadOnly policy) when the role allows it.
	UseSearch bool `yaml:"useSearch" json:"useSearch" jsonschema:"probe datazone:Search and, when allowed, use it to find unlisted assets and unreferenced glossaries (default true)"`
	// UseLineage reads each asset's DataZone lineage node (GetLineageNode,
	// not in the vendor guide's ReadOnly policy) when the role allows it.
	UseLineage bool `yaml:"useLineage" json:"useLineage" jsonschema:"read each asset's DataZone lineage node (datazone:GetLineageNode) when the role allows it, for lineage edges between assets (default true)"`
	// Threads bounds the domains scanned at once.
	Threads int `yaml:"threads" json:"threads,omitempty" jsonschema:"domains scanned in parallel (default 3)"`
	// ItemThreads bounds per-item calls (GetProject, GetAsset...) in
	// flight per domain; the connection's call limiter bounds them too.
	ItemThreads int `yaml:"itemThreads" json:"itemThreads,omitempty" jsonschema:"per-item DataZone calls in parallel per domain (default 16)"`
}

// Defaults of SourceConfig.
const (
	DefaultThreads     = 3
	DefaultItemThreads = 16
)

// Validate implements source.Validator.
func (c *SourceConfig) Validate() []source.FieldProblem {
	var out []source.FieldProblem
	if c.Threads < 0 {
		out = append(out, source.FieldProblem{Path: "threads", Message: fmt.Sprintf("must not be negative, got %d", c.Threads)})
	}
	if c.ItemThreads < 0 {
		out = append(out, source.FieldProblem{Path: "itemThreads", Message: fmt.Sprintf("must not be negative, got %d", c.ItemThreads)})
	}
	for i, d := range c.Domains {
		if d == "" {
			out = append(out, source.FieldProblem{Path: fmt.Sprintf("domains[%d]", i), Message: "must not be empty"})
		}
	}
	if _, err := c.DomainFilterPattern.Compile("domainFilterPattern"); err != nil {
		out = append(out, source.FieldProblem{Path: "domainFilterPattern", Message: err.Error()})
	}
	return out
}

func newConnection() *Connection {
	return &Connection{AWSConnection: source.AWSConnection{Type: "DataZone"}}
}

// DefaultSourceConfig returns a source config with every default set.
func DefaultSourceConfig() *SourceConfig {
	return &SourceConfig{Type: "DataZoneMetadata", MarkDeleted: true, UseSearch: true, UseLineage: true, Threads: DefaultThreads, ItemThreads: DefaultItemThreads}
}
