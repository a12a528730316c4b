package postgres

import (
	"slices"
	"strings"
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

func TestInwordText(t *testing.T) {
	col := catalog.Entity{Kind: catalog.KindColumn, Name: "KdAdr", Description: "Kundenadressé\nalt"}
	if got := inwordText(&col); got == nil || *got != "kdadr\nkundenadresse alt" {
		t.Errorf("inwordText = %v", got)
	}
	// Patterns hold to their side of the newline.
	for _, tc := range []struct{ pattern, text string }{
		{inNamePattern("adr"), "kdadr\n"},
		{inDescriptionPattern("adressé"), "kdadr\nkundenadresse"},
	} {
		if !strings.HasPrefix(tc.pattern, "%") || !strings.HasSuffix(tc.pattern, "%") || !strings.Contains(tc.pattern, "\n") {
			t.Errorf("pattern %q for %q", tc.pattern, tc.text)
		}
	}
	for _, k := range []catalog.Kind{catalog.KindQuery, catalog.KindPartition} {
		if got := inwordText(&catalog.Entity{Kind: k, Name: "x"}); got != nil {
			t.Errorf("%s indexed inside words: %q", k, *got)
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
