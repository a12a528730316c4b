package sqlite

import (
	"strings"
	"testing"
)

// FuzzSearchText: splitting and scoring any text never panics, the limits
// hold, the words are lower-case letters and digits, and the FTS5
// expressions built from them quote every word.
func FuzzSearchText(f *testing.F) {
	for _, s := range []string{
		"orders", "payment amount", `"quoted" OR NOT -x*`, "grand_livre_été 日本語", "ord", "a.b.c", "",
		strings.Repeat("w ", 40), "\x00\xff\xfe", "NEAR(a b)", "col:value ^x",
	} {
		f.Add(s, "payment_amount", `svc.db."my.table"`, "the amount paid")
	}
	f.Fuzz(func(t *testing.T, text, name, parentFQN, description string) {
		words, err := queryWords(text)
		if err != nil {
			if len(text) <= maxQueryBytes && len(searchWords(text)) <= maxQueryWords {
				t.Fatalf("queryWords(%q) refused text within the limits: %v", text, err)
			}
			return
		}
		if len(words) > maxQueryWords {
			t.Fatalf("queryWords(%q) = %d words", text, len(words))
		}
		for _, w := range words {
			if w == "" || strings.ContainsAny(w, `"*() `) {
				t.Fatalf("queryWords(%q) gave word %q", text, w)
			}
		}
		whole, prefix := matchExprs(words)
		if len(words) > 0 && (!strings.HasPrefix(whole, `"`) || prefix != whole+"*") {
			t.Fatalf("matchExprs(%q) = %q, %q", words, whole, prefix)
		}
		for _, p := range []bool{false, true} {
			_ = queryTerms{words: words, prefix: p}.score(name, parentFQN, description)
		}
		_ = exactNames(text, words)
	})
}
