// Package rank is the search ranking every catalog backend shares: how a
// query's text splits into words, the limits on that text, and the score of
// one match. Backends find the matches with their own index (SQLite FTS5,
// PostgreSQL tsvector) and rank them here, so a search orders its hits the
// same way whichever store holds the catalog.
package rank

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Limits of a search's text. Every word is one more index term and one more
// pass of the scoring over each match, so a 100,000-word query once took
// 54 s; no one types more than a few words to find a table. Longer text is
// refused (apperr.Invalid), not cut: a cut query would silently search for
// something else.
const (
	MaxQueryBytes = 1 << 10
	MaxQueryWords = 32
)

// QueryWords checks a search's text against the limits and splits it.
func QueryWords(text string) ([]string, error) {
	if len(text) > MaxQueryBytes {
		return nil, apperr.New(apperr.Invalid, "search text is %d bytes long; at most %d are allowed: search for a few words of the name", len(text), MaxQueryBytes)
	}
	words := Words(text)
	if len(words) > MaxQueryWords {
		return nil, apperr.New(apperr.Invalid, "search text has %d words; at most %d are allowed: search for a few words of the name", len(words), MaxQueryWords)
	}
	return words, nil
}

// Ranking in Go rather than with the index's own (bm25, ts_rank): those
// first weigh every query term against the whole index, which on a catalog
// of half a million columns costs more than reading and scoring the few
// hundred matches. Every match already holds every term (the index ANDs
// them), so term rarity would mostly reorder near-equals; what matters in a
// catalog is where a term sits: the entity's own name, its parent's name,
// its description.
const (
	WeightName        = 10.0
	WeightParent      = 2.0
	WeightDescription = 1.0
	// BonusWholeName rewards a name made of exactly the query's words
	// ("payment amount" → payment_amount over payment_amount_usd_total).
	BonusWholeName = 5.0
	// PenaltyExtraWord prefers short names among equal matches.
	PenaltyExtraWord = 0.25
	// Exact is the score of an entity named exactly like the query; such
	// hits come before every ranked one.
	Exact = 1000.0
)

// Words splits text the way the indexes do (SQLite's unicode61 tokenizer,
// and what the PostgreSQL store puts in its tsvectors): runs of letters,
// digits and combining marks, case-folded.
func Words(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
	})
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return words
}

// Terms are the words a query matches; Prefix says the last one also
// matches as a prefix (typing "ord" finds "orders").
type Terms struct {
	Words  []string
	Prefix bool
}

func (q Terms) matches(i int, word string) bool {
	if q.Prefix && i == len(q.Words)-1 {
		return strings.HasPrefix(word, q.Words[i])
	}
	return word == q.Words[i]
}

// Score rates one match: a term counts once, in the best field holding it.
// The parent counts by its own name, as the indexes hold it.
func (q Terms) Score(name, parentFQN, description string) float64 {
	nameWords := Words(name)
	var parentWords, descWords []string // split only when needed
	score := 0.0
	inName := 0
	for i := range q.Words {
		has := func(words []string) bool {
			return slices.ContainsFunc(words, func(w string) bool { return q.matches(i, w) })
		}
		switch {
		case has(nameWords):
			score += WeightName
			inName++
		default:
			if parentWords == nil {
				parentWords, descWords = Words(LastPart(parentFQN)), Words(description)
			}
			if has(parentWords) {
				score += WeightParent
			} else if has(descWords) {
				score += WeightDescription
			}
		}
	}
	if inName == len(q.Words) && len(nameWords) == len(q.Words) {
		score += BonusWholeName
	}
	return score - PenaltyExtraWord*float64(max(0, len(nameWords)-inName))
}

// LastPart is the last name of an FQN, "" when it does not parse: the
// parent's name as the indexes hold it.
func LastPart(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// ExactNames are the names a query means exactly: its text, and its words
// joined the ways names join them ("payment amount" is payment_amount).
func ExactNames(text string, words []string) []string {
	text = strings.TrimSpace(text)
	names := []string{text}
	if len(words) > 1 {
		for _, sep := range []string{"_", " ", "-"} {
			if joined := strings.Join(words, sep); !strings.EqualFold(joined, text) {
				names = append(names, joined)
			}
		}
	}
	return names
}

// Shorten collapses white space and cuts s to max runes, marking the cut.
func Shorten(s string, max int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= max {
		return string(r)
	}
	return string(r[:max-1]) + "…"
}

// Best orders hits best first: the higher score, then the shorter FQN (a
// table before its columns), then the FQN, so that hits of equal score
// come out in the same order on every backend and every page.
func Best(a, b catalog.SearchHit) int {
	switch {
	case a.Score != b.Score:
		return cmp.Compare(b.Score, a.Score)
	case len(a.FQN) != len(b.FQN):
		return cmp.Compare(len(a.FQN), len(b.FQN))
	}
	return strings.Compare(a.FQN, b.FQN)
}
