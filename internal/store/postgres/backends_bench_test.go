package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/pgtest"
)

// Sizes and backends of BenchmarkBackends, from the environment:
//
//	LAKEMAP_BENCH_STORE_ENTITIES=5000000 LAKEMAP_BENCH_BACKENDS=postgres \
//	  go test -run '^$' -bench Backends -benchtime 1x -timeout 60m ./internal/store/postgres/
const (
	envEntities = "LAKEMAP_BENCH_STORE_ENTITIES" // default 1,000,000
	envBackends = "LAKEMAP_BENCH_BACKENDS"       // default "sqlite,postgres"
	envClients  = "LAKEMAP_BENCH_CLIENTS"        // default 50
	benchOps    = 40                             // searches and as many reads per client
)

// benchVocabulary names tables and fills descriptions, so that queries
// match a few, hundreds or tens of thousands of entities.
var benchVocabulary = strings.Fields(`orders customers invoices payments shipments returns refunds products
	inventory suppliers ledger accounts budget forecast campaigns clicks sessions events devices sensors
	readings alerts tickets agents calls emails contracts claims policies premiums quotes leads deals
	stores regions prices discounts coupons carts wishlists reviews ratings employees payroll timesheets
	vendors assets licenses audits`)

// benchQueries are the searches of both load models: one word common or
// rare, two and three words, a prefix, a name, and a word nothing holds.
var benchQueries = []string{"orders", "customers invoices", "ledger_accounts", "daily payments", "paym", "nothing_like_this",
	"orders customers", "sensors readings by", "vendors_00", "coupons"}

// BenchmarkBackends builds the same catalog (tables of 50 columns, named
// and described from a vocabulary) in each backend, reporting ingest
// entities/s, then has 50 clients at once search and read entities,
// reporting p50 and p99 of each, and prints both backends as a table.
// PostgreSQL runs with fsync on and synchronous_commit off, as close as it
// gets to SQLite's WAL with synchronous=NORMAL.
func BenchmarkBackends(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv(envEntities); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			b.Fatalf("%s=%q: want a count of entities, at least 1000", envEntities, v)
		}
	}
	clients := 50
	if v := os.Getenv(envClients); v != "" {
		if c, err := strconv.Atoi(v); err == nil && c > 0 {
			clients = c
		}
	}
	backends := strings.Split(cmpOr(os.Getenv(envBackends), "sqlite,postgres"), ",")
	type row struct {
		name                             string
		ingest                           float64
		search50, search99, get50, get99 time.Duration
		rate                             float64 // the open loop's requests a second
		openSearch99, openGet99          time.Duration
	}
	var rows []row
	for i := 0; i < b.N; i++ {
		rows = rows[:0]
		for _, name := range backends {
			s, closeFn := benchStore(b, strings.TrimSpace(name))
			ingest, fqns := buildCatalog(b, s, n)
			t0 := time.Now()
			search, get := concurrentLatency(b, s, fqns, clients)
			// Half the closed loop's throughput: the machine about half
			// busy, whichever process (lakemap or postgres) spends it.
			rate := float64(len(search)+len(get)) / time.Since(t0).Seconds() / 2
			openSearch, openGet := openLatency(b, s, fqns, clients, rate)
			closeFn()
			r := row{name: name, ingest: ingest, search50: pct(search, 50), search99: pct(search, 99), get50: pct(get, 50), get99: pct(get, 99),
				rate: rate, openSearch99: pct(openSearch, 99), openGet99: pct(openGet, 99)}
			rows = append(rows, r)
			b.ReportMetric(r.ingest, name+"-ingest-entities/s")
			b.ReportMetric(ms(r.search99), name+"-search-p99-ms")
			b.ReportMetric(ms(r.get99), name+"-get-p99-ms")
			b.ReportMetric(ms(r.openSearch99), name+"-open-search-p99-ms")
			b.ReportMetric(ms(r.openGet99), name+"-open-get-p99-ms")
		}
	}
	var t strings.Builder
	fmt.Fprintf(&t, "\n%d entities, %d concurrent clients; closed loop: back to back (p99 ~ clients / throughput); open loop: Poisson arrivals at half the closed loop's throughput, latency from the scheduled send\n", n, clients)
	fmt.Fprintf(&t, "%-10s %18s | %14s %14s %14s %14s | %10s %14s %14s\n", "backend", "ingest entities/s", "search p50 ms", "search p99 ms", "get p50 ms", "get p99 ms", "open req/s", "search p99 ms", "get p99 ms")
	for _, r := range rows {
		fmt.Fprintf(&t, "%-10s %18.0f | %14.2f %14.2f %14.2f %14.2f | %10.0f %14.2f %14.2f\n", r.name, r.ingest, ms(r.search50), ms(r.search99), ms(r.get50), ms(r.get99),
			r.rate, ms(r.openSearch99), ms(r.openGet99))
	}
	b.Log(t.String())
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}

func benchStore(b *testing.B, name string) (catalog.Store, func()) {
	ctx := context.Background()
	switch name {
	case "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return s, func() { s.Close() }
	case "postgres":
		durable(b)
		s := open(b)
		return s, func() {}
	}
	b.Fatalf("%s: unknown backend %q (sqlite, postgres)", envBackends, name)
	return nil, nil
}

// durable turns the test cluster's fsync back on (pgtest turns it off to
// make tests fast), so that ingest figures are honest.
func durable(b *testing.B) {
	admin := os.Getenv(pgtest.EnvURL)
	if admin == "" {
		b.Skip("PostgreSQL missing: " + pgtest.InstallHint)
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, admin)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range []string{`ALTER SYSTEM SET fsync = on`, `ALTER SYSTEM SET full_page_writes = on`, `ALTER SYSTEM SET synchronous_commit = off`,
		`SELECT pg_reload_conf()`} {
		if _, err := c.Exec(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// buildCatalog writes n entities as scans do (batches of 1,000, tables
// before their columns) and returns entities/s and a sample of FQNs.
func buildCatalog(b *testing.B, s catalog.Store, n int) (float64, []string) {
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "bench", SourceType: "glue", Started: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	const columns = 50
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string { return benchVocabulary[rng.IntN(len(benchVocabulary))] }
	var sample []string
	dbs := map[string]bool{}
	batch := make([]catalog.Entity, 0, 1000)
	written := 0
	start := time.Now()
	flush := func() {
		if _, err := s.Upsert(ctx, sc.ID, batch); err != nil {
			b.Fatal(err)
		}
		written += len(batch)
		batch = batch[:0]
	}
	for t := 0; written+len(batch) < n; t++ {
		db := fmt.Sprintf("bench.%s_%03d", benchVocabulary[t%len(benchVocabulary)], t/2000)
		if !dbs[db] {
			dbs[db] = true
			batch = append(batch, catalog.Entity{FQN: db, Kind: catalog.KindDatabase})
		}
		table := fmt.Sprintf("%s.%s_%s_%06d", db, word(), word(), t)
		batch = append(batch, catalog.Entity{FQN: table, Kind: catalog.KindTable, Description: "daily " + word() + " by " + word(),
			Attrs: map[string]any{"location": "s3://lake/" + table, "format": "parquet"}})
		if t%97 == 0 {
			sample = append(sample, table)
		}
		for c := range columns {
			col := fmt.Sprintf("%s.%s_%02d", table, word(), c)
			batch = append(batch, catalog.Entity{FQN: col, Kind: catalog.KindColumn, Attrs: map[string]any{"dataType": "bigint", "ordinal": int64(c)}})
			if t%97 == 0 && c == 7 {
				sample = append(sample, col)
			}
		}
		if len(batch) >= 1000 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	rate := float64(written) / time.Since(start).Seconds()
	if err := s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now()}); err != nil {
		b.Fatal(err)
	}
	return rate, sample
}

// concurrentLatency runs clients, each alternating a search
// from a realistic mix and a read of a random entity.
func concurrentLatency(b *testing.B, s catalog.Store, fqns []string, clients int) (search, get []time.Duration) {
	ctx := context.Background()
	var mu sync.Mutex
	var wg sync.WaitGroup
	perQuery := make([]time.Duration, len(benchQueries))
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			var ss, gs []time.Duration
			for i := range benchOps {
				t0 := time.Now()
				if _, err := s.Search(ctx, catalog.SearchQuery{Text: benchQueries[(c+i)%len(benchQueries)], Limit: 20}); err != nil {
					b.Error(err)
					return
				}
				ss = append(ss, time.Since(t0))
				mu.Lock()
				perQuery[(c+i)%len(benchQueries)] += time.Since(t0)
				mu.Unlock()
				t0 = time.Now()
				if _, err := s.Get(ctx, fqns[rng.IntN(len(fqns))]); err != nil {
					b.Error(err)
					return
				}
				gs = append(gs, time.Since(t0))
			}
			mu.Lock()
			search, get = append(search, ss...), append(get, gs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	var by strings.Builder
	for i, q := range benchQueries {
		fmt.Fprintf(&by, " %q %.1fms", q, ms(perQuery[i])/float64(len(search)/len(benchQueries)))
	}
	b.Logf("mean search time by query:%s", by.String())
	return search, get
}

// openLatency is the open loop: clients goroutines each send on their own
// Poisson schedule, rate requests a second among them all, alternating a
// search and an entity read, as many requests as the closed loop made. A
// latency runs from the request's scheduled send, so a client still
// waiting on its last answer sends late and the lateness counts (no
// coordinated omission).
func openLatency(b *testing.B, s catalog.Store, fqns []string, clients int, rate float64) (search, get []time.Duration) {
	ctx := context.Background()
	perClient := rate / float64(clients)
	start := time.Now()
	end := start.Add(time.Duration(float64(2*benchOps*clients) / rate * float64(time.Second)))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 11))
			var ss, gs []time.Duration
			for i, due := 0, start; ; i++ {
				due = due.Add(time.Duration(rng.ExpFloat64() / perClient * float64(time.Second)))
				if !due.Before(end) {
					break
				}
				time.Sleep(time.Until(due))
				if i%2 == 0 {
					if _, err := s.Search(ctx, catalog.SearchQuery{Text: benchQueries[(c+i/2)%len(benchQueries)], Limit: 20}); err != nil {
						b.Error(err)
						return
					}
					ss = append(ss, time.Since(due))
					continue
				}
				if _, err := s.Get(ctx, fqns[rng.IntN(len(fqns))]); err != nil {
					b.Error(err)
					return
				}
				gs = append(gs, time.Since(due))
			}
			mu.Lock()
			search, get = append(search, ss...), append(get, gs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return search, get
}
