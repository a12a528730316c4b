package athenascan

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// API is the part of the Athena client the scanner uses: the read actions of
// the vendor guide's AthenaQueryRead statement, minus GetQueryResults.
type API interface {
	ListDataCatalogs(ctx context.Context, in *athena.ListDataCatalogsInput, opts ...func(*athena.Options)) (*athena.ListDataCatalogsOutput, error)
	GetDataCatalog(ctx context.Context, in *athena.GetDataCatalogInput, opts ...func(*athena.Options)) (*athena.GetDataCatalogOutput, error)
	ListWorkGroups(ctx context.Context, in *athena.ListWorkGroupsInput, opts ...func(*athena.Options)) (*athena.ListWorkGroupsOutput, error)
	GetWorkGroup(ctx context.Context, in *athena.GetWorkGroupInput, opts ...func(*athena.Options)) (*athena.GetWorkGroupOutput, error)
	ListQueryExecutions(ctx context.Context, in *athena.ListQueryExecutionsInput, opts ...func(*athena.Options)) (*athena.ListQueryExecutionsOutput, error)
	BatchGetQueryExecution(ctx context.Context, in *athena.BatchGetQueryExecutionInput, opts ...func(*athena.Options)) (*athena.BatchGetQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, opts ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
}

// Scanner reads one account's Athena resources in one region.
type Scanner struct {
	Client  API
	Service string // the workflow's serviceName
	Options Options
	Logger  *slog.Logger
	// Now is the clock for the query look-back window; nil means time.Now.
	Now func() time.Time
	// Reserved reports root-level names already used by another kind in
	// the same service (the Glue databases of a glue connection): a data
	// catalog or workgroup with such a name gets its kind as a prefix in
	// its FQN part, so FQNs stay unique. Nil reserves nothing.
	Reserved func(name string) bool
	// Threads bounds workgroups whose history is read at once (default 4).
	Threads int
	// DenyHint, when set, is appended to access-denied warnings: how to
	// stop asking (e.g. "set includeAthena: false").
	DenyHint string
	// DefaultCatalog, when set, is a GLUE data catalog reported even when
	// Athena does not list it. AWS always lists AwsDataCatalog; emulators
	// do not create it until asked.
	DefaultCatalog string
	// OptionalDeadline bounds each call of the query history (a page of
	// ListQueryExecutions, a BatchGetQueryExecution); 0 means
	// source.DefaultOptionalDeadline.
	OptionalDeadline time.Duration

	workgroups source.Filter
	// noBatch is set once BatchGetQueryExecution proved unimplemented
	// (emulators): executions are then read one by one.
	noBatch atomic.Bool
	// history turns the query history off for the rest of the scan when
	// the endpoint lacks it or the role may not read it.
	historyOnce sync.Once
	history     *source.Optional
}

// historySwitch returns the scan's query-history switch.
func (s *Scanner) historySwitch() *source.Optional {
	s.historyOnce.Do(func() {
		s.history = &source.Optional{Operation: "Athena query history (ListQueryExecutions, BatchGetQueryExecution, GetQueryExecution)",
			Option: "includeQueryHistory: false", Permission: "athena:ListQueryExecutions and athena:BatchGetQueryExecution",
			Deadline: s.OptionalDeadline}
	})
	return s.history
}

// historyFail reports a failure to read query history: the history is never
// declared complete (nothing is deleted for it), so it is a notice, and an
// answer that will not change turns the history off.
func (s *Scanner) historyFail(ctx context.Context, sink source.Sink, err error, doing string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	classified := awsconn.Classify(err, doing)
	if s.historySwitch().TurnOffOn(ctx, sink, classified) {
		return nil
	}
	sink.Warn(ctx, source.Notice(classified))
	return nil
}

// New returns a scanner, compiling the filters.
func New(client API, service string, opts Options, logger *slog.Logger) (*Scanner, error) {
	wg, err := opts.WorkgroupFilterPattern.Compile("workgroupFilterPattern")
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scanner{Client: client, Service: service, Options: opts, Logger: logger, workgroups: wg}, nil
}

// WithReserved returns a scanner like s whose Reserved is reserved, for one
// scan that knows the names other kinds use.
func (s *Scanner) WithReserved(reserved func(name string) bool) *Scanner {
	return &Scanner{
		Client: s.Client, Service: s.Service, Options: s.Options, Logger: s.Logger, Now: s.Now,
		Reserved: reserved, Threads: s.Threads, DefaultCatalog: s.DefaultCatalog, DenyHint: s.DenyHint, workgroups: s.workgroups,
		OptionalDeadline: s.OptionalDeadline,
	}
}

// Prefixes put before a data catalog's or workgroup's name when it collides.
const (
	catalogPrefix   = "data_catalog:"
	workgroupPrefix = "workgroup:"
)

// Scan emits data catalogs and workgroups under root (the service FQN) and
// each workgroup's query executions. AWS failures are warnings: Athena is
// often an extra of a Glue connection, and a role without Athena rights must
// not fail the Glue scan. It returns the data catalogs it read, for callers
// that scan their databases, and an error only for failures that must stop
// the scan (the sink failing, cancellation).
func (s *Scanner) Scan(ctx context.Context, sink source.Sink, root string) ([]types.DataCatalog, error) {
	catalogs, err := s.ScanDataCatalogs(ctx, sink, root)
	if err != nil {
		return nil, err
	}
	return catalogs, s.ScanWorkgroups(ctx, sink, root, catalogs)
}

// ScanDataCatalogs emits the data catalogs under root, unless
// includeDataCatalogs is off, and returns them.
func (s *Scanner) ScanDataCatalogs(ctx context.Context, sink source.Sink, root string) ([]types.DataCatalog, error) {
	if !s.Options.IncludeDataCatalogs {
		return nil, nil
	}
	return s.scanDataCatalogs(ctx, sink, root)
}

// ScanWorkgroups emits the workgroups under root and their query history,
// unless includeWorkgroups is off. catalogs are the data catalogs emitted
// under the same root, whose names workgroup FQNs must not reuse.
func (s *Scanner) ScanWorkgroups(ctx context.Context, sink source.Sink, root string, catalogs []types.DataCatalog) error {
	if !s.Options.IncludeWorkgroups {
		return nil
	}
	return s.scanWorkgroups(ctx, sink, root, catalogs)
}

// CatalogFQN is the FQN of a data catalog entity the scanner emitted.
func (s *Scanner) CatalogFQN(root, name string) string {
	return catalog.Child(root, s.catalogPart(name))
}

func (s *Scanner) catalogPart(name string) string {
	if s.Reserved != nil && s.Reserved(name) {
		return catalogPrefix + name
	}
	return name
}

func (s *Scanner) workgroupPart(name string, catalogs []types.DataCatalog) string {
	if s.Reserved != nil && s.Reserved(name) {
		return workgroupPrefix + name
	}
	for _, c := range catalogs {
		if strings.EqualFold(aws.ToString(c.Name), name) {
			return workgroupPrefix + name
		}
	}
	return name
}

// softFail turns an AWS error into a warning; it returns the error only when
// the scan itself was cancelled.
func (s *Scanner) softFail(ctx context.Context, sink source.Sink, err error, doing string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	classified := awsconn.Classify(err, doing)
	if s.DenyHint != "" && apperr.Is(classified, apperr.AccessDenied) {
		classified = fmt.Errorf("%w (%s)", classified, s.DenyHint)
	}
	sink.Warn(ctx, classified)
	return nil
}

func (s *Scanner) scanDataCatalogs(ctx context.Context, sink source.Sink, root string) ([]types.DataCatalog, error) {
	var summaries []types.DataCatalogSummary
	pages := athena.NewListDataCatalogsPaginator(s.Client, &athena.ListDataCatalogsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, s.softFail(ctx, sink, err, "listing Athena data catalogs")
		}
		summaries = append(summaries, page.DataCatalogsSummary...)
	}
	if s.DefaultCatalog != "" && !listed(summaries, s.DefaultCatalog) {
		summaries = append(summaries, types.DataCatalogSummary{CatalogName: aws.String(s.DefaultCatalog), Type: types.DataCatalogTypeGlue})
	}
	out := make([]types.DataCatalog, 0, len(summaries))
	complete := true
	for _, sum := range summaries {
		name := aws.ToString(sum.CatalogName)
		dc := types.DataCatalog{Name: sum.CatalogName, Type: sum.Type, Status: sum.Status, ConnectionType: sum.ConnectionType, Error: sum.Error}
		res, err := s.Client.GetDataCatalog(ctx, &athena.GetDataCatalogInput{Name: sum.CatalogName})
		switch {
		case err != nil && strings.EqualFold(name, s.DefaultCatalog):
			// Synthesised above: Athena may not know it by name either.
		case err != nil && apperr.Is(awsconn.Classify(err, ""), apperr.NotFound):
			// Deleted between the listing and now.
			continue
		case err != nil:
			// The summary still names the catalog: keep it, without details.
			if err := s.softFail(ctx, sink, err, fmt.Sprintf("reading Athena data catalog %q", name)); err != nil {
				return nil, err
			}
			complete = false
		case res.DataCatalog != nil:
			dc = *res.DataCatalog
			if dc.Name == nil {
				dc.Name = sum.CatalogName
			}
		}
		out = append(out, dc)
		if err := sink.Emit(ctx, s.dataCatalogEntity(root, dc)); err != nil {
			return nil, err
		}
	}
	sink.Progress(catalog.KindDataCatalog, len(out))
	if complete {
		if err := sink.Complete(ctx, root, catalog.KindDataCatalog); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func listed(summaries []types.DataCatalogSummary, name string) bool {
	for _, s := range summaries {
		if strings.EqualFold(aws.ToString(s.CatalogName), name) {
			return true
		}
	}
	return false
}

func (s *Scanner) scanWorkgroups(ctx context.Context, sink source.Sink, root string, catalogs []types.DataCatalog) error {
	var names []string
	pages := athena.NewListWorkGroupsPaginator(s.Client, &athena.ListWorkGroupsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.softFail(ctx, sink, err, "listing Athena workgroups")
		}
		for _, wg := range page.WorkGroups {
			if name := aws.ToString(wg.Name); s.workgroups.Allows(name) {
				names = append(names, name)
			}
		}
	}
	threads := s.Threads
	if threads <= 0 {
		threads = 4
	}
	var (
		mu       sync.Mutex
		complete = true
		fatal    error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, threads)
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, name := range names {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok, err := s.scanWorkgroup(ctx, sink, root, name, catalogs)
			mu.Lock()
			defer mu.Unlock()
			complete = complete && ok
			if err != nil && fatal == nil {
				fatal = err
				cancel()
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return fatal
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	sink.Progress(catalog.KindWorkgroup, len(names))
	if complete {
		return sink.Complete(ctx, root, catalog.KindWorkgroup)
	}
	return nil
}

// scanWorkgroup emits one workgroup and its history. ok is false when the
// workgroup could not be read, so that the listing is not declared complete
// (the catalog would otherwise delete the unreadable workgroup).
func (s *Scanner) scanWorkgroup(ctx context.Context, sink source.Sink, root, name string, catalogs []types.DataCatalog) (ok bool, err error) {
	res, err := s.Client.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(name)})
	if err != nil {
		if apperr.Is(awsconn.Classify(err, ""), apperr.NotFound) {
			return true, nil
		}
		return false, s.softFail(ctx, sink, err, fmt.Sprintf("reading Athena workgroup %q", name))
	}
	wg := types.WorkGroup{Name: aws.String(name)}
	if res.WorkGroup != nil {
		wg = *res.WorkGroup
	}
	fqn := catalog.Child(root, s.workgroupPart(name, catalogs))
	if err := sink.Emit(ctx, s.workgroupEntity(root, fqn, wg)); err != nil {
		return false, err
	}
	if !s.Options.IncludeQueryHistory || !s.historySwitch().On() {
		return true, nil
	}
	// A disabled workgroup keeps its history, and Athena still lists it.
	return true, s.scanHistory(ctx, sink, fqn, name)
}
