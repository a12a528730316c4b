package catalog

import (
	"context"
	"slices"
)

// Tenant is what one caller may read: the data of some projects, or of
// every project. A project's data is that of its connections: every entity,
// change, scan and lineage edge carries its connection's name as Service,
// and connection names are unique across projects. Data of a connection
// bound to no project is visible only to AllProjects.
//
// The zero Tenant reads nothing: a caller whose rights were never worked out
// must fail closed, never see everything.
type Tenant struct {
	// All reads every project and the connections bound to none: the local
	// CLI, the scan writer and administrators.
	All bool
	// ProjectIDs are the projects read when All is false.
	ProjectIDs []string
	// Connections, when not empty, narrows what All or ProjectIDs allow to
	// these connections (a token limited to some connections of its
	// project). It never widens them.
	Connections []string
}

// AllProjects is the tenant that reads everything.
func AllProjects() Tenant { return Tenant{All: true} }

// Projects is the tenant that reads the given projects. Empty ids are
// dropped: "" is how a connection says it has no project, and unbound data
// belongs to AllProjects only.
func Projects(ids ...string) Tenant {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return Tenant{ProjectIDs: out}
}

// OnlyConnections returns t narrowed to the named connections; no names
// leaves t as it is.
func (t Tenant) OnlyConnections(names ...string) Tenant {
	if len(names) == 0 {
		return t
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		// Only empty names: narrowed to nothing, not widened to everything.
		return Tenant{}
	}
	t.Connections = out
	return t
}

// Reader is the read half of a Store, as the surfaces (REST, MCP, UI) use
// it. Store.Scoped returns one limited to a tenant: everything outside the
// tenant is apperr.NotFound, with the same message as a thing that does not
// exist, or simply absent from lists and searches, so that no id, FQN or
// name of another project reveals whether it exists.
type Reader interface {
	EntityReader
	Searcher
	HistoryReader
	ScanReader
	ConnectionReader
	ProjectReader
	LineageReader
}

// ConnectionReader reads connections.
type ConnectionReader interface {
	GetConnection(ctx context.Context, name string) (Connection, error)
	ListConnections(ctx context.Context) ([]Connection, error)
}

// ProjectReader reads projects.
type ProjectReader interface {
	// GetProject finds a project by name or by id.
	GetProject(ctx context.Context, nameOrID string) (Project, error)
	// ListProjects returns every project, by name.
	ListProjects(ctx context.Context) ([]Project, error)
}

// LineageReader reads lineage.
type LineageReader interface {
	// Edges walks lineage from fqn up to depth hops (0 means
	// DefaultLineageDepth; capped at MaxLineageDepth) in the given
	// direction, returning each edge once, nearest first. A scoped reader
	// returns only edges recorded by the tenant's connections whose ends,
	// and evidence, are the tenant's too, and walks on through them alone.
	Edges(ctx context.Context, fqn string, dir Direction, depth int) ([]Edge, error)
	// LocationsInBucket returns every known location in bucket, of any
	// service, ordered by FQN.
	LocationsInBucket(ctx context.Context, bucket string) ([]Location, error)
}
