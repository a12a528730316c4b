package postgres

import (
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

func TestWordPasses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		words []string
		exprs []string
	}{
		{"one word", []string{"orders"}, []string{"'orders'", "'orders':*"}},
		{"two words", []string{"customer", "address"}, []string{
			"'customer' & 'address'", "'customer' & 'address':*", "'customer'", "'address'"}},
		{"many words", []string{"a1", "b2", "c3", "d4", "e5"}, []string{
			"'a1' & 'b2' & 'c3' & 'd4' & 'e5'", "'a1' & 'b2' & 'c3' & 'd4' & 'e5':*", "'a1' | 'b2' | 'c3' | 'd4' | 'e5'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range wordPasses(tc.words) {
				got = append(got, p.expr)
			}
			if !slices.Equal(got, tc.exprs) {
				t.Errorf("passes %q, want %q", got, tc.exprs)
			}
		})
	}
	if n := len(wordPasses([]string{"a1", "b2", "c3", "d4"})); n != 2+14 {
		t.Errorf("four words: %d passes, want 16", n)
	}
}

func TestLikePattern(t *testing.T) {
	for in, want := range map[string]string{
		"addr":  "%addr%",
		"a_b":   `%a\_b%`,
		"50%":   `%50\%%`,
		`a\b`:   `%a\\b%`,
		"":      "%%",
		"adré":  "%adré%",
		"%_\\":  `%\%\_\\%`,
		"kunde": "%kunde%",
	} {
		if got := likePattern(in); got != want {
			t.Errorf("likePattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInWordScore(t *testing.T) {
	// More words held first, then shorter names.
	both := inWordScore("kundenadresse", []string{"kunde", "adresse"})
	one := inWordScore("kundenadresse", []string{"kunde", "xyz"})
	longer := inWordScore("kundenadressebuch", []string{"kunde", "adresse"})
	if !(both > one && both > longer) {
		t.Errorf("scores both=%v one=%v longer=%v", both, one, longer)
	}
	if got := rank.Banded(rank.BandInWord, 500); got >= rank.BandPartial {
		t.Errorf("in-word band reaches %v", got)
	}
}

func TestNamedKinds(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  []catalog.Kind
	}{
		{[]string{"buckets"}, []catalog.Kind{catalog.KindBucket}},
		{[]string{"queries"}, []catalog.Kind{catalog.KindQuery}},
		{[]string{"bucket", "buckets"}, []catalog.Kind{catalog.KindBucket}},
		{[]string{"athena", "queries"}, nil},
		{nil, nil},
	} {
		if got := namedKinds(tc.words); !slices.Equal(got, tc.want) {
			t.Errorf("namedKinds(%q) = %v, want %v", tc.words, got, tc.want)
		}
	}
}
