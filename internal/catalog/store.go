package catalog

import (
	"context"
	"time"
)

// Store is the catalog's persistence: everything lakemap keeps, entities,
// scans, connections, projects, lineage and MCP tokens, so that no caller
// has to ask a backend what it supports. The only backend today is
// internal/store/sqlite; the interface and the conformance suite in
// internal/store/storetest are what a second one (PostgreSQL is planned)
// must satisfy.
//
// Errors: a missing entity, scan or connection is reported with
// apperr.NotFound; bad arguments with apperr.Invalid.
type Store interface {
	EntityReader
	Searcher
	HistoryReader
	ScanWriter
	ScanReader
	ConnectionStore
	ProjectStore
	LineageStore
	TokenStore
	// Scoped returns the read half of the store limited to a tenant, its
	// limit applied inside every query. The unscoped methods above read
	// everything: they serve the scan writer and the local CLI.
	Scoped(t Tenant) Reader
	Close() error
}

// EntityReader reads entities by FQN and by parent.
type EntityReader interface {
	// Get returns the entity with that canonical FQN, deleted or not.
	Get(ctx context.Context, fqn string) (Entity, error)
	// List returns entities matching q, ordered by FQN, paged by FQN cursor.
	List(ctx context.Context, q ListQuery) (Page, error)
	// Stats counts live entities per kind, optionally within one service.
	Stats(ctx context.Context, service string) (map[Kind]int64, error)
}

// ListQuery selects entities by parent, kind and service.
type ListQuery struct {
	ParentFQN      string // "" with Service set: the service's roots
	Service        string
	Kinds          []Kind
	IncludeDeleted bool
	After          string // FQN cursor: return entities with FQN > After
	Limit          int    // 0 means DefaultLimit; capped at MaxLimit
}

// Page is one page of a listing.
type Page struct {
	Entities []Entity `json:"entities"`
	// Next is the cursor for the next page, "" when this is the last.
	Next string `json:"next,omitempty"`
}

// Limits shared by every listing and search.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// ClampLimit applies DefaultLimit and MaxLimit.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Searcher is the full-text search over names, FQNs, descriptions, column
// names and comments.
type Searcher interface {
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
}

// SearchQuery is a user's search. Text is free text, never query syntax: the
// backend must not fail on quotes, operators or stray punctuation in it.
type SearchQuery struct {
	Text           string
	Kinds          []Kind
	Services       []string
	IncludeDeleted bool
	Offset         int
	Limit          int
}

// SearchHit is one ranked result.
type SearchHit struct {
	FQN         string  `json:"fqn"`
	Kind        Kind    `json:"kind"`
	Name        string  `json:"name"`
	Service     string  `json:"service"`
	Description string  `json:"description,omitempty"` // shortened
	Score       float64 `json:"score"`                 // higher is better
	Deleted     bool    `json:"deleted,omitempty"`
}

// SearchResult is one page of hits.
type SearchResult struct {
	Hits  []SearchHit `json:"hits"`
	Total int         `json:"total"` // matches in all, up to a backend cap
	// NextOffset is the offset of the next page, 0 when there is none.
	NextOffset int `json:"nextOffset,omitempty"`
}

// HistoryReader reads the change history.
type HistoryReader interface {
	// History returns the changes of one entity, newest first.
	History(ctx context.Context, fqn string, limit int) ([]Change, error)
	// Changes returns changes under a service or parent since a time, newest first.
	Changes(ctx context.Context, q ChangesQuery) ([]Change, error)
}

// ChangesQuery selects history entries.
type ChangesQuery struct {
	Service   string
	ParentFQN string // only changes of entities whose parent is this FQN
	Since     time.Time
	Kinds     []Kind
	Limit     int
}

// ScanWriter records one scan's findings. A source never calls it directly:
// the scan runner batches what sources emit.
type ScanWriter interface {
	BeginScan(ctx context.Context, s ScanStart) (Scan, error)
	// Upsert writes a batch of entities seen by the scan in one transaction,
	// recording history for added, updated and restored entities. Unchanged
	// entities only get their LastSeen/LastScanID bumped. The batch belongs
	// to the caller again once Upsert returns (the scan runner reuses it).
	Upsert(ctx context.Context, scanID int64, batch []Entity) (WriteStats, error)
	// MarkMissing marks deleted every live entity of the given kinds directly
	// under parentFQN that this scan did not see, and their descendants. The
	// runner calls it only after the parent's listing completed without error.
	MarkMissing(ctx context.Context, scanID int64, parentFQN string, kinds []Kind) (WriteStats, error)
	// Write applies w in one transaction (see ScanWrite): a table written
	// with its new columns and partitions and its dropped ones marked
	// deleted, or not at all. Publishing is refused (apperr.Invalid) once
	// the scan is no longer recorded running, as its staged parts may be
	// gone. Write takes ownership of w's entities as Upsert does of a batch.
	Write(ctx context.Context, scanID int64, w ScanWrite) (WriteStats, error)
	// FinishScan records the scan's outcome and discards whatever it
	// staged and never published. So do MarkRunningInterrupted and
	// SetScanStatus on the stores, for scans whose process died.
	FinishScan(ctx context.Context, scanID int64, r ScanResult) error
}

// ScanWrite is one write transaction of a scan, applied in this order:
//
//  1. Parts are staged: written where no read sees them, keyed by scan
//     and owner, a later sighting of an FQN under the same owner replacing
//     the earlier one.
//  2. The parts staged under each owner in Publish are moved into the
//     catalog as an Upsert of them would write them (history, content
//     hashes, search indexes, last scan), then unstaged.
//  3. Batch is upserted.
//  4. Each listing of Completed is marked missing (MarkMissing).
//
// Staging is what lets a unit too big to hold in memory — a table's
// hundred thousand partitions, a bucket's objects — stream to disk page
// by page and still become visible whole, with its owner.
type ScanWrite struct {
	Parts     []Parts
	Publish   []string
	Batch     []Entity
	Completed []Listing
}

// Parts are entities staged under Owner, the FQN of the entity whose
// write makes them visible: a table for its partitions, a bucket for its
// objects (usually, not necessarily, their parent).
type Parts struct {
	Owner    string
	Entities []Entity
}

// Empty says w writes nothing.
func (w ScanWrite) Empty() bool {
	return len(w.Parts) == 0 && len(w.Publish) == 0 && len(w.Batch) == 0 && len(w.Completed) == 0
}

// Listing is a listing a scan finished: the entities of Kinds directly
// under ParentFQN that the scan did not see may be marked deleted.
type Listing struct {
	ParentFQN string
	Kinds     []Kind
}

// ScanReader reads scan records.
type ScanReader interface {
	GetScan(ctx context.Context, id int64) (Scan, error)
	ListScans(ctx context.Context, service string, limit int) ([]Scan, error)
}

// WriteStats counts what a write did, per kind.
type WriteStats map[Kind]*Counts

// Counts of entity outcomes.
type Counts struct {
	Added     int64 `json:"added"`
	Updated   int64 `json:"updated"`
	Unchanged int64 `json:"unchanged"`
	Deleted   int64 `json:"deleted"`
}

// Add merges o into s.
func (s WriteStats) Add(o WriteStats) {
	for k, c := range o {
		if s[k] == nil {
			s[k] = &Counts{}
		}
		s[k].Added += c.Added
		s[k].Updated += c.Updated
		s[k].Unchanged += c.Unchanged
		s[k].Deleted += c.Deleted
	}
}

// Of returns the counts for kind, creating them.
func (s WriteStats) Of(k Kind) *Counts {
	if s[k] == nil {
		s[k] = &Counts{}
	}
	return s[k]
}

// Tally counts n entities of kind k as added (isNew), updated (changed)
// or unchanged, in s and in total: how the stores count staged parts they
// classify by group.
func (s WriteStats) Tally(k Kind, isNew, changed bool, n int64, total *Counts) {
	for _, c := range []*Counts{s.Of(k), total} {
		switch {
		case isNew:
			c.Added += n
		case changed:
			c.Updated += n
		default:
			c.Unchanged += n
		}
	}
}

// ScanStart describes a scan about to run.
type ScanStart struct {
	Service    string
	SourceType string
	Started    time.Time
}

// ScanStatus is a scan's outcome.
type ScanStatus string

const (
	ScanRunning   ScanStatus = "running"
	ScanSucceeded ScanStatus = "succeeded"
	ScanPartial   ScanStatus = "partial" // some listing failed; nothing was deleted under it
	ScanFailed    ScanStatus = "failed"
)

// ScanResult is what the runner reports at the end.
type ScanResult struct {
	Status   ScanStatus
	Finished time.Time
	Stats    WriteStats
	// Errors are the listings that failed (the scan is partial).
	Errors []string
	// Warnings are what the scan did without (optional enrichments,
	// customers' unusable files); they leave it succeeded.
	Warnings []string
}

// Scan is the record of one scan.
type Scan struct {
	ID         int64      `json:"id"`
	Service    string     `json:"service"`
	SourceType string     `json:"sourceType"`
	Status     ScanStatus `json:"status"`
	Started    time.Time  `json:"started"`
	Finished   *time.Time `json:"finished,omitempty"`
	Stats      WriteStats `json:"stats,omitempty"`
	Errors     []string   `json:"errors,omitempty"`
	Warnings   []string   `json:"warnings,omitempty"`
}

// ConnectionStore remembers the connections workflows name, so live tools and
// later scans can reuse them.
type ConnectionStore interface {
	ConnectionReader
	PutConnection(ctx context.Context, c Connection) error
	DeleteConnection(ctx context.Context, name string) error
	// The project-scoped forms filter on the project in the query itself:
	// another project's connection is apperr.NotFound, never its row.
	GetProjectConnection(ctx context.Context, projectID, name string) (Connection, error)
	ListProjectConnections(ctx context.Context, projectID string) ([]Connection, error)
	DeleteProjectConnection(ctx context.Context, projectID, name string) error
}

// AccessLevel is a connection's grant, as in the vendor guide.
type AccessLevel string

const (
	ReadOnly  AccessLevel = "ReadOnly"
	ReadWrite AccessLevel = "ReadWrite"
)

// Connection is one AWS integration. Secrets holds the encrypted secret fields
// (static keys, session token) as an opaque blob: the store never sees them in
// clear text.
type Connection struct {
	Name        string      `json:"name"` // the workflow's serviceName
	ProjectID   string      `json:"projectId,omitempty"`
	SourceType  string      `json:"sourceType"` // glue, athena, s3, datazone
	RoleARN     string      `json:"roleArn,omitempty"`
	ExternalID  string      `json:"externalId,omitempty"`
	Region      string      `json:"region"`
	AccessLevel AccessLevel `json:"accessLevel"`
	EndpointURL string      `json:"endpointUrl,omitempty"`
	// Config is the non-secret rest of the connection config as JSON.
	Config []byte `json:"-"`
	// SourceConfig is the scan options (the workflow's sourceConfig.config)
	// as JSON, secret fields removed; only what differs from the defaults.
	SourceConfig []byte `json:"-"`
	Secrets      []byte `json:"-"`
	// SecretFields names the fields sealed in Secrets, so readers can say
	// which are set without opening them.
	SecretFields []string `json:"-"`
	// Schedule is when the server scans the connection; zero for never.
	Schedule Schedule  `json:"schedule,omitzero"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Schedule is a connection's scan schedule: a standard 5-field cron
// expression or an interval, at most one of them.
type Schedule struct {
	Cron     string        `json:"cron,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
}

// IsZero reports whether the schedule is unset.
func (s Schedule) IsZero() bool { return s.Cron == "" && s.Interval == 0 }
