package postgres

import (
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
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

func TestInwordTexts(t *testing.T) {
	col := catalog.Entity{Kind: catalog.KindColumn, Name: "KdAdr", Description: "Kundenadressé alt"}
	name, desc := inwordTexts(&col)
	if name == nil || *name != "kdadr" || desc == nil || *desc != "kundenadresse alt" {
		t.Errorf("inwordTexts = %v, %v", name, desc)
	}
	if _, desc := inwordTexts(&catalog.Entity{Kind: catalog.KindColumn, Name: "x"}); desc != nil {
		t.Errorf("an empty description indexed: %q", *desc)
	}
	for _, k := range []catalog.Kind{catalog.KindQuery, catalog.KindPartition} {
		if name, desc := inwordTexts(&catalog.Entity{Kind: k, Name: "x", Description: "y"}); name != nil || desc != nil {
			t.Errorf("%s indexed inside words", k)
		}
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

// TestPassPossible: once an index is known to lack a word, the passes
// needing it are skipped, and only those.
func TestPassPossible(t *testing.T) {
	present := map[string]bool{"'customer'": true, "'addr'": false, "'addr':*": true}
	var got []string
	for _, p := range wordPasses([]string{"customer", "addr"}) {
		if p.possible(present) {
			got = append(got, p.expr)
		}
	}
	if want := []string{"'customer' & 'addr':*", "'customer'"}; !slices.Equal(got, want) {
		t.Errorf("possible passes %q, want %q", got, want)
	}
	if terms := wordTerms([]string{"customer", "addr"}); !slices.Equal(terms, []string{"'customer'", "'addr'", "'addr':*"}) {
		t.Errorf("wordTerms = %q", terms)
	}
	many := wordPasses([]string{"a1", "b2", "c3", "d4", "e5"})
	anyWord := many[len(many)-1]
	if anyWord.possible(map[string]bool{}) || !anyWord.possible(map[string]bool{"'c3'": true}) {
		t.Error("a pass of any word is possible exactly when one of its words is present")
	}
}
