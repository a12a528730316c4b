// Package datazone scans Amazon DataZone: domains, projects, environments,
// environment profiles, data sources, listings and the assets they publish
// (forms named by their form types, revisions, glossary terms), and the
// glossaries and terms reached from them — within the vendor guide's
// ReadOnly policy, and beyond it with datazone:Search when the role allows.
package datazone

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/datazone"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

// Register adds the datazone source to r.
func Register(r *source.Registry) {
	r.Register(source.Spec{
		Type:              "datazone",
		ConnectionType:    "DataZone",
		SourceConfigTypes: []string{"DataZoneMetadata"},
		Service:           "datazone",
		NewConnection:     newConnection,
		NewSourceConfig:   newSourceConfig,
		New:               newSource,
		Checks:            checks,
	})
}

// newClient is the one place the DataZone client is built.
func newClient(s *awsconn.Session) *datazone.Client { return datazone.NewFromConfig(s.AWS()) }

func newSource(p source.Params) (source.Source, error) {
	conn, ok := p.Connection.(*Connection)
	if !ok {
		return nil, fmt.Errorf("datazone source: connection config is %T, want *datazone.Connection", p.Connection)
	}
	cfg, ok := p.SourceConfig.(*SourceConfig)
	if !ok {
		return nil, fmt.Errorf("datazone source: source config is %T, want *datazone.SourceConfig", p.SourceConfig)
	}
	s, err := NewScanner(newClient(p.AWS), p.ServiceName, *cfg, p.Logger)
	if err != nil {
		return nil, err
	}
	s.Region = p.AWS.Region()
	s.RoleARN = conn.AWSConfig.AssumeRoleARN
	s.AccessLevel = conn.Access()
	return s, nil
}
