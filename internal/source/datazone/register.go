// Package datazone scans Amazon DataZone: domains, projects, environments,
// environment profiles, data sources, listings and the assets they publish
// (forms named by their form types, revisions, glossary terms), and the
// glossaries and terms reached from them — within the vendor guide's
// ReadOnly policy, and beyond it with datazone:Search when the role allows.
package datazone

import (
	"github.com/lakemap/lakemap/internal/source"
)

// Register adds the datazone source to r.
func Register(r *source.Registry) {
	r.Register(source.Define(source.Definition[*Connection, *SourceConfig]{
		Type:              "datazone",
		ConnectionType:    "DataZone",
		SourceConfigTypes: []string{"DataZoneMetadata"},
		Service:           source.ServiceDataZone,
		NewConnection:     newConnection,
		NewSourceConfig:   DefaultSourceConfig,
		New:               newSource,
	}))
}

func newSource(p source.Input[*Connection, *SourceConfig]) (source.Source, error) {
	conn, cfg := p.Connection, p.SourceConfig
	s, err := NewScanner(p.AWS.DataZone(), p.ServiceName, *cfg, p.Logger)
	if err != nil {
		return nil, err
	}
	s.Region = p.AWS.Region()
	s.RoleARN = conn.AWSConfig.AssumeRoleARN
	s.AccessLevel = conn.Access()
	return s, nil
}
