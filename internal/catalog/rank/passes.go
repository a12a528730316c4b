package rank

import (
	"slices"
	"unicode/utf8"
)

// Score bands, one per search pass, shared by every backend so a later pass
// never outranks an earlier one: an exact name is Exact, every word whole
// 300+, the last word as a prefix 200+, some of the words 100+, words inside
// names 0+. Within a band the pass's own score orders hits.
const (
	BandWhole   = 300.0
	BandPrefix  = 200.0
	BandPartial = 100.0
	BandInWord  = 0.0
	BandWidth   = 99.99
)

// Banded places a pass's own score inside its band.
func Banded(band, score float64) float64 {
	return band + min(max(score, 0), BandWidth)
}

// MaxPartialWords bounds the queries whose partial matches are tried by
// subsets (more words first): four words are 14 subsets; longer queries
// match any of their words in one pass.
const MaxPartialWords = 4

// Subsets returns the k-word subsets of words, in query order.
func Subsets(words []string, k int) [][]string {
	var out [][]string
	var pick func(start int, cur []string)
	pick = func(start int, cur []string) {
		if len(cur) == k {
			out = append(out, slices.Clone(cur))
			return
		}
		for i := start; i < len(words); i++ {
			pick(i+1, append(cur, words[i]))
		}
	}
	pick(0, nil)
	return out
}

// MinInWord is the shortest word a trigram index can look for.
const MinInWord = 3

// InWordWords keeps the words long enough to look for inside names.
func InWordWords(words []string) []string {
	var usable []string
	for _, w := range words {
		if utf8.RuneCountInString(w) >= MinInWord {
			usable = append(usable, w)
		}
	}
	return usable
}
