package sqlite

import (
	"slices"
	"strings"
	"unicode"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Limits of a search's text. Every word is one more FTS5 term and one more
// pass of the scoring over each match, so a 100,000-word query once took
// 54 s; no one types more than a few words to find a table. Longer text is
// refused (apperr.Invalid), not cut: a cut query would silently search for
// something else.
const (
	maxQueryBytes = 1 << 10
	maxQueryWords = 32
)

// queryWords checks a search's text against the limits and splits it.
func queryWords(text string) ([]string, error) {
	if len(text) > maxQueryBytes {
		return nil, apperr.New(apperr.Invalid, "search text is %d bytes long; at most %d are allowed: search for a few words of the name", len(text), maxQueryBytes)
	}
	words := searchWords(text)
	if len(words) > maxQueryWords {
		return nil, apperr.New(apperr.Invalid, "search text has %d words; at most %d are allowed: search for a few words of the name", len(words), maxQueryWords)
	}
	return words, nil
}

// Ranking in Go rather than with FTS5's bm25: bm25 first counts, for every
// query term, each row of the whole index that holds it (its IDF), which on
// a catalog of half a million columns costs ~8 ms even when the query
// matches forty rows. The matches themselves (at most rankCap) are cheap to
// read and score here. Every match already holds every term (the index
// ANDs them), so IDF would mostly reorder near-equals; what matters in a
// catalog is where a term sits: the entity's own name, its parent's name,
// its description — the same weights the bm25 configuration used.

const (
	weightName        = 10.0
	weightParent      = 2.0
	weightDescription = 1.0
	// bonusWholeName rewards a name made of exactly the query's words
	// ("payment amount" → payment_amount over payment_amount_usd_total).
	bonusWholeName = 5.0
	// penaltyExtraWord prefers short names among equal matches.
	penaltyExtraWord = 0.25
)

// searchWords splits text the way the index's unicode61 tokenizer does:
// runs of letters, digits and combining marks, case-folded.
func searchWords(text string) []string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
	})
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return words
}

// queryTerms are the words a query matches; prefix says the last one also
// matches as a prefix, as the index's "word"* expression does.
type queryTerms struct {
	words  []string
	prefix bool
}

func (q queryTerms) matches(i int, word string) bool {
	if q.prefix && i == len(q.words)-1 {
		return strings.HasPrefix(word, q.words[i])
	}
	return word == q.words[i]
}

// score rates one match: a term counts once, in the best field holding it.
// The parent counts by its own name, as the index holds it.
func (q queryTerms) score(name, parentFQN, description string) float64 {
	nameWords := searchWords(name)
	var parentWords, descWords []string // split only when needed
	score := 0.0
	inName := 0
	for i := range q.words {
		has := func(words []string) bool {
			return slices.ContainsFunc(words, func(w string) bool { return q.matches(i, w) })
		}
		switch {
		case has(nameWords):
			score += weightName
			inName++
		default:
			if parentWords == nil {
				parentWords, descWords = searchWords(lastPart(parentFQN)), searchWords(description)
			}
			if has(parentWords) {
				score += weightParent
			} else if has(descWords) {
				score += weightDescription
			}
		}
	}
	if inName == len(q.words) && len(nameWords) == len(q.words) {
		score += bonusWholeName
	}
	return score - penaltyExtraWord*float64(max(0, len(nameWords)-inName))
}

func lastPart(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}
