package datazone

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// API is the part of the DataZone client the scanner uses: the vendor
// guide's ReadOnly actions, plus Search, which the guide does not grant and
// the scan uses only when the role allows it.
type API interface {
	dz.ListDomainsAPIClient
	dz.ListProjectsAPIClient
	dz.ListEnvironmentsAPIClient
	dz.ListEnvironmentProfilesAPIClient
	dz.ListDataSourcesAPIClient
	dz.SearchListingsAPIClient
	dz.ListAssetRevisionsAPIClient
	dz.SearchAPIClient
	GetDomain(ctx context.Context, in *dz.GetDomainInput, opts ...func(*dz.Options)) (*dz.GetDomainOutput, error)
	GetProject(ctx context.Context, in *dz.GetProjectInput, opts ...func(*dz.Options)) (*dz.GetProjectOutput, error)
	GetEnvironment(ctx context.Context, in *dz.GetEnvironmentInput, opts ...func(*dz.Options)) (*dz.GetEnvironmentOutput, error)
	GetEnvironmentProfile(ctx context.Context, in *dz.GetEnvironmentProfileInput, opts ...func(*dz.Options)) (*dz.GetEnvironmentProfileOutput, error)
	GetDataSource(ctx context.Context, in *dz.GetDataSourceInput, opts ...func(*dz.Options)) (*dz.GetDataSourceOutput, error)
	GetListing(ctx context.Context, in *dz.GetListingInput, opts ...func(*dz.Options)) (*dz.GetListingOutput, error)
	GetAsset(ctx context.Context, in *dz.GetAssetInput, opts ...func(*dz.Options)) (*dz.GetAssetOutput, error)
	GetFormType(ctx context.Context, in *dz.GetFormTypeInput, opts ...func(*dz.Options)) (*dz.GetFormTypeOutput, error)
	GetGlossary(ctx context.Context, in *dz.GetGlossaryInput, opts ...func(*dz.Options)) (*dz.GetGlossaryOutput, error)
	GetGlossaryTerm(ctx context.Context, in *dz.GetGlossaryTermInput, opts ...func(*dz.Options)) (*dz.GetGlossaryTermOutput, error)
	GetLineageNode(ctx context.Context, in *dz.GetLineageNodeInput, opts ...func(*dz.Options)) (*dz.GetLineageNodeOutput, error)
}

// Coverage values recorded on each domain entity.
const (
	// CoverageListings: the guide's ReadOnly role sees published assets
	// and the glossary terms reachable from projects and assets.
	CoverageListings = "listings"
	// CoverageInventory: datazone:Search adds unlisted assets and every
	// glossary and term.
	CoverageInventory = "inventory"
)

// SearchHint is the one action that widens a guide-built role's coverage.
const SearchHint = "grant datazone:Search to also catalog unpublished assets and glossaries nothing published refers to"

// Scanner walks the DataZone domains a role can see.
type Scanner struct {
	Client      API
	ServiceName string
	Region      string
	RoleARN     string
	AccessLevel catalog.AccessLevel
	Config      SourceConfig
	Logger      *slog.Logger
	nameFilter  source.Filter

	searchOnce sync.Once
	searchOK   bool

	lineageMu    sync.Mutex
	lineageState int // lineageUnknown, lineageAllowed, lineageDenied
}

// NewScanner returns a scanner, compiling cfg's filters.
func NewScanner(client API, service string, cfg SourceConfig, logger *slog.Logger) (*Scanner, error) {
	f, err := cfg.DomainFilterPattern.Compile("domainFilterPattern")
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scanner{Client: client, ServiceName: service, Config: cfg, Logger: logger, AccessLevel: catalog.ReadOnly, nameFilter: f}, nil
}

// Scan emits the service and every domain that passes the filters with
// what is in it. Failing to list domains fails the scan; any other AWS
// failure is a warning and leaves what it would have listed as it was.
func (s *Scanner) Scan(ctx context.Context, sink source.Sink) error {
	serviceFQN := catalog.QuotePart(s.ServiceName)
	if err := sink.Emit(ctx, catalog.Entity{FQN: serviceFQN, Kind: catalog.KindService, Service: s.ServiceName, Name: s.ServiceName,
		Attrs: map[string]any{"sourceType": "datazone", "region": s.Region, "accountId": awsconn.AccountOfRole(s.RoleARN)}}); err != nil {
		return err
	}
	var domains []types.DomainSummary
	pages := dz.NewListDomainsPaginator(s.Client, &dz.ListDomainsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return awsconn.Classify(err, "listing DataZone domains")
		}
		for _, d := range page.Items {
			if s.wantDomain(d) {
				domains = append(domains, d)
			}
		}
	}
	items := make([]named, len(domains))
	for i, d := range domains {
		items[i] = named{aws.ToString(d.Id), aws.ToString(d.Name)}
	}
	parts := uniqueParts("", items)

	threads := s.Config.Threads
	if threads <= 0 {
		threads = DefaultThreads
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, threads)
	errs := make([]error, len(domains))
	for i, d := range domains {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = s.scanDomain(ctx, sink, serviceFQN, parts[aws.ToString(d.Id)], d)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if s.Config.MarkDeleted {
		if err := sink.Complete(ctx, serviceFQN, catalog.KindDomain); err != nil {
			return err
		}
	}
	sink.Progress(catalog.KindDomain, len(domains))
	return nil
}

func (s *Scanner) wantDomain(d types.DomainSummary) bool {
	if len(s.Config.Domains) > 0 && !slices.Contains(s.Config.Domains, aws.ToString(d.Id)) {
		return false
	}
	return s.nameFilter.Allows(aws.ToString(d.Name))
}

// searchAllowed probes datazone:Search once per scan, on the first domain
// scanned. A denial is the guide's ReadOnly policy working as written, not
// a problem: it is logged, never warned.
func (s *Scanner) searchAllowed(ctx context.Context, domainID string) bool {
	if !s.Config.UseSearch {
		return false
	}
	s.searchOnce.Do(func() {
		_, err := s.Client.Search(ctx, &dz.SearchInput{DomainIdentifier: aws.String(domainID), SearchScope: types.InventorySearchScopeGlossary, MaxResults: aws.Int32(1)})
		switch {
		case err == nil:
			s.searchOK = true
		case apperr.Is(awsconn.Classify(err, "probing datazone:Search"), apperr.AccessDenied):
			s.Logger.Info("datazone:Search denied: cataloguing published assets and referenced glossaries only", "service", s.ServiceName, "hint", SearchHint)
		default:
			s.Logger.Warn("datazone:Search probe failed: scanning without it", "service", s.ServiceName, "error", err)
		}
	})
	return s.searchOK
}

// forEach runs fn over items with at most n in flight and returns the
// first error fn returned (fn returns errors only for what must stop the
// scan).
func forEach[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	if n <= 0 {
		n = DefaultItemThreads
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	sem := make(chan struct{}, n)
	for _, it := range items {
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
			if err := fn(ctx, it); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// warn records an AWS failure as a scan warning unless the context ended,
// which is then the error to return.
func warn(ctx context.Context, sink source.Sink, err error, doing string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sink.Warn(ctx, awsconn.Classify(err, doing))
	return nil
}

func (s *Scanner) complete(ctx context.Context, sink source.Sink, ok bool, parent string, kinds ...catalog.Kind) error {
	if !ok || !s.Config.MarkDeleted {
		return nil
	}
	return sink.Complete(ctx, parent, kinds...)
}

func fmtErr(format string, args ...any) string { return fmt.Sprintf(format, args...) }
