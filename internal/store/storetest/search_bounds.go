package storetest

import (
	"fmt"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// testSearchBounds pins what an offset past the matches reports: no hits
// and a total that never exceeds what exists, whatever the offset; offsets
// outside 0..catalog.MaxOffset are invalid rather than counted.
func testSearchBounds(t *testing.T, s catalog.Store) {
	const tables = 3
	scanOnce(t, s, manyTables("shop", tables, func(i int) string { return fmt.Sprintf("orders_%d", i) }, "orders of the shop"))

	for _, offset := range []int{tables - 1, tables, tables + 1, 500, catalog.MaxOffset} {
		res, err := s.Search(ctx, catalog.SearchQuery{Text: "orders", Offset: offset, Limit: 10})
		if err != nil {
			t.Fatalf("offset %d: %v", offset, err)
		}
		if res.Total != tables {
			t.Errorf("offset %d: total %d, want %d (the matches that exist)", offset, res.Total, tables)
		}
		if want := max(0, tables-offset); len(res.Hits) != want || res.NextOffset != 0 {
			t.Errorf("offset %d: %d hits, next %d; want %d hits and no next page", offset, len(res.Hits), res.NextOffset, want)
		}
	}
	for _, offset := range []int{-1, catalog.MaxOffset + 1, 999_999_999_999} {
		_, err := s.Search(ctx, catalog.SearchQuery{Text: "orders", Offset: offset})
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("offset %d: err %v, want apperr.Invalid", offset, err)
		}
	}
}
