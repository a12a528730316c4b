package storetest

import (
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testSearchQueriesAndAccents pins two things both backends index alike:
// Athena query executions, found by id, workgroup or SQL only when a search
// asks for their kind; and words without their accents, so "malaga" finds
// "Málaga" and "café" finds "cafe".
func testSearchQueriesAndAccents(t *testing.T, s catalog.Store) {
	const query = "svc.primary.8f1c2d3e-0000-4000-8000-000000000001"
	scanOnce(t, s, []catalog.Entity{
		ent(catalog.KindService, "svc", "", nil),
		ent(catalog.KindDatabase, "svc.crm", "", nil),
		ent(catalog.KindTable, "svc.crm.invoices", "Invoices of the Málaga office", nil),
		ent(catalog.KindTable, "svc.crm.cafe_orders", "", nil),
		ent(catalog.KindTable, "svc.crm.résumés", "", nil),
		ent(catalog.KindWorkgroup, "svc.primary", "", nil),
		ent(catalog.KindQuery, query, "", map[string]any{"query": "SELECT amount FROM crm.ledger_lines", "workgroup": "primary"}),
	})
	queries := []catalog.Kind{catalog.KindQuery}
	for _, tc := range []struct {
		name string
		q    catalog.SearchQuery
		want string // "" : no hit may be the query execution
	}{
		{"queries stay out by default", catalog.SearchQuery{Text: "ledger_lines"}, ""},
		{"query SQL with kinds", catalog.SearchQuery{Text: "ledger_lines", Kinds: queries}, query},
		{"query id with kinds", catalog.SearchQuery{Text: "8f1c2d3e-0000-4000-8000-000000000001", Kinds: queries}, query},
		{"query workgroup with kinds", catalog.SearchQuery{Text: "primary", Kinds: queries}, query},
		{"accent in the entity", catalog.SearchQuery{Text: "malaga"}, "svc.crm.invoices"},
		{"accent in the query", catalog.SearchQuery{Text: "café"}, "svc.crm.cafe_orders"},
		{"accent on both sides", catalog.SearchQuery{Text: "résumés"}, "svc.crm.résumés"},
		{"accent only in the entity name", catalog.SearchQuery{Text: "resumes"}, "svc.crm.résumés"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.FQN)
			}
			switch {
			case tc.want == "" && slices.Contains(got, query):
				t.Errorf("hits %v hold the query execution", got)
			case tc.want != "" && (len(got) == 0 || got[0] != tc.want):
				t.Errorf("hits %v, want %s first", got, tc.want)
			}
		})
	}
}
