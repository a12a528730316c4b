package catalog

import (
	"context"
	"fmt"
	"time"
)

// Lineage is table-level: an Edge says data flows From one entity To
// another, and why lakemap believes it. Edges live beside entities rather
// than in them because either end may be scanned by a different workflow
// (a Glue table and the S3 container holding its files), and because one
// piece of evidence (a view, a query) yields several edges that must be
// replaced together when the evidence changes.

// EdgeKind says what evidence an edge comes from.
type EdgeKind string

const (
	// EdgeView: a view reads From (a table or view); To is the view.
	EdgeView EdgeKind = "view"
	// EdgeQuery: an Athena query (CTAS, INSERT ... SELECT, MERGE...) read
	// From and wrote To.
	EdgeQuery EdgeKind = "query"
	// EdgeStorage: To (a Glue table) keeps its data in From (an S3 bucket
	// or container).
	EdgeStorage EdgeKind = "storage"
	// EdgeDataZone: DataZone's own lineage (GetLineageNode) says data flows
	// From one DataZone asset To another.
	EdgeDataZone EdgeKind = "datazone"
)

// ParseEdgeKind validates a kind typed by a user.
func ParseEdgeKind(s string) (EdgeKind, error) {
	switch k := EdgeKind(s); k {
	case EdgeView, EdgeQuery, EdgeStorage, EdgeDataZone:
		return k, nil
	}
	return "", fmt.Errorf("unknown lineage edge kind %q (known: view, query, storage, datazone)", s)
}

// Edge is one lineage link.
type Edge struct {
	From string   `json:"from"` // upstream FQN
	To   string   `json:"to"`   // downstream FQN
	Kind EdgeKind `json:"kind"`
	// Origin is the FQN of the entity that is the evidence: the view, the
	// query execution, or the table whose location links it to storage.
	// Edges are replaced per (Kind, Origin).
	Origin string `json:"origin"`
	// Evidence is the human-readable proof: the query execution id, the
	// view's FQN, the S3 location.
	Evidence string `json:"evidence,omitempty"`
	// Columns maps a downstream column to the upstream columns it comes
	// from, when the parser could tell cheaply. Optional.
	Columns map[string][]string `json:"columns,omitempty"`
	// Service is the service whose scan produced the edge.
	Service string `json:"service"`
	ScanID  int64  `json:"scanId,omitempty"`
	// At is when the evidence happened when known (a query's completion),
	// else when the edge was recorded.
	At time.Time `json:"at"`
	// Hop is set by Edges: 1 for edges touching the asked entity, 2 for
	// the next ring, and so on.
	Hop int `json:"hop,omitempty"`
}

// Direction selects which way Edges walks.
type Direction string

const (
	Upstream   Direction = "upstream"   // where the data comes from
	Downstream Direction = "downstream" // where the data goes
	Both       Direction = "both"
)

// ParseDirection validates a direction typed by a user.
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(s); d {
	case Upstream, Downstream, Both:
		return d, nil
	case "":
		return Both, nil
	}
	return "", fmt.Errorf("unknown lineage direction %q (known: upstream, downstream, both)", s)
}

// Lineage depth limits shared by every backend and caller.
const (
	DefaultLineageDepth = 3
	MaxLineageDepth     = 20
)

// Location is where an entity's data lives in S3, kept so that storage
// lineage can be computed whichever of the Glue and the S3 scans runs
// second. Prefix has no leading slash and, unless empty, a trailing one.
type Location struct {
	FQN     string `json:"fqn"`
	Kind    Kind   `json:"kind"` // table, bucket or container
	Service string `json:"service"`
	Bucket  string `json:"bucket"`
	Prefix  string `json:"prefix"`
}

// LineageStore persists lineage; it is part of Store. Code that only
// records or walks lineage (internal/lineage) asks for this narrower
// interface.
//
// Errors: bad arguments are apperr.Invalid.
type LineageStore interface {
	LineageReader
	// ReplaceEdges deletes every edge of kind whose Origin is in origins,
	// then records edges (each of which must have that kind and an origin
	// in origins), in one transaction. An origin with no edges left is
	// simply cleared.
	ReplaceEdges(ctx context.Context, scanID int64, kind EdgeKind, origins []string, edges []Edge) error
	// ReplaceLocations sets the S3 locations of service's entities.
	ReplaceLocations(ctx context.Context, service string, locs []Location) error
}
