// Package glue scans the AWS Glue Data Catalog: databases, tables, columns
// (nested types as child columns, with column statistics), partitions,
// user-defined functions and storage details, and, since the vendor guide's
// Glue role grants Athena reads too, Athena's data catalogs, workgroups and
// query history (package athenascan).
package glue

import (
	"log/slog"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
)

// Register adds the glue source to r.
func Register(r *source.Registry) {
	r.Register(source.Define(source.Definition[*Connection, *SourceConfig]{
		Type:              "glue",
		ConnectionType:    "Glue",
		SourceConfigTypes: []string{"DatabaseMetadata"},
		Service:           source.ServiceGlue,
		NewConnection:     newConnection,
		NewSourceConfig:   DefaultSourceConfig,
		New:               newSource,
		Probe:             probeScope,
	}))
}

func newSource(p source.Input[*Connection, *SourceConfig]) (source.Source, error) {
	conn, cfg := p.Connection, p.SourceConfig
	s, err := NewScanner(p.AWS.Glue(), p.ServiceName, *cfg, p.Logger)
	if err != nil {
		return nil, err
	}
	s.CatalogID = conn.CatalogID
	s.Region = p.AWS.Region()
	s.RoleARN = conn.AWSConfig.AssumeRoleARN
	s.AccessLevel = conn.Access()
	if cfg.IncludeAthena {
		if s.Athena, err = athenascan.New(p.AWS.Athena(), p.ServiceName, cfg.Options, p.Logger); err != nil {
			return nil, err
		}
		s.Athena.DenyHint = "grant the vendor guide's AthenaQueryRead actions, or set includeAthena: false to scan Glue only"
	}
	return s, nil
}

// NewScanner returns a scanner of the caller's own catalog, compiling cfg's
// filters; set the exported fields for the rest.
func NewScanner(client API, service string, cfg SourceConfig, logger *slog.Logger) (*Scanner, error) {
	filters, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scanner{Client: client, ServiceName: service, Config: cfg, Logger: logger, AccessLevel: catalog.ReadOnly, filters: filters}, nil
}

type filters struct {
	database, schema, table source.Filter
}

func (c *SourceConfig) compile() (filters, error) {
	var f filters
	var err error
	if f.database, err = c.DatabaseFilterPattern.Compile("databaseFilterPattern"); err != nil {
		return f, err
	}
	if f.schema, err = c.SchemaFilterPattern.Compile("schemaFilterPattern"); err != nil {
		return f, err
	}
	if f.table, err = c.TableFilterPattern.Compile("tableFilterPattern"); err != nil {
		return f, err
	}
	return f, nil
}
