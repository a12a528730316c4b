package sqlite

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

func searchStore(t *testing.T, ents []catalog.Entity) *Store {
	t.Helper()
	s := emptyStore(t)
	scan(t, s, ents)
	return s
}

func scan(t *testing.T, s *Store, ents []catalog.Entity) {
	t.Helper()
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "test", Started: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(ctx, sc.ID, ents); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

func ent(kind catalog.Kind, parent, name string, attrs map[string]any) catalog.Entity {
	fqn := catalog.Child(parent, name)
	if parent == "" {
		fqn = catalog.QuotePart(name)
	}
	return catalog.Entity{FQN: fqn, Kind: kind, Service: "svc", ParentFQN: parent, Name: name, Attrs: attrs}
}

func searchEstate() []catalog.Entity {
	return []catalog.Entity{
		ent(catalog.KindService, "", "svc", nil),
		ent(catalog.KindDatabase, "svc", "crm", nil),
		ent(catalog.KindTable, "svc.crm", "customers", nil),
		ent(catalog.KindColumn, "svc.crm.customers", "kundenadresse", nil),
		ent(catalog.KindColumn, "svc.crm.customers", "billingAddress", nil),
		ent(catalog.KindColumn, "svc.crm.customers", "customer_address", nil),
		ent(catalog.KindColumn, "svc.crm.customers", "address", nil),
		ent(catalog.KindColumn, "svc.crm.customers", "customer_id", nil),
		ent(catalog.KindWorkgroup, "svc", "primary", nil),
		ent(catalog.KindWorkgroup, "svc", "etl", nil),
		ent(catalog.KindQuery, "svc.primary", "8f1c2d3e-0000-4000-8000-000000000001", map[string]any{"query": "SELECT amount FROM crm.invoices", "workgroup": "primary"}),
	}
}

func fqns(res catalog.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.FQN)
	}
	return out
}

func TestSearchInWordsPartialAndKinds(t *testing.T) {
	ctx := context.Background()
	s := searchStore(t, searchEstate())
	for _, tc := range []struct {
		name  string
		q     catalog.SearchQuery
		first []string // the hits, in order, that must lead
		want  []string // hits that must appear
		not   []string // hits that must not appear
	}{
		{"inside a word", catalog.SearchQuery{Text: "adresse"}, []string{"svc.crm.customers.kundenadresse"}, nil, nil},
		{"whole words before in-word", catalog.SearchQuery{Text: "address"},
			[]string{"svc.crm.customers.address", "svc.crm.customers.customer_address", "svc.crm.customers.billingAddress"}, nil, []string{"svc.crm.customers.kundenadresse"}},
		{"partial words ranked by how many match", catalog.SearchQuery{Text: "customer address zip"},
			[]string{"svc.crm.customers.customer_address"}, []string{"svc.crm.customers.address", "svc.crm.customers.customer_id"}, nil},
		{"queries stay out by default", catalog.SearchQuery{Text: "invoices"}, nil, nil, []string{"svc.primary.8f1c2d3e-0000-4000-8000-000000000001"}},
		{"query SQL with kinds", catalog.SearchQuery{Text: "invoices", Kinds: []catalog.Kind{catalog.KindQuery}}, []string{"svc.primary.8f1c2d3e-0000-4000-8000-000000000001"}, nil, nil},
		{"query id with kinds", catalog.SearchQuery{Text: "8f1c2d3e-0000-4000-8000-000000000001", Kinds: []catalog.Kind{catalog.KindQuery}}, []string{"svc.primary.8f1c2d3e-0000-4000-8000-000000000001"}, nil, nil},
		{"query workgroup with kinds", catalog.SearchQuery{Text: "primary", Kinds: []catalog.Kind{catalog.KindQuery}}, []string{"svc.primary.8f1c2d3e-0000-4000-8000-000000000001"}, nil, nil},
		{"empty text lists a kind", catalog.SearchQuery{Kinds: []catalog.Kind{catalog.KindWorkgroup}}, nil, []string{"svc.primary", "svc.etl"}, []string{"svc.crm"}},
		{"a kind word lists the kind", catalog.SearchQuery{Text: "workgroups"}, nil, []string{"svc.primary", "svc.etl"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := fqns(res)
			if len(got) < len(tc.first) || !slices.Equal(got[:len(tc.first)], tc.first) {
				t.Errorf("hits %v, want them to start with %v", got, tc.first)
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("hits %v lack %s", got, w)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("hits %v hold %s", got, n)
				}
			}
			for i := 1; i < len(res.Hits); i++ {
				if res.Hits[i].Score > res.Hits[i-1].Score {
					t.Errorf("hit %d scores %v after %v: not in score order", i, res.Hits[i].Score, res.Hits[i-1].Score)
				}
			}
			if res.Total < len(res.Hits) {
				t.Errorf("total %d < %d hits", res.Total, len(res.Hits))
			}
		})
	}
}

// TestTrigramIndexFollowsWrites: Upsert keeps the in-word and query
// indexes in step with renames and kind changes, also within one batch.
func TestTrigramIndexFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s := searchStore(t, searchEstate())
	count := func(table, text string) int {
		t.Helper()
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE `+table+` MATCH ?`, `"`+text+`"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count("name_trigram", "adresse") != 1 || count("query_search", "invoices") != 1 {
		t.Fatal("kundenadresse or the query not indexed")
	}
	renamed := ent(catalog.KindColumn, "svc.crm.customers", "kundenadresse", nil)
	renamed.Name = "kundenanschrift"
	scan(t, s, []catalog.Entity{renamed})
	if count("name_trigram", "adresse") != 0 || count("name_trigram", "anschrift") != 1 {
		t.Error("rename not reindexed")
	}
	// Added and changed in one batch: the queued row goes before the
	// deletion that replaces it.
	first := ent(catalog.KindColumn, "svc.crm.customers", "postleitzahl", nil)
	second := first
	second.Name = "plzneu"
	scan(t, s, []catalog.Entity{first, second})
	if count("name_trigram", "leitzahl") != 0 || count("name_trigram", "plzneu") != 1 {
		t.Error("a name changed within a batch is indexed under its first name")
	}
	commented := ent(catalog.KindColumn, "svc.crm.customers", "customer_id", nil)
	commented.Description = "Kundennummer"
	scan(t, s, []catalog.Entity{commented})
	if count("description_trigram", "nummer") != 1 {
		t.Error("a new description not indexed inside words")
	}
	commented.Description = "Kundenkennung"
	scan(t, s, []catalog.Entity{commented})
	if count("description_trigram", "nummer") != 0 || count("description_trigram", "kennung") != 1 {
		t.Error("a changed description not reindexed inside words")
	}
	commented.Description = ""
	scan(t, s, []catalog.Entity{commented})
	if count("description_trigram", "kennung") != 0 {
		t.Error("a removed description still indexed inside words")
	}
	asPartition := ent(catalog.KindPartition, "svc.crm.customers", "kundenadresse", nil)
	asPartition.Name = "kundenanschrift"
	scan(t, s, []catalog.Entity{asPartition})
	if count("name_trigram", "anschrift") != 0 {
		t.Error("an entity that became unsearchable is still indexed")
	}
	query := searchEstate()[len(searchEstate())-1]
	query.Attrs = map[string]any{"query": "SELECT 1 FROM crm.refunds", "workgroup": "primary"}
	scan(t, s, []catalog.Entity{query})
	if count("query_search", "invoices") != 0 || count("query_search", "refunds") != 1 {
		t.Error("changed query SQL not reindexed")
	}
}

func TestNamedKinds(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  []catalog.Kind
	}{
		{[]string{"workgroup"}, []catalog.Kind{catalog.KindWorkgroup}},
		{[]string{"buckets", "tables"}, []catalog.Kind{catalog.KindBucket, catalog.KindTable}},
		{[]string{"queries"}, []catalog.Kind{catalog.KindQuery}},
		{[]string{"orders", "table"}, nil},
	} {
		if got := namedKinds(tc.words); !slices.Equal(got, tc.want) {
			t.Errorf("namedKinds(%v) = %v, want %v", tc.words, got, tc.want)
		}
	}
}
