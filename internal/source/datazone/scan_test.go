package datazone

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
)

func get(t *testing.T, store *sqlite.Store, fqn string) catalog.Entity {
	t.Helper()
	e, err := store.Get(context.Background(), fqn)
	if err != nil {
		t.Fatalf("%s: %v", fqn, err)
	}
	return e
}

func TestFullScanWithSearch(t *testing.T) {
	l := newLake(t, "410000000001", 5)
	store := sqlitetest.Open(t)
	sum := l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	compareCounts(t, counts(t, store), wantCounts(true))

	// The role was assumed with the External ID, and every DataZone call
	// was signed with its credentials (the fake refuses anything else).
	var sawExternalID bool
	for _, f := range l.fake.UpstreamForms() {
		if f.Get("Action") == "AssumeRole" && f.Get("ExternalId") == externalID && f.Get("RoleArn") == l.cust.RoleARN {
			sawExternalID = true
		}
	}
	if !sawExternalID {
		t.Error("no AssumeRole with the External ID went to STS")
	}
	if w := l.fake.WriteRequests(); len(w) != 0 {
		t.Errorf("scan sent writes: %+v", w)
	}
	for _, r := range l.fake.Requests() {
		if r.Account != l.cust.AccountID {
			t.Fatalf("call %s signed for account %q, want %s", r.Op, r.Account, l.cust.AccountID)
		}
	}

	d := get(t, store, "dz.Sales Analytics")
	if d.Attrs["coverage"] != CoverageInventory || d.Attrs["status"] != "AVAILABLE" || !strings.HasPrefix(d.Attrs["portalUrl"].(string), "https://dzd_0001") {
		t.Errorf("domain = %+v", d.Attrs)
	}
	orders := get(t, store, "dz.Sales Analytics.Team 01.orders")
	if orders.Attrs["glueTableArn"] != "arn:aws:glue:us-east-1:410000000001:table/lake_0/orders" {
		t.Errorf("glueTableArn = %v", orders.Attrs["glueTableArn"])
	}
	forms, _ := orders.Attrs["forms"].(map[string]any)
	biz, _ := forms["BusinessMetadata"].(map[string]any)
	content, _ := biz["content"].(map[string]any)
	fields, _ := biz["fields"].([]any)
	if content["owner"] != "team-01" || len(fields) != 3 || len(forms) != 3 {
		t.Errorf("forms = %#v", forms)
	}
	if terms, _ := orders.Attrs["glossaryTerms"].([]any); len(terms) != 1 || terms[0] != "t-rev" {
		t.Errorf("glossaryTerms = %v", orders.Attrs["glossaryTerms"])
	}
	if revs, _ := get(t, store, "dz.Sales Analytics.Team 01.invoices").Attrs["revisions"].([]any); len(revs) != 3 {
		t.Errorf("invoices revisions = %v", revs)
	}
	if ret := get(t, store, "dz.Sales Analytics.Team 01.returns"); ret.Attrs["listed"] != false {
		t.Errorf("unlisted asset = %+v", ret.Attrs)
	}
	lst := get(t, store, "dz.Sales Analytics.listing:l0010")
	if lst.Kind != catalog.KindListing || lst.Name != "orders" || lst.Attrs["assetFqn"] != orders.FQN {
		t.Errorf("listing = %+v", lst)
	}
	rev := get(t, store, "dz.Sales Analytics.Team 00.glossary:Business Terms.Revenue")
	if isA, _ := rev.Attrs["isA"].([]any); len(isA) != 1 || isA[0] != "dz.Sales Analytics.Team 00.glossary:Business Terms.KPI" {
		t.Errorf("Revenue relations = %+v", rev.Attrs)
	}
	get(t, store, "dz.Finance.Team 01.glossary:Glossaire Métier.TVA")
	get(t, store, "dz.Sales Analytics.environment_profile:Data Lake")
	ds := get(t, store, "dz.Finance.Team 03.data_source:glue-import")
	if cfg, _ := ds.Attrs["configuration"].(map[string]any); cfg["engine"] != "GLUE" || ds.Attrs["schedule"] != "cron(0 2 * * ? *)" {
		t.Errorf("data source = %+v", ds.Attrs)
	}
	get(t, store, "dz.Finance.Team 03.environment:lake-env")
}

// Names are not unique in DataZone: every holder of a shared name gets
// "~<id>"; unicode and dotted names go through the catalog's quoting.
func TestDuplicateAndUnicodeNames(t *testing.T) {
	l := newLake(t, "410000000002", 50)
	store := sqlitetest.Open(t)
	if sum := l.scan(t, store, nil); sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	for _, fqn := range []string{
		"dz.Sales Analytics.Team 00.customers~a0001", "dz.Sales Analytics.Team 00.customers~a0007",
		"dz.Sales Analytics.Team 01.customers", "dz.Sales Analytics.Team 01.customers_v2",
		"dz.Données Clients — 顧客.Équipe Ünicode ✓.événements",
		`dz.Finance."team.dotted".orders`,
	} {
		if e := get(t, store, fqn); e.Kind != catalog.KindAsset {
			t.Errorf("%s is a %s", fqn, e.Kind)
		}
	}
	if _, err := store.Get(context.Background(), "dz.Sales Analytics.Team 00.customers"); err == nil {
		t.Error("a shared name was given to one of its holders")
	}
}

func TestUniqueParts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		items  []named
		want   map[string]string
	}{
		{"unique", "", []named{{"1", "a"}, {"2", "b"}}, map[string]string{"1": "a", "2": "b"}},
		{"shared", "", []named{{"1", "a"}, {"2", "a"}, {"3", "b"}}, map[string]string{"1": "a~1", "2": "a~2", "3": "b"}},
		{"case-insensitive", "glossary:", []named{{"x", "Terms"}, {"y", "terms"}}, map[string]string{"x": "glossary:Terms~x", "y": "glossary:terms~y"}},
		{"empty", "", nil, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := uniqueParts(tc.prefix, tc.items)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// The guide's ReadOnly policy has no datazone:Search: the scan probes it
// once, carries on without warning, and sees published assets and
// reachable glossaries only.
func TestGuideReadOnlyRoleVsSearch(t *testing.T) {
	l := newLake(t, "410000000003", 7)
	l.fake.Allow(l.cust.AccountID, datazonefake.GuideReadOnly)
	store := sqlitetest.Open(t)
	sum := l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	compareCounts(t, counts(t, store), wantCounts(false))
	if n := l.fake.Count("Search"); n != 1 {
		t.Errorf("%d Search calls, want the one probe", n)
	}
	if c := get(t, store, "dz.Finance").Attrs["coverage"]; c != CoverageListings {
		t.Errorf("coverage = %v", c)
	}

	// The same account once the role is granted datazone:Search.
	l.fake.Allow(l.cust.AccountID, append([]string{"Search"}, datazonefake.GuideReadOnly...))
	sum = l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	compareCounts(t, counts(t, store), wantCounts(true))
	if c := get(t, store, "dz.Finance").Attrs["coverage"]; c != CoverageInventory {
		t.Errorf("coverage = %v", c)
	}
}

func TestRescanAfterDeletes(t *testing.T) {
	l := newLake(t, "410000000004", 10)
	store := sqlitetest.Open(t)
	if sum := l.scan(t, store, nil); sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	l.fake.Edit(l.cust.AccountID, func(e *datazonefake.Estate) {
		e.Domains[0].RemoveAsset("a0010") // Team 01.orders, listed
		e.Domains[1].RemoveProject("prj103")
	})
	sum := l.scan(t, store, nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	for _, fqn := range []string{"dz.Sales Analytics.Team 01.orders", "dz.Sales Analytics.listing:l0010", "dz.Finance.Team 03",
		"dz.Finance.Team 03.orders", "dz.Finance.Team 03.environment:lake-env", "dz.Finance.Team 03.data_source:glue-import"} {
		if e := get(t, store, fqn); !e.Deleted {
			t.Errorf("%s not marked deleted", fqn)
		}
	}
	if e := get(t, store, "dz.Sales Analytics.Team 01.invoices"); e.Deleted {
		t.Error("a surviving asset was marked deleted")
	}
}

// A listing that fails leaves what it would have listed alone: the estate
// loses an item of every kind, one listing is denied, and only the kinds
// that listing guards keep their items live.
func TestRescanAfterDeniedListing(t *testing.T) {
	l := newLake(t, "410000000005", 10)
	for _, tc := range []struct {
		op      string
		guarded []catalog.Kind
	}{
		{"SearchListings", []catalog.Kind{catalog.KindAsset, catalog.KindListing}},
		{"ListProjects", []catalog.Kind{catalog.KindProject, catalog.KindAsset, catalog.KindListing, catalog.KindEnvironment, catalog.KindDataSource}},
		{"ListEnvironments", []catalog.Kind{catalog.KindEnvironment}},
		{"ListDataSources", []catalog.Kind{catalog.KindDataSource}},
		{"ListEnvironmentProfiles", []catalog.Kind{catalog.KindEnvProfile}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			acct := l.cust.AccountID
			l.fake.Edit(acct, func(e *datazonefake.Estate) { *e = *datazonefake.Seed(acct) })
			store := sqlitetest.Open(t)
			if sum := l.scan(t, store, nil); sum.Status != catalog.ScanSucceeded {
				t.Fatalf("status %s: %v", sum.Status, sum.Errors)
			}
			l.fake.Edit(acct, func(e *datazonefake.Estate) {
				d := e.Domains[0]
				d.RemoveAsset("a0010")
				d.Environments, d.DataSources, d.Profiles = d.Environments[1:], d.DataSources[1:], d.Profiles[1:]
			})
			l.fake.FailWhen(func(o, _ string) *datazonefake.Fault {
				if o == tc.op {
					return &datazonefake.Fault{Code: "AccessDeniedException", Message: "denied"}
				}
				return nil
			})
			defer l.fake.FailWhen(nil)
			sum := l.scan(t, store, nil)
			if sum.Status == catalog.ScanSucceeded {
				t.Errorf("status %s after a denied %s", sum.Status, tc.op)
			}
			deleted := map[catalog.Kind]int64{}
			for k, c := range sum.Stats {
				deleted[k] = c.Deleted
			}
			for _, k := range []catalog.Kind{catalog.KindAsset, catalog.KindListing, catalog.KindEnvironment, catalog.KindDataSource, catalog.KindEnvProfile} {
				want := int64(1)
				if slices.Contains(tc.guarded, k) {
					want = 0
				}
				if deleted[k] != want {
					t.Errorf("%d %s marked deleted after a denied %s, want %d", deleted[k], k, tc.op, want)
				}
			}
			if deleted[catalog.KindProject] != 0 {
				t.Errorf("%d projects marked deleted", deleted[catalog.KindProject])
			}
		})
	}
}

func TestThrottlingRetried(t *testing.T) {
	l := newLake(t, "410000000006", 10)
	store := sqlitetest.Open(t)
	if sum := l.scan(t, store, nil); sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	before := sqlitetest.Snapshot(t, store)
	var n atomic.Int64
	l.fake.FailWhen(func(string, string) *datazonefake.Fault {
		if n.Add(1)%3 == 0 {
			return &datazonefake.Fault{Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return nil
	})
	sum := l.scan(t, store, nil)
	l.fake.FailWhen(nil)
	if sum.Status != catalog.ScanSucceeded {
		t.Fatalf("storm scan %s: %v", sum.Status, sum.Errors)
	}
	if n.Load() < 100 {
		t.Errorf("only %d calls in the storm", n.Load())
	}
	after := sqlitetest.Snapshot(t, store)
	if len(after) != len(before) {
		t.Fatalf("%d entities after the storm, %d before", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed in the storm", k)
		}
	}
}

func TestDomainFilter(t *testing.T) {
	l := newLake(t, "410000000007", 50)
	for _, tc := range []struct {
		name string
		cfg  func(c *SourceConfig)
		want []string
	}{
		{"ids", func(c *SourceConfig) { c.Domains = []string{"dzd_0002"} }, []string{"dz.Finance"}},
		{"pattern", func(c *SourceConfig) { c.DomainFilterPattern.Excludes = []string{"sales"} }, []string{"dz.Données Clients — 顧客", "dz.Finance"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultSourceConfig()
			tc.cfg(cfg)
			store := sqlitetest.Open(t)
			l.fake.ClearRequests()
			if sum := l.scan(t, store, cfg); sum.Status != catalog.ScanSucceeded {
				t.Fatalf("status %s: %v", sum.Status, sum.Errors)
			}
			var got []string
			for _, d := range sqlitetest.Live(t, store, catalog.KindDomain) {
				got = append(got, d.FQN)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("domains %v, want %v", got, tc.want)
			}
			if n := l.fake.Count("ListProjects"); n != len(tc.want) {
				t.Errorf("%d ListProjects calls: filtered domains were read", n)
			}
		})
	}
}

func TestSourceConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(c *SourceConfig)
		path string
	}{
		{"threads", func(c *SourceConfig) { c.Threads = -1 }, "threads"},
		{"itemThreads", func(c *SourceConfig) { c.ItemThreads = -2 }, "itemThreads"},
		{"empty domain", func(c *SourceConfig) { c.Domains = []string{""} }, "domains[0]"},
		{"bad regex", func(c *SourceConfig) { c.DomainFilterPattern.Includes = []string{"a)|(b"} }, "domainFilterPattern"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultSourceConfig()
			tc.cfg(cfg)
			p := cfg.Validate()
			if len(p) != 1 || p[0].Path != tc.path {
				t.Errorf("problems = %+v, want one at %s", p, tc.path)
			}
		})
	}
	if p := DefaultSourceConfig().Validate(); len(p) != 0 {
		t.Errorf("defaults invalid: %+v", p)
	}
}

// The asset list is streamed: names are counted in a first pass, so two
// holders of a name on different pages are both suffixed, and a listing
// that fails in the second pass (after the count) deletes nothing.
func TestStreamedAssets(t *testing.T) {
	l := newLake(t, "410000000008", 2)
	store := sqlitetest.Open(t)
	cfg := DefaultSourceConfig()
	cfg.Domains = []string{"dzd_0001"}
	if sum := l.scan(t, store, cfg); sum.Status != catalog.ScanSucceeded {
		t.Fatalf("status %s: %v", sum.Status, sum.Errors)
	}
	for _, fqn := range []string{"dz.Sales Analytics.Team 00.customers~a0001", "dz.Sales Analytics.Team 00.customers~a0007"} {
		get(t, store, fqn)
	}
	pages := l.fake.Count("SearchListings") // both passes
	l.fake.Edit(l.cust.AccountID, func(e *datazonefake.Estate) { e.Domains[0].RemoveAsset("a0010") })
	var calls atomic.Int64
	l.fake.FailWhen(func(op, _ string) *datazonefake.Fault {
		if op == "SearchListings" && calls.Add(1) == int64(pages*3/4) {
			return &datazonefake.Fault{Code: "AccessDeniedException", Message: "denied"}
		}
		return nil
	})
	defer l.fake.FailWhen(nil)
	sum := l.scan(t, store, cfg)
	if sum.Status != catalog.ScanPartial {
		t.Errorf("status %s after a listing failed, want partial", sum.Status)
	}
	for k, c := range sum.Stats {
		if c.Deleted != 0 && (k == catalog.KindAsset || k == catalog.KindListing) {
			t.Errorf("%d %s marked deleted after a failed listing", c.Deleted, k)
		}
	}
	if e := get(t, store, "dz.Sales Analytics.Team 01.orders"); e.Deleted {
		t.Error("an asset gone from DataZone was marked deleted though its listing failed")
	}
	// The next complete scan deletes it.
	l.fake.FailWhen(nil)
	l.scan(t, store, cfg)
	if e := get(t, store, "dz.Sales Analytics.Team 01.orders"); !e.Deleted {
		t.Error("a complete scan did not mark the gone asset deleted")
	}
}
