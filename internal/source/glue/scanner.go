package glue

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
)

// API is the part of the Glue client the scanner uses: read actions of the
// vendor guide's GlueCatalogReadAccess statement, plus
// GetColumnStatisticsForTable, which the guide grants only with ReadWrite.
// GetTableVersions is deliberately absent: the guide's policies do not grant
// it, so schema changes come from lakemap's own history instead.
type API interface {
	GetDatabases(ctx context.Context, in *glue.GetDatabasesInput, opts ...func(*glue.Options)) (*glue.GetDatabasesOutput, error)
	GetTables(ctx context.Context, in *glue.GetTablesInput, opts ...func(*glue.Options)) (*glue.GetTablesOutput, error)
	GetPartitions(ctx context.Context, in *glue.GetPartitionsInput, opts ...func(*glue.Options)) (*glue.GetPartitionsOutput, error)
	GetColumnStatisticsForTable(ctx context.Context, in *glue.GetColumnStatisticsForTableInput, opts ...func(*glue.Options)) (*glue.GetColumnStatisticsForTableOutput, error)
	GetUserDefinedFunctions(ctx context.Context, in *glue.GetUserDefinedFunctionsInput, opts ...func(*glue.Options)) (*glue.GetUserDefinedFunctionsOutput, error)
}

// Scanner walks one Glue Data Catalog.
type Scanner struct {
	Client      API
	ServiceName string
	CatalogID   string
	Region      string
	RoleARN     string
	AccessLevel catalog.AccessLevel
	Config      SourceConfig
	Logger      *slog.Logger
	// Athena, when set, scans the account's Athena resources beside the
	// catalog, in the same service.
	Athena *athenascan.Scanner
	// SegmentAfterPages is how many GetPartitions pages a table's listing
	// reads before it restarts as Config.PartitionSegments parallel
	// segments; 0 means DefaultSegmentAfterPages.
	SegmentAfterPages int
	// OptionalDeadline bounds each call of an optional enrichment (column
	// statistics, functions); 0 means source.DefaultOptionalDeadline.
	OptionalDeadline time.Duration
	filters          filters

	// The optional enrichments, turned off for the rest of the scan by the
	// first answer saying the endpoint lacks them or the role may not call
	// them, or by a call outliving its deadline. A Scanner serves one scan (Spec.New builds one per scan), and
	// every catalog of it: Athena's data catalogs share the switch.
	optOnce sync.Once
	stats   *source.Optional
	funcs   *source.Optional
}

// optionals returns the scan's enrichment switches.
func (s *Scanner) optionals() (stats, funcs *source.Optional) {
	s.optOnce.Do(func() {
		s.stats = &source.Optional{Operation: "Glue GetColumnStatisticsForTable", Option: "includeColumnStatistics: false",
			Permission: "glue:GetColumnStatisticsForTable", OnDenied: s.statsDenied, Deadline: s.OptionalDeadline}
		s.funcs = &source.Optional{Operation: "Glue GetUserDefinedFunctions", Option: "includeFunctions: false",
			Permission: "glue:GetUserDefinedFunctions", Deadline: s.OptionalDeadline}
	})
	return s.stats, s.funcs
}

// Scan emits the service, its databases, their tables, columns, partitions
// and functions, and, with Athena set, Athena's resources. Failing to list
// databases fails the scan; failing to read one database or table is a
// warning, and what could not be read is then left as it was.
func (s *Scanner) Scan(ctx context.Context, sink source.Sink) error {
	serviceFQN := catalog.JoinFQN(s.ServiceName)
	if err := sink.Emit(ctx, s.serviceEntity(serviceFQN)); err != nil {
		return err
	}
	databases, err := s.listDatabases(ctx, s.CatalogID)
	if err != nil {
		return err
	}
	if s.Athena == nil {
		return s.ScanCatalog(ctx, sink, serviceFQN, s.CatalogID, databases)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	athenaDone := make(chan error, 1)
	go func() {
		reserved := make(map[string]bool, len(databases))
		for _, db := range databases {
			reserved[strings.ToLower(aws.ToString(db.Name))] = true
		}
		a := s.Athena.WithReserved(func(name string) bool { return reserved[strings.ToLower(name)] })
		_, err := a.Scan(ctx, sink, serviceFQN)
		if err != nil {
			cancel()
		}
		athenaDone <- err
	}()
	err = s.ScanCatalog(ctx, sink, serviceFQN, s.CatalogID, databases)
	if err != nil {
		cancel()
	}
	athenaErr := <-athenaDone
	if err != nil {
		return err
	}
	return athenaErr
}

func (s *Scanner) serviceEntity(fqn string) catalog.Entity {
	attrs := map[string]any{"sourceType": "glue", "region": s.Region, "accountId": awsconn.AccountOfRole(s.RoleARN)}
	if s.CatalogID != "" {
		attrs["catalogId"] = s.CatalogID
	}
	return catalog.Entity{FQN: fqn, Kind: catalog.KindService, Service: s.ServiceName, Name: s.ServiceName, Attrs: attrs}
}

// ListDatabases returns the databases of a catalog ("" for the caller's own)
// that pass the filters.
func (s *Scanner) ListDatabases(ctx context.Context, catalogID string) ([]types.Database, error) {
	return s.listDatabases(ctx, catalogID)
}

func (s *Scanner) listDatabases(ctx context.Context, catalogID string) ([]types.Database, error) {
	in := &glue.GetDatabasesInput{}
	if catalogID != "" {
		in.CatalogId = aws.String(catalogID)
	}
	var out []types.Database
	pages := glue.NewGetDatabasesPaginator(s.Client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsconn.Classify(err, "listing Glue databases")
		}
		for _, db := range page.DatabaseList {
			name := aws.ToString(db.Name)
			if s.filters.database.Allows(name) && s.filters.schema.Allows(name) {
				out = append(out, db)
			}
		}
	}
	return out, nil
}

// run is the state of one ScanCatalog call.
type run struct {
	s         *Scanner
	sink      source.Sink
	catalogID string
	tables    chan tableJob
	// segments bounds the partition segments read at once across tables,
	// so that the pages held in memory stay bounded however many tables
	// restart as segmented listings.
	segments chan struct{}
}

type tableJob struct {
	dbFQN string
	table *types.Table
	done  func()
}

// ScanCatalog emits databases under root (the service, or an Athena data
// catalog) and everything in them. catalogID is the Glue catalog to read
// ("" for the caller's own account).
func (s *Scanner) ScanCatalog(ctx context.Context, sink source.Sink, root, catalogID string, databases []types.Database) error {
	for _, db := range databases {
		if err := sink.Emit(ctx, databaseEntity(root, s.ServiceName, db)); err != nil {
			return err
		}
	}
	if err := sink.Complete(ctx, root, catalog.KindDatabase); err != nil {
		return err
	}
	sink.Progress(catalog.KindDatabase, len(databases))

	tableThreads := s.Config.TableThreads
	if tableThreads <= 0 {
		tableThreads = DefaultTableThreads
	}
	r := &run{s: s, sink: sink, catalogID: catalogID, tables: make(chan tableJob), segments: make(chan struct{}, tableThreads)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fatalOnce sync.Once
	var fatal error
	fail := func(err error) {
		fatalOnce.Do(func() { fatal = err; cancel() })
	}

	var tableWorkers sync.WaitGroup
	for range tableThreads {
		tableWorkers.Add(1)
		go func() {
			defer tableWorkers.Done()
			for job := range r.tables {
				// After a fatal error, jobs are drained, not run.
				if ctx.Err() == nil {
					if err := r.scanTable(ctx, job.dbFQN, job.table); err != nil {
						fail(err)
					}
				}
				job.done()
			}
		}()
	}

	threads := s.Config.Threads
	if threads <= 0 {
		threads = DefaultThreads
	}
	work := make(chan types.Database)
	var dbWorkers sync.WaitGroup
	for range min(threads, max(len(databases), 1)) {
		dbWorkers.Add(1)
		go func() {
			defer dbWorkers.Done()
			for db := range work {
				if err := r.scanDatabase(ctx, root, db); err != nil {
					fail(err)
				}
			}
		}()
	}
feed:
	for _, db := range databases {
		select {
		case work <- db:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	dbWorkers.Wait()
	close(r.tables)
	tableWorkers.Wait()
	if fatal != nil {
		return fatal
	}
	return ctx.Err()
}

// scanDatabase lists a database's tables and hands each to the table
// workers; it returns an error only for failures that must stop the whole
// scan (the sink failing, cancellation): AWS errors become warnings.
func (r *run) scanDatabase(ctx context.Context, root string, db types.Database) error {
	s := r.s
	dbName := aws.ToString(db.Name)
	dbFQN := catalog.Child(root, dbName)
	in := &glue.GetTablesInput{DatabaseName: db.Name, CatalogId: db.CatalogId}
	if r.catalogID != "" {
		in.CatalogId = aws.String(r.catalogID)
	}
	// Every table name, filtered or not: user-defined functions share the
	// database's FQN namespace with tables.
	tableNames := map[string]bool{}
	var pending sync.WaitGroup
	listed := true
	pages := glue.NewGetTablesPaginator(s.Client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				pending.Wait()
				return ctx.Err()
			}
			r.sink.Warn(ctx, awsconn.Classify(err, fmt.Sprintf("listing Glue tables in database %q", dbName)))
			listed = false
			break
		}
		for i := range page.TableList {
			t := &page.TableList[i]
			tableNames[strings.ToLower(aws.ToString(t.Name))] = true
			if !s.wantTable(t) {
				continue
			}
			pending.Add(1)
			select {
			case r.tables <- tableJob{dbFQN: dbFQN, table: t, done: pending.Done}:
			case <-ctx.Done():
				pending.Done()
				pending.Wait()
				return ctx.Err()
			}
		}
	}
	if _, funcs := s.optionals(); s.Config.IncludeFunctions && funcs.On() {
		if err := r.scanFunctions(ctx, dbFQN, dbName, tableNames); err != nil {
			pending.Wait()
			return err
		}
	}
	// Tables are emitted by the workers: the listing is complete only once
	// every one of them has been.
	pending.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !listed || !s.Config.MarkDeletedTables {
		return nil
	}
	return r.sink.Complete(ctx, dbFQN, catalog.KindTable)
}

func (s *Scanner) wantTable(t *types.Table) bool {
	if !s.filters.table.Allows(aws.ToString(t.Name)) {
		return false
	}
	if isView(t) {
		return s.Config.IncludeViews
	}
	return s.Config.IncludeTables
}
