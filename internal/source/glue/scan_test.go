package glue

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
)

type fastBackoff struct{}

func (fastBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Millisecond, nil }

// testAWS talks to url with static keys and a retryer that retries at once,
// so that fault-injection tests take no time.
func testAWS(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 10
				o.Backoff = fastBackoff{}
				o.RateLimiter = ratelimit.None
				o.Retryables = awsconn.Retryables(o.Retryables)
			})
		},
	}
}

type scanOpts struct {
	cfg          *SourceConfig
	athena       bool
	access       catalog.AccessLevel
	segmentAfter int
}

func newSyntheticScanner(t testing.TB, g *syntheticGlue, url string, o scanOpts) *Scanner {
	t.Helper()
	cfg := o.cfg
	if cfg == nil {
		cfg = DefaultSourceConfig()
	}
	awsCfg := testAWS(url)
	s, err := NewScanner(glue.NewFromConfig(awsCfg), "svc", *cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Region = "us-east-1"
	s.SegmentAfterPages = o.segmentAfter
	if o.access != "" {
		s.AccessLevel = o.access
	}
	if o.athena {
		a, err := athenascan.New(athena.NewFromConfig(awsCfg), "svc", cfg.Options, nil)
		if err != nil {
			t.Fatal(err)
		}
		a.Now = func() time.Time { return g.now }
		s.Athena = a
	}
	return s
}

func scanInto(t testing.TB, store catalog.Store, s *Scanner) scan.Summary {
	t.Helper()
	runner := &scan.Runner{Store: store, BatchSize: 500}
	sum, err := runner.Run(context.Background(), "svc", "glue", s)
	if err != nil {
		t.Fatalf("scan: %v (summary %+v)", err, sum)
	}
	return sum
}

func smallCatalog() *syntheticGlue {
	return &syntheticGlue{
		databases: 2, tablesPerDB: 3, columnsPerTable: 4,
		partitions: func(d, t int) int {
			if d == 0 && t == 0 {
				return 57 // a "big" table: segmented with page size 10
			}
			return 5 * t
		},
		partitionPageSize: 10,
		functionsPerDB:    2,
		statsColumns:      2,
		workgroups:        2,
		queriesPerWG:      120,
	}
}

func TestScanSynthetic(t *testing.T) {
	g := smallCatalog()
	srv := g.start(t)
	store := sqlitetest.Open(t)
	s := newSyntheticScanner(t, g, srv.URL, scanOpts{athena: true, segmentAfter: 2})
	sum := scanInto(t, store, s)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s, errors %v", sum.Status, sum.Errors)
	}

	wantCounts := map[catalog.Kind]int{
		catalog.KindService: 1, catalog.KindDatabase: 2, catalog.KindTable: 6, catalog.KindColumn: 6 * 5,
		catalog.KindPartition: 57 + 0 + 5 + 10 + 0 + 5 + 10, catalog.KindFunction: 4,
		catalog.KindDataCatalog: 1, catalog.KindWorkgroup: 2,
		// 120 per workgroup, but the window is one day of minutes: all fit.
		catalog.KindQuery: 240,
	}
	for kind, want := range wantCounts {
		if got := len(sqlitetest.Live(t, store, kind)); got != want {
			t.Errorf("%d live %s entities, want %d", got, kind, want)
		}
	}

	// Attributes come back from the catalog as decoded JSON: numbers are float64.
	big, err := store.Get(context.Background(), "svc.db_000.orders_00000")
	if err != nil {
		t.Fatal(err)
	}
	if got := big.Attrs["partitionCount"]; got != float64(57) {
		t.Errorf("partitionCount = %v, want 57", got)
	}
	// Partition i is day i after 2000-01-01; the newest is the last one.
	if got := big.Attrs["newestPartition"]; got != "dt=2000-02-26" {
		t.Errorf("newestPartition = %v, want dt=2000-02-26", got)
	}
	if got := big.Attrs["newestPartitionCreated"]; got != "2000-02-26T00:00:00Z" {
		t.Errorf("newestPartitionCreated = %v", got)
	}
	// Segmented after two pages of ten: the two pages are read twice, then
	// ten segments of 5-6 partitions read in one page each.
	if got, want := g.requests("GetPartitions"), 2+10+ /* one page for each other table */ 5; got != want {
		t.Errorf("%d GetPartitions calls, want %d", got, want)
	}

	part, err := store.Get(context.Background(), "svc.db_000.orders_00000.dt=2000-01-05")
	if err != nil {
		t.Fatal(err)
	}
	if part.Attrs["location"] != "s3://lake/db_000/orders_00000/dt=2000-01-05/" || part.Attrs["format"] != "parquet" || part.SourceCreated == nil {
		t.Errorf("partition attributes = %v, created %v", part.Attrs, part.SourceCreated)
	}

	col, err := store.Get(context.Background(), "svc.db_001.orders_00002.col_01_customer_id")
	if err != nil {
		t.Fatal(err)
	}
	stats, _ := col.Attrs["statistics"].(map[string]any)
	if stats["type"] != "LONG" || stats["maximum"] != float64(1001) || stats["numberOfNulls"] != float64(3) {
		t.Errorf("column statistics = %#v", col.Attrs["statistics"])
	}
	noStats, _ := store.Get(context.Background(), "svc.db_001.orders_00002.col_03_status")
	if _, ok := noStats.Attrs["statistics"]; ok {
		t.Errorf("column without statistics got %v", noStats.Attrs["statistics"])
	}

	fn, err := store.Get(context.Background(), "svc.db_001.fn_01")
	if err != nil || fn.Kind != catalog.KindFunction || fn.Attrs["className"] != "com.example.Fn" {
		t.Errorf("function = %+v, %v", fn, err)
	}
	wg, err := store.Get(context.Background(), "svc.wg_01")
	if err != nil || wg.Attrs["engineVersion"] != "Athena engine version 3" || wg.Attrs["enforceWorkGroupConfiguration"] != true ||
		wg.Attrs["bytesScannedCutoffPerQuery"] != float64(10_000_000_000) || wg.Attrs["outputLocation"] != "s3://athena-results/wg_01/" {
		t.Errorf("workgroup = %+v, %v", wg.Attrs, err)
	}
	q, err := store.Get(context.Background(), "svc.wg_01.wg_01-q00005")
	if err != nil || q.Attrs["state"] != "SUCCEEDED" || !strings.HasPrefix(q.Attrs["query"].(string), "INSERT INTO") ||
		q.Attrs["database"] != "db_000" || q.Attrs["dataScannedBytes"] != float64(5*1024) || q.Attrs["engineExecutionMillis"] != float64(1500) {
		t.Errorf("query = %+v, %v", q.Attrs, err)
	}
	if got := g.requests("BatchGetQueryExecution"); got != 2*3 {
		t.Errorf("%d BatchGetQueryExecution calls, want 6 (3 pages of 50 per workgroup)", got)
	}
}

func TestScanQueryWindowAndLimit(t *testing.T) {
	for _, tt := range []struct {
		name      string
		days      int
		limit     int
		wantIDs   int
		wantBatch int
	}{
		// 500 queries a minute apart: one day holds them all.
		{name: "limit", days: 1, limit: 120, wantIDs: 120, wantBatch: 3},
		{name: "all", days: 1, limit: 1000, wantIDs: 500, wantBatch: 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &syntheticGlue{workgroups: 1, queriesPerWG: 500}
			srv := g.start(t)
			store := sqlitetest.Open(t)
			cfg := DefaultSourceConfig()
			cfg.QueryLogDuration, cfg.ResultLimit = tt.days, tt.limit
			s := newSyntheticScanner(t, g, srv.URL, scanOpts{cfg: cfg, athena: true})
			scanInto(t, store, s)
			if got := len(sqlitetest.Live(t, store, catalog.KindQuery)); got != tt.wantIDs {
				t.Errorf("%d queries, want %d", got, tt.wantIDs)
			}
			if got := g.requests("BatchGetQueryExecution"); got != tt.wantBatch {
				t.Errorf("%d batches, want %d", got, tt.wantBatch)
			}
		})
	}
	t.Run("window", func(t *testing.T) {
		g := &syntheticGlue{workgroups: 1, queriesPerWG: 500}
		srv := g.start(t)
		// A day minus 100 minutes later, queries 0-100 (a minute apart,
		// newest first) are within a day; the rest have aged out.
		store := sqlitetest.Open(t)
		s := newSyntheticScanner(t, g, srv.URL, scanOpts{athena: true})
		s.Athena.Now = func() time.Time { return g.now.Add(24*time.Hour - 100*time.Minute) }
		scanInto(t, store, s)
		if got := len(sqlitetest.Live(t, store, catalog.KindQuery)); got != 101 {
			t.Errorf("%d queries in the window, want 101", got)
		}
	})
}

func TestThrottlingStormSameCatalog(t *testing.T) {
	clean := smallCatalog()
	cleanSrv := clean.start(t)
	want := sqlitetest.Open(t)
	scanInto(t, want, newSyntheticScanner(t, clean, cleanSrv.URL, scanOpts{athena: true, segmentAfter: 2}))

	storm := smallCatalog()
	storm.fault = func(op string, n int64, _ []byte) *fakeFault {
		if n%3 == 0 {
			return &fakeFault{code: "ThrottlingException", status: http.StatusBadRequest}
		}
		return nil
	}
	stormSrv := storm.start(t)
	got := sqlitetest.Open(t)
	sum := scanInto(t, got, newSyntheticScanner(t, storm, stormSrv.URL, scanOpts{athena: true, segmentAfter: 2}))
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("storm scan %s: %v", sum.Status, sum.Errors)
	}
	if storm.calls.Load() < clean.calls.Load()*4/3 {
		t.Errorf("storm made %d calls, clean %d: the faults did not bite", storm.calls.Load(), clean.calls.Load())
	}
	compareSnapshots(t, sqlitetest.Snapshot(t, want), sqlitetest.Snapshot(t, got))
}

func compareSnapshots(t *testing.T, want, got map[string]string) {
	t.Helper()
	for fqn, w := range want {
		if g, ok := got[fqn]; !ok {
			t.Errorf("missing %s", fqn)
		} else if g != w {
			t.Errorf("%s differs: %s, want %s", fqn, g, w)
		}
	}
	for fqn := range got {
		if _, ok := want[fqn]; !ok {
			t.Errorf("extra %s", fqn)
		}
	}
}

func TestColumnStatisticsDenied(t *testing.T) {
	for _, tt := range []struct {
		access       catalog.AccessLevel
		wantStatus   catalog.ScanStatus
		wantWarnings int
	}{
		// A warning, not an error: every table was listed.
		{catalog.ReadWrite, catalog.ScanSucceeded, 1},
		// The vendor guide's ReadOnly policy lacks the action: expected, logged only.
		{catalog.ReadOnly, catalog.ScanSucceeded, 0},
	} {
		t.Run(string(tt.access), func(t *testing.T) {
			g := smallCatalog()
			g.fault = func(op string, _ int64, _ []byte) *fakeFault {
				if op == "GetColumnStatisticsForTable" {
					return &fakeFault{code: "AccessDeniedException", status: http.StatusForbidden}
				}
				return nil
			}
			srv := g.start(t)
			store := sqlitetest.Open(t)
			cfg := DefaultSourceConfig()
			cfg.TableThreads = 1 // so that exactly one call is denied
			sum := scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{cfg: cfg, access: tt.access}))
			if sum.Status != tt.wantStatus || len(sum.Warnings) != tt.wantWarnings || len(sum.Errors) != 0 {
				t.Fatalf("status %s with warnings %v and errors %v, want %s with %d warnings", sum.Status, sum.Warnings, sum.Errors, tt.wantStatus, tt.wantWarnings)
			}
			if tt.wantWarnings > 0 && !strings.Contains(sum.Warnings[0], "glue:GetColumnStatisticsForTable") {
				t.Errorf("warning %q does not name the action to grant", sum.Warnings[0])
			}
			if got := g.requests("GetColumnStatisticsForTable"); got != 1 {
				t.Errorf("%d statistics calls, want 1: a denial stops them", got)
			}
			if got := len(sqlitetest.Live(t, store, catalog.KindColumn)); got != 30 {
				t.Errorf("%d columns, want 30", got)
			}
		})
	}
}

// An endpoint without statistics or functions (LocalStack's 501, AWS's
// UnknownOperationException) is asked once per scan: one warning each,
// naming the operation and the option, and the scan succeeds.
func TestOptionalOperationsNotImplementedDegradeOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		code   string
	}{
		{"501", http.StatusNotImplemented, "InternalFailure"},
		{"UnknownOperationException", http.StatusBadRequest, "UnknownOperationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := smallCatalog()
			g.fault = func(op string, _ int64, _ []byte) *fakeFault {
				if op == "GetColumnStatisticsForTable" || op == "GetUserDefinedFunctions" {
					return &fakeFault{code: tc.code, status: tc.status}
				}
				return nil
			}
			srv := g.start(t)
			store := sqlitetest.Open(t)
			cfg := DefaultSourceConfig()
			// One database and one table at a time, so that exactly one
			// call of each is in flight when the first answer comes.
			cfg.TableThreads, cfg.Threads = 1, 1
			sum := scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{cfg: cfg, access: catalog.ReadWrite}))
			if sum.Status != catalog.ScanSucceeded || len(sum.Errors) != 0 || len(sum.Warnings) != 2 {
				t.Fatalf("status %s, warnings %q, errors %q; want succeeded with 2 warnings", sum.Status, sum.Warnings, sum.Errors)
			}
			for _, want := range [][2]string{
				{"Glue GetColumnStatisticsForTable", "includeColumnStatistics: false"},
				{"Glue GetUserDefinedFunctions", "includeFunctions: false"},
			} {
				if !slices.ContainsFunc(sum.Warnings, func(w string) bool {
					return strings.Contains(w, "does not implement "+want[0]) && strings.Contains(w, want[1])
				}) {
					t.Errorf("no warning names %s and %s: %q", want[0], want[1], sum.Warnings)
				}
			}
			for _, op := range []string{"GetColumnStatisticsForTable", "GetUserDefinedFunctions"} {
				if got := g.requests(op); got != 1 {
					t.Errorf("%d %s calls, want 1", got, op)
				}
			}
			if got := len(sqlitetest.Live(t, store, catalog.KindColumn)); got != 30 {
				t.Errorf("%d columns, want 30", got)
			}
		})
	}
}

// TestOptionalCallsThatNeverAnswerDegradeOnce: an optional call that gets
// no answer ends at its deadline, and that turns its enrichment off for the
// rest of the scan with one warning naming the operation and its option,
// as an unimplemented one does; the scan is not stalled.
func TestOptionalCallsThatNeverAnswerDegradeOnce(t *testing.T) {
	g := smallCatalog()
	hung := []string{"GetColumnStatisticsForTable", "GetUserDefinedFunctions", "BatchGetQueryExecution"}
	g.fault = func(op string, _ int64, _ []byte) *fakeFault {
		if slices.Contains(hung, op) {
			return &fakeFault{hang: true}
		}
		return nil
	}
	srv := g.start(t)
	store := sqlitetest.Open(t)
	cfg := DefaultSourceConfig()
	cfg.TableThreads, cfg.Threads = 1, 1
	s := newSyntheticScanner(t, g, srv.URL, scanOpts{cfg: cfg, athena: true, access: catalog.ReadWrite})
	const deadline = 200 * time.Millisecond
	s.OptionalDeadline, s.Athena.OptionalDeadline = deadline, deadline
	// One workgroup at a time: the first call that times out is the only one.
	s.Athena.Threads = 1
	start := time.Now()
	sum := scanInto(t, store, s)
	took := time.Since(start)
	if sum.Status != catalog.ScanSucceeded || len(sum.Errors) != 0 {
		t.Fatalf("status %s, warnings %q, errors %q; want succeeded", sum.Status, sum.Warnings, sum.Errors)
	}
	for _, want := range [][2]string{
		{"Glue GetColumnStatisticsForTable", "includeColumnStatistics: false"},
		{"Glue GetUserDefinedFunctions", "includeFunctions: false"},
		{"Athena query history", "includeQueryHistory: false"},
	} {
		n := 0
		for _, w := range sum.Warnings {
			if strings.Contains(w, want[0]) && strings.Contains(w, "did not answer within 200ms") && strings.Contains(w, want[1]) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d warnings say %s did not answer in time and name %s, want 1: %q", n, want[0], want[1], sum.Warnings)
		}
	}
	for _, op := range hung {
		if got := g.requests(op); got != 1 {
			t.Errorf("%d %s calls, want 1: the first one that timed out turns it off", got, op)
		}
	}
	if got := len(sqlitetest.Live(t, store, catalog.KindColumn)); got != 30 {
		t.Errorf("%d columns, want 30", got)
	}
	if took > 10*deadline {
		t.Errorf("scan took %s with a %s deadline per optional call", took, deadline)
	}
}

func TestDatabaseDeniedKeepsItsTables(t *testing.T) {
	g := smallCatalog()
	srv := g.start(t)
	store := sqlitetest.Open(t)
	scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{}))
	before := len(sqlitetest.Live(t, store, catalog.KindTable))

	g.fault = func(op string, _ int64, body []byte) *fakeFault {
		if op == "GetTables" && strings.Contains(string(body), `"db_001"`) {
			return &fakeFault{code: "AccessDeniedException", status: http.StatusForbidden}
		}
		return nil
	}
	g.tablesPerDB = 2 // db_000 loses a table; db_001's loss is invisible
	sum := scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{}))
	if sum.Status != catalog.ScanPartial || len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0], `database "db_001"`) {
		t.Fatalf("status %s, errors %v", sum.Status, sum.Errors)
	}
	if got := len(sqlitetest.Live(t, store, catalog.KindTable)); got != before-1 {
		t.Errorf("%d live tables, want %d: only db_000's dropped table goes", got, before-1)
	}
	if e, _ := store.Get(context.Background(), "svc.db_001.orders_00002"); e.Deleted {
		t.Error("a table of the unreadable database was deleted")
	}
}

func TestPartitionsDroppedBetweenScans(t *testing.T) {
	g := smallCatalog()
	srv := g.start(t)
	store := sqlitetest.Open(t)
	scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{segmentAfter: 2}))
	g.partitions = func(d, t int) int {
		if d == 0 && t == 0 {
			return 12
		}
		return 5 * t
	}
	sum := scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{segmentAfter: 2}))
	if got := sum.Stats[catalog.KindPartition].Deleted; got != 45 {
		t.Errorf("%d partitions deleted, want 45", got)
	}
	big, _ := store.Get(context.Background(), "svc.db_000.orders_00000")
	if big.Attrs["partitionCount"] != float64(12) || big.Attrs["newestPartition"] != "dt=2000-01-12" {
		t.Errorf("table after the drop: %v", big.Attrs)
	}
	gone, _ := store.Get(context.Background(), "svc.db_000.orders_00000.dt=2000-01-13")
	if !gone.Deleted {
		t.Errorf("dropped partition not deleted: %+v", gone)
	}
}

func TestPartitionListingFailureDeletesNothing(t *testing.T) {
	g := smallCatalog()
	srv := g.start(t)
	store := sqlitetest.Open(t)
	scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{segmentAfter: 2}))
	g.partitions = func(d, t int) int { return 0 }
	g.fault = func(op string, _ int64, body []byte) *fakeFault {
		if op == "GetPartitions" {
			return &fakeFault{code: "AccessDeniedException", status: http.StatusForbidden}
		}
		return nil
	}
	sum := scanInto(t, store, newSyntheticScanner(t, g, srv.URL, scanOpts{segmentAfter: 2}))
	if c := sum.Stats[catalog.KindPartition]; c != nil && c.Deleted != 0 {
		t.Errorf("%d partitions deleted after a failed listing", c.Deleted)
	}
	if sum.Status != catalog.ScanPartial {
		t.Errorf("status %s, want partial", sum.Status)
	}
}

func TestPartitionName(t *testing.T) {
	tests := []struct {
		keys, values []string
		want         string
	}{
		{[]string{"dt"}, []string{"2024-01-01"}, "dt=2024-01-01"},
		{[]string{"dt", "region"}, []string{"2024-01-01", "eu"}, "dt=2024-01-01/region=eu"},
		{[]string{"path"}, []string{"a/b=c"}, "path=a%2Fb%3Dc"},
		{[]string{"ts"}, []string{"2024-01-01 10:00:00"}, "ts=2024-01-01 10%3A00%3A00"},
		{[]string{"v"}, []string{""}, "v=__HIVE_DEFAULT_PARTITION__"},
		{[]string{"v"}, []string{"1.5"}, "v=1.5"},
		{nil, []string{"x", "y"}, "_col0=x/_col1=y"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := partitionName(tt.keys, tt.values); got != tt.want {
				t.Errorf("partitionName(%v, %v) = %q, want %q", tt.keys, tt.values, got, tt.want)
			}
		})
	}
	// A value with a dot makes the FQN part quoted, and it round-trips.
	fqn := catalog.Child("svc.db.t", partitionName([]string{"v"}, []string{"1.5"}))
	if fqn != `svc.db.t."v=1.5"` {
		t.Errorf("FQN %s", fqn)
	}
	if parts, err := catalog.SplitFQN(fqn); err != nil || len(parts) != 4 {
		t.Errorf("SplitFQN(%s) = %v, %v", fqn, parts, err)
	}
}

func TestSourceConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*SourceConfig)
		want []string
	}{
		{name: "defaults", mod: func(*SourceConfig) {}},
		{name: "segments", mod: func(c *SourceConfig) { c.PartitionSegments = 11 }, want: []string{"partitionSegments: must be 1-10 (Glue's limit), got 11"}},
		{name: "threads", mod: func(c *SourceConfig) { c.Threads, c.TableThreads = -1, -2 },
			want: []string{"threads: must not be negative, got -1", "tableThreads: must not be negative, got -2"}},
		{name: "query log", mod: func(c *SourceConfig) { c.QueryLogDuration, c.ResultLimit = 46, -1 },
			want: []string{"queryLogDuration: must be 0-45 days (Athena keeps 45 days of history), got 46", "resultLimit: must not be negative, got -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultSourceConfig()
			tt.mod(c)
			var got []string
			for _, p := range c.Validate() {
				got = append(got, p.Path+": "+p.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecimalString(t *testing.T) {
	for _, tt := range []struct {
		unscaled []byte
		scale    int32
		want     string
	}{
		{[]byte{0x30, 0x39}, 2, "123.45"},
		{[]byte{0xcf, 0xc7}, 2, "-123.45"},
		{[]byte{0x05}, 3, "0.005"},
		{[]byte{0x7f}, 0, "127"},
		{nil, 2, ""},
	} {
		got := decimalString(&types.DecimalNumber{Scale: tt.scale, UnscaledValue: tt.unscaled})
		if got != tt.want {
			t.Errorf("decimalString(%x, %d) = %q, want %q", tt.unscaled, tt.scale, got, tt.want)
		}
	}
}
