package s3

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

// Scanner walks the buckets of one account.
type Scanner struct {
	Clients     Clients
	ServiceName string
	// Region is the connection's region: buckets are listed, and their
	// regions asked, there.
	Region      string
	RoleARN     string
	BucketNames []string
	Config      SourceConfig
	Logger      *slog.Logger
	Now         func() time.Time
	// GlobalManifest reads storageMetadataConfigSource: the data and a
	// description of where it came from. Nil when none is configured.
	GlobalManifest func(ctx context.Context) ([]byte, string, error)
	// OptionalDeadline bounds each call of an optional enrichment (bucket
	// metrics); 0 means source.DefaultOptionalDeadline.
	OptionalDeadline time.Duration

	bucketFilter source.Filter
	pathFilter   source.Filter
}

// scan is the state of one Scan call.
type scan struct {
	s      *Scanner
	sink   source.Sink
	svcFQN string
	// lists bounds the S3 listings in flight across buckets.
	lists chan struct{}
	// listed bounds the listed objects held until the writer takes them.
	listed  *listedBudget
	denials denials
	global  []manifest.Entry
	// globalBroken says the global manifest could not be read: no bucket's
	// containers may then be marked deleted.
	globalBroken bool
	globalFrom   string
	// metrics turns CloudWatch metrics off for the rest of the scan when
	// the endpoint lacks them.
	metrics *source.Optional
}

type bucketInfo struct {
	name    string
	created *time.Time
	region  string // from ListBuckets, when S3 says
}

// Scan emits the service, its buckets and what is in them. Failing to list
// buckets fails the scan; a bucket that cannot be read is a warning and is
// left in the catalog as it was, and so is everything in it.
func (s *Scanner) Scan(ctx context.Context, sink source.Sink) error {
	sc := &scan{s: s, sink: sink, svcFQN: catalog.JoinFQN(s.ServiceName), lists: make(chan struct{}, max(s.Config.ListThreads, 1)),
		metrics: &source.Optional{Operation: "CloudWatch GetMetricData", Option: "includeMetrics: false", Permission: "cloudwatch:GetMetricData",
			Deadline: s.OptionalDeadline}}
	sc.listed = newListedBudget(s.Config.ListThreads, func() bool { return source.Backlogged(sink) })
	if err := sink.Emit(ctx, s.serviceEntity(sc.svcFQN)); err != nil {
		return err
	}
	sc.loadGlobal(ctx)
	buckets, listed, err := s.listBuckets(ctx)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	allRead := listed
	work := make(chan bucketInfo)
	var wg sync.WaitGroup
	var fatal error
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(max(s.Config.Threads, 1), max(len(buckets), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				read, err := sc.scanBucket(ctx, b)
				mu.Lock()
				if !read {
					allRead = false
				}
				if err != nil && fatal == nil {
					fatal = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, b := range buckets {
		select {
		case work <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	sc.denials.flush(ctx, sink)
	if fatal != nil {
		return fatal
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if allRead && s.Config.MarkDeletedContainers {
		return sink.Complete(ctx, sc.svcFQN, catalog.KindBucket)
	}
	return nil
}

func (s *Scanner) serviceEntity(fqn string) catalog.Entity {
	attrs := map[string]any{"sourceType": Type, "region": s.Region}
	if acct := awsconn.AccountOfRole(s.RoleARN); acct != "" {
		attrs["accountId"] = acct
	}
	return catalog.Entity{FQN: fqn, Kind: catalog.KindService, Service: s.ServiceName, Name: s.ServiceName, Attrs: attrs}
}

// listBuckets returns the buckets to scan, filtered. listed says the list
// is whole: every bucket was listed (or named in bucketNames), so buckets
// missing from it may be marked deleted.
func (s *Scanner) listBuckets(ctx context.Context) ([]bucketInfo, bool, error) {
	api := s.Clients.S3(s.Region)
	known := map[string]bucketInfo{}
	var listErr error
	pages := awss3.NewListBucketsPaginator(api, &awss3.ListBucketsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			listErr = err
			break
		}
		for _, b := range page.Buckets {
			info := bucketInfo{name: aws.ToString(b.Name), region: aws.ToString(b.BucketRegion)}
			if b.CreationDate != nil && !b.CreationDate.IsZero() {
				t := b.CreationDate.UTC()
				info.created = &t
			}
			known[info.name] = info
		}
	}
	var out []bucketInfo
	if len(s.BucketNames) > 0 {
		// bucketNames needs no s3:ListAllMyBuckets: the listing only adds
		// creation dates when the role may list.
		if listErr != nil {
			s.Logger.Debug("listing buckets for creation dates", "err", awsconn.Classify(listErr, "listing S3 buckets"))
		}
		seen := map[string]bool{}
		for _, name := range s.BucketNames {
			// OpenMetadata filters named buckets too.
			if seen[name] || !s.bucketFilter.Allows(name) {
				continue
			}
			seen[name] = true
			info, ok := known[name]
			if !ok {
				info = bucketInfo{name: name}
			}
			out = append(out, info)
		}
		return out, true, nil
	}
	if listErr != nil {
		return nil, false, awsconn.Classify(listErr, "listing S3 buckets")
	}
	for _, b := range known {
		if s.bucketFilter.Allows(b.name) {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, true, nil
}

// loadGlobal reads and parses the global manifest, if one is configured.
func (sc *scan) loadGlobal(ctx context.Context) {
	if sc.s.GlobalManifest == nil {
		return
	}
	data, from, err := sc.s.GlobalManifest(ctx)
	sc.globalFrom = from
	if err != nil {
		sc.globalBroken = true
		sc.sink.Warn(ctx, fmt.Errorf("reading the global manifest %s: %w; buckets are scanned without it and no container is marked deleted", from, err))
		return
	}
	entries, problems, err := manifest.Parse(data, true)
	for _, p := range problems {
		sc.sink.Warn(ctx, source.Notice(fmt.Errorf("global manifest %s: %s", from, p.Error())))
	}
	if len(problems) > 0 {
		sc.globalBroken = true
	}
	if err != nil {
		sc.globalBroken = true
		sc.sink.Warn(ctx, source.Notice(fmt.Errorf("global manifest %s: %w; buckets are scanned without it", from, err)))
		return
	}
	sc.global = entries
}
