// Package source holds the registry of scanners. Each AWS source lives in its
// own package under internal/source and registers itself with a Registry; the
// rest of lakemap looks sources up by their workflow source.type and asks the
// registry what it needs to know of one (its IAM service family, its FQN
// layout, where connection tests should probe) instead of switching on the
// type string.
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
	// EmitComplete is Emit and then Complete of the listings the entities
	// finish (a table's columns, a struct's fields), written together in
	// one transaction: after a crash the table is as before or as this
	// scan saw it, its dropped columns marked deleted, never between.
	EmitComplete(ctx context.Context, entities []catalog.Entity, completed ...catalog.Listing) error
	// EmitPart records entities that are part of the entity at ownerFQN
	// and must not be seen before it: a table's partitions, a bucket's
	// objects, too many to hold until the owner is known. They are
	// written as they come but stay invisible until the owner itself is
	// next emitted (Emit or EmitComplete), and appear in that write: after
	// a crash the table is as before with its old partitions, or as this
	// scan saw it with all of its new ones, never between. Parts whose
	// owner is never emitted again in the scan are discarded. A source
	// therefore emits the owner after its parts.
	EmitPart(ctx context.Context, ownerFQN string, entities ...catalog.Entity) error
	// Warn records a non-fatal problem (one table unreadable, say); the scan
	// goes on and ends as partial.
	Warn(ctx context.Context, err error)
	// Progress reports a unit of work done, for terminal progress display.
	Progress(kind catalog.Kind, n int)
}

// Backlog is a Sink that can tell when its writer is behind, so that a
// source can hold back work whose results would only wait in Emit: a
// listing page fetched while the catalog is busy is a page held in memory.
type Backlog interface {
	Backlogged() bool
}

// Backlogged says whether sink's writer is behind; false for a sink that
// cannot tell.
func Backlogged(sink Sink) bool {
	b, ok := sink.(Backlog)
	return ok && b.Backlogged()
}

// Params is what a source is built from, as the workflow decoded it.
type Params struct {
	ServiceName string
	// Connection is the typed serviceConnection.config the Spec created.
	Connection AWSConfigHolder
	// SourceConfig is the typed sourceConfig.config the Spec created; nil
	// for a spec without one.
	SourceConfig any
	// AWS is the connection's AWS block, resolved (credentials, limiter...).
	AWS    *awsconn.Session
	Logger *slog.Logger
}

// Service families: the IAM grant (an onboarding service) a source's
// connection is made with.
const (
	ServiceGlue     = "glue" // the Glue Data Catalog, Athena and the S3 data behind them
	ServiceS3       = "s3"
	ServiceDataZone = "datazone"
)

// ProbeScope is what a connection's config tells `lakemap connection test`
// about where to probe: the resources the scan will read, tried before any
// other the account lists.
type ProbeScope struct {
	// Buckets are the S3 buckets the connection is configured for.
	Buckets []string
	// GlueCatalogID is the Glue catalog the scan lists when it is not the
	// role's own account's.
	GlueCatalogID string
}

// Spec declares a source type to the rest of lakemap. Source packages build
// it with Define, which keeps their config types; the func fields then take
// the erased values the workflow parser holds.
type Spec struct {
	// Type is the workflow's source.type, e.g. "glue".
	Type string
	// ConnectionType is serviceConnection.config.type, e.g. "Glue".
	ConnectionType string
	// SourceConfigTypes are accepted values of sourceConfig.config.type.
	SourceConfigTypes []string
	// Service is the IAM service family the connection is granted for
	// (ServiceGlue, ServiceS3 or ServiceDataZone): it names the onboarding
	// policy, hence the permission groups the connection test proves, and
	// the live MCP tools a connection can serve.
	Service string
	// DatabasesUnderDataCatalogs says the source's databases sit under
	// Athena data catalogs (<service>.<catalog>.<database>.<table>) rather
	// than right under the service; lineage resolves SQL names accordingly.
	DatabasesUnderDataCatalogs bool
	// NewConnection returns a pointer to a fresh, defaulted connection config
	// struct.
	NewConnection func() AWSConfigHolder
	// NewSourceConfig returns a pointer to a fresh, defaulted source config
	// struct; nil when the source has no sourceConfig.
	NewSourceConfig func() any
	// New builds the source.
	New func(p Params) (Source, error)
	// Probe says where the connection test probes; nil means nowhere in
	// particular.
	Probe func(conn AWSConfigHolder) ProbeScope
}

// ProbeScopeOf is the spec's probe scope for conn, empty when the spec
// declares none.
func (s Spec) ProbeScopeOf(conn AWSConfigHolder) ProbeScope {
	if s.Probe == nil || conn == nil {
		return ProbeScope{}
	}
	return s.Probe(conn)
}

// AWSConfigHolder is implemented by every connection config struct.
type AWSConfigHolder interface {
	AWS() *awsconn.Config
	Access() catalog.AccessLevel
}

// Registry maps source types to their specs. It is filled at start-up and
// only read afterwards.
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

// Service is the IAM service family of a source type; ok is false for a type
// no source registered.
func (r *Registry) Service(typ string) (service string, ok bool) {
	s, ok := r.specs[typ]
	return s.Service, ok
}

// DatabasesUnderDataCatalogs reports the FQN layout of a source type (see
// Spec); false for unknown types.
func (r *Registry) DatabasesUnderDataCatalogs(typ string) bool {
	return r.specs[typ].DatabasesUnderDataCatalogs
}
