// Package textdist finds the candidate a user probably meant: "did you mean"
// for YAML keys, source types and FQNs.
package textdist

import "strings"

// Nearest returns the candidate nearest to got, case-insensitively, when it
// is close enough to be a typo: an edit distance of at most two (three for
// names of twelve runes or more), and less than got's own length.
func Nearest(got string, candidates []string) (string, bool) {
	lg := strings.ToLower(got)
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := Distance(lg, strings.ToLower(c)); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 {
		return "", false
	}
	limit := 2
	if len([]rune(got)) >= 12 {
		limit = 3
	}
	return best, bestDist <= limit && bestDist < len([]rune(got))
}

// Distance is the Levenshtein distance between a and b, by runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
