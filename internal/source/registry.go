// Package source holds the registry of scanners. Each AWS source lives in its
// own package under internal/source and registers itself with a Registry; the
// rest of lakemap looks sources up by their workflow source.type.
package source

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Source scans one service and emits what it finds.
type Source interface {
	Scan(ctx context.Context, sink Sink) error
}

// Sink receives a scan's findings. The runner behind it batches writes.
type Sink interface {
	// Emit records entities seen by the scan. It copies them: the caller
	// may reuse the slice once Emit returns.
	Emit(ctx context.Context, entities ...catalog.Entity) error
	// Complete says the listing of kinds under parentFQN finished without
	// error, so entities of those kinds not seen there may be marked deleted.
	// A source must never call it for a listing that failed or was cut short.
	Complete(ctx context.Context, parentFQN string, kinds ...catalog.Kind) error
	// Warn records a non-fatal problem (one table unreadable, say); the scan
	// goes on and ends as partial.
	Warn(ctx context.Context, err error)
	// Progress reports a unit of work done, for terminal progress display.
	Progress(kind catalog.Kind, n int)
}

// Params is what a source is built from.
type Params struct {
	ServiceName string
	// Connection is the typed serviceConnection.config the Spec created.
	Connection any
	// SourceConfig is the typed sourceConfig.config the Spec created.
	SourceConfig any
	// AWS is the connection's AWS block, resolved (credentials, limiter...).
	AWS    *awsconn.Session
	Logger *slog.Logger
}

// Spec declares a source type.
type Spec struct {
	// Type is the workflow's source.type, e.g. "glue".
	Type string
	// ConnectionType is serviceConnection.config.type, e.g. "Glue".
	ConnectionType string
	// SourceConfigTypes are accepted values of sourceConfig.config.type.
	SourceConfigTypes []string
	// Service is the IAM service family the connection is granted for:
	// glue (covers Athena), s3 or datazone.
	Service string
	// NewConnection returns a pointer to a fresh, defaulted connection config
	// struct. It must embed or hold an awsconn.Config reachable through
	// the AWSConfigHolder interface.
	NewConnection func() AWSConfigHolder
	// NewSourceConfig returns a pointer to a fresh, defaulted source config struct.
	NewSourceConfig func() any
	// New builds the source.
	New func(p Params) (Source, error)
	// Checks lists the probes `lakemap connection test` runs after the role
	// is assumed. Optional.
	Checks func(p Params) []Check
}

// AWSConfigHolder is implemented by every connection config struct.
type AWSConfigHolder interface {
	AWS() *awsconn.Config
	Access() catalog.AccessLevel
}

// Registry maps source types to their specs.
type Registry struct {
	specs map[string]Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: map[string]Spec{}} }

// Register adds a spec; registering a type twice is a programming error.
func (r *Registry) Register(s Spec) {
	if _, dup := r.specs[s.Type]; dup {
		panic(fmt.Sprintf("source %q registered twice", s.Type))
	}
	r.specs[s.Type] = s
}

// Lookup finds a spec by source.type.
func (r *Registry) Lookup(typ string) (Spec, bool) {
	s, ok := r.specs[typ]
	return s, ok
}

// Types lists the registered source types, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.specs))
	for t := range r.specs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
