package storetest

import (
	"fmt"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testSearchPagingManyMatches pages through more matches than a backend
// would rank in one go, with an exact-name hit ahead of them: every match
// appears exactly once across the pages, the best ones first, and
// NextOffset stops only at the end.
func testSearchPagingManyMatches(t *testing.T, s catalog.Store) {
	const tables = 650
	es := manyTables("ledger", tables, func(i int) string { return fmt.Sprintf("ledger_entries_%03d", i) }, "")
	es = append(es, ent(catalog.KindTable, "svc.ledger.ledger_entries", "", nil))
	scanOnce(t, s, es)

	for _, tc := range []struct {
		text  string
		first string
		count int
	}{
		{"ledger", "svc.ledger", tables + 2},
		// Partial matches follow: the database svc.ledger holds one word.
		{"ledger entries", "svc.ledger.ledger_entries", tables + 2},
	} {
		text := tc.text
		seen := map[string]bool{}
		var first []string
		for offset, pages := 0, 0; ; pages++ {
			if pages > tables {
				t.Fatalf("search %q: paging never ends", text)
			}
			res, err := s.Search(ctx, catalog.SearchQuery{Text: text, Limit: 25, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if seen[h.FQN] {
					t.Fatalf("search %q: %s on two pages (offset %d)", text, h.FQN, offset)
				}
				seen[h.FQN] = true
				first = append(first, h.FQN)
			}
			if res.NextOffset == 0 {
				break
			}
			if res.NextOffset != offset+len(res.Hits) || len(res.Hits) != 25 {
				t.Fatalf("search %q offset %d: %d hits, next offset %d", text, offset, len(res.Hits), res.NextOffset)
			}
			offset = res.NextOffset
		}
		if len(seen) != tc.count {
			t.Errorf("search %q: %d distinct hits over all pages, want %d", text, len(seen), tc.count)
		}
		if first[0] != tc.first {
			t.Errorf("search %q: first hit %s, want %s", text, first[0], tc.first)
		}
	}
}
