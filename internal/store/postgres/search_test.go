package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// TestTotalOfCommonWords: Total counts up to maxCounted matches in each
// index whether the sample of columns holds that many (2,000 matching
// columns), the whole does but the sample does not (250), or neither
// (150).
func TestTotalOfCommonWords(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	const tables = 30
	es := []catalog.Entity{{FQN: "svc", Kind: catalog.KindService}, {FQN: "svc.db", Kind: catalog.KindDatabase}}
	for _, c := range []struct {
		words   string
		columns int
	}{{"alpha_beta", 2000}, {"gamma_delta", 250}, {"epsilon_zeta", 150}} {
		for i := range tables {
			es = append(es, catalog.Entity{FQN: fmt.Sprintf("svc.db.%s_t%02d", c.words, i), Kind: catalog.KindTable})
		}
		for i := range c.columns {
			es = append(es, catalog.Entity{FQN: fmt.Sprintf("svc.db.%s_t00.%s_c%04d", c.words, c.words, i), Kind: catalog.KindColumn})
		}
	}
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Upsert(ctx, sc.ID, es); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text  string
		total int
	}{
		{"alpha beta", tables + maxCounted},
		{"gamma delta", tables + maxCounted},
		{"epsilon zeta", tables + 150},
	} {
		res, err := s.Search(ctx, catalog.SearchQuery{Text: tc.text, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tc.total || res.NextOffset != 10 {
			t.Errorf("search %q: total %d, next %d; want %d, 10", tc.text, res.Total, res.NextOffset, tc.total)
		}
	}
}
