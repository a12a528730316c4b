package source

import (
	"fmt"
	"log/slog"

	"github.com/lakemap/lakemap/internal/awsconn"
)

// Definition is what a source package declares, with its own config types:
// C is a pointer to its connection config struct, S a pointer to its source
// config struct (use *struct{} and leave NewSourceConfig nil for none).
// Define turns it into the Spec the registry holds, so that no source
// type-asserts an `any`.
type Definition[C AWSConfigHolder, S any] struct {
	Type              string
	ConnectionType    string
	SourceConfigTypes []string
	// Service, DatabasesUnderDataCatalogs: see Spec.
	Service                    string
	DatabasesUnderDataCatalogs bool
	// NewConnection and NewSourceConfig return fresh, defaulted configs.
	NewConnection   func() C
	NewSourceConfig func() S
	// New builds the source from the decoded configs.
	New func(in Input[C, S]) (Source, error)
	// Probe says where the connection test probes. Optional.
	Probe func(conn C) ProbeScope
}

// Input is Params with the configs typed.
type Input[C AWSConfigHolder, S any] struct {
	ServiceName  string
	Connection   C
	SourceConfig S
	AWS          *awsconn.Session
	Logger       *slog.Logger
}

// Define returns the registry's Spec for d.
func Define[C AWSConfigHolder, S any](d Definition[C, S]) Spec {
	s := Spec{
		Type:                       d.Type,
		ConnectionType:             d.ConnectionType,
		SourceConfigTypes:          d.SourceConfigTypes,
		Service:                    d.Service,
		DatabasesUnderDataCatalogs: d.DatabasesUnderDataCatalogs,
		NewConnection:              func() AWSConfigHolder { return d.NewConnection() },
		New: func(p Params) (Source, error) {
			if p.SourceConfig == nil && d.NewSourceConfig != nil {
				// No sourceConfig: the defaults, as the workflow parser gives.
				p.SourceConfig = d.NewSourceConfig()
			}
			in, err := typed[C, S](d.Type, p)
			if err != nil {
				return nil, err
			}
			return d.New(in)
		},
	}
	if d.NewSourceConfig != nil {
		s.NewSourceConfig = func() any { return d.NewSourceConfig() }
	}
	if d.Probe != nil {
		s.Probe = func(conn AWSConfigHolder) ProbeScope {
			c, ok := conn.(C)
			if !ok {
				return ProbeScope{}
			}
			return d.Probe(c)
		}
	}
	return s
}

// typed recovers the configs the spec's own constructors made. A mismatch
// means Params were built by hand with another source's configs: a
// programming error, reported rather than panicking.
func typed[C AWSConfigHolder, S any](typ string, p Params) (Input[C, S], error) {
	in := Input[C, S]{ServiceName: p.ServiceName, AWS: p.AWS, Logger: p.Logger}
	conn, ok := p.Connection.(C)
	if !ok {
		return in, fmt.Errorf("%s source: connection config is %T, want %T", typ, p.Connection, in.Connection)
	}
	in.Connection = conn
	if p.SourceConfig != nil {
		cfg, ok := p.SourceConfig.(S)
		if !ok {
			return in, fmt.Errorf("%s source: source config is %T, want %T", typ, p.SourceConfig, in.SourceConfig)
		}
		in.SourceConfig = cfg
	}
	return in, nil
}
