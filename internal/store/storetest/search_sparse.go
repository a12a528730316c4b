package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testSparseTenantSearch: a project owning a small part of the catalog
// finds its own matches of words that match hundreds of other entities
// first, in every pass (whole words, prefixes, inside words), and nothing
// of the others'. A backend that ranks the first few hundred matches of
// the whole catalog and filters them afterwards finds nothing here.
func testSparseTenantSearch(t *testing.T, s catalog.Store) {
	var small catalog.Project
	// The big project is written first, so that an index in write order
	// lists the small project's matches last.
	for _, svc := range []string{"big", "small"} {
		p, err := catalog.NewProject("project_"+svc, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := s.PutConnection(ctx, catalog.Connection{Name: svc, ProjectID: p.ID, SourceType: "glue", Region: "eu-west-1"}); err != nil {
			t.Fatal(err)
		}
		n := 600
		if svc == "small" {
			small, n = p, 2
		}
		ents := []catalog.Entity{{FQN: svc, Kind: catalog.KindService}, {FQN: svc + ".db", Kind: catalog.KindDatabase}}
		for i := range n {
			ents = append(ents, catalog.Entity{FQN: fmt.Sprintf("%s.db.orders_%03d", svc, i), Kind: catalog.KindTable, Description: "daily orders"},
				catalog.Entity{FQN: fmt.Sprintf("%s.db.orders_%03d.kundenadresse", svc, i), Kind: catalog.KindColumn})
		}
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: svc, SourceType: "glue", Started: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upsert(ctx, sc.ID, ents); err != nil {
			t.Fatal(err)
		}
	}
	hitFQNs := func(res catalog.SearchResult) []string {
		out := make([]string, 0, len(res.Hits))
		for _, h := range res.Hits {
			out = append(out, h.FQN)
		}
		return out
	}
	r := s.Scoped(catalog.Projects(small.ID))
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"daily orders", []string{"small.db.orders_000", "small.db.orders_001"}},
		{"orde", []string{"small.db.orders_000", "small.db.orders_001"}},
		{"adresse", []string{"small.db.orders_000.kundenadresse", "small.db.orders_001.kundenadresse"}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			res, err := r.Search(ctx, catalog.SearchQuery{Text: tc.text, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := hitFQNs(res)
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("hits %v lack %s", got, w)
				}
			}
			for _, h := range got {
				if !strings.HasPrefix(h, "small") {
					t.Errorf("hit %s belongs to another project", h)
				}
			}
		})
	}
	// A service filter narrows an unscoped search the same way.
	res, err := s.Search(ctx, catalog.SearchQuery{Text: "adresse", Services: []string{"small"}, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := hitFQNs(res); len(got) != 2 {
		t.Errorf("services=[small] found %v, want its two columns", got)
	}
	// A project with no connection finds nothing, without error.
	empty, err := catalog.NewProject("empty", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(ctx, empty); err != nil {
		t.Fatal(err)
	}
	res, err = s.Scoped(catalog.Projects(empty.ID)).Search(ctx, catalog.SearchQuery{Text: "orders"})
	if err != nil || len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("empty project: %v, %d hits, total %d; want none", err, len(res.Hits), res.Total)
	}
}
