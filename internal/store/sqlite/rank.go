package sqlite

import "github.com/lakemap/lakemap/internal/catalog/rank"

// The ranking lives in internal/catalog/rank, shared with the PostgreSQL
// store; these names keep this package's search code and tests as they were.

const (
	maxQueryBytes = rank.MaxQueryBytes
	maxQueryWords = rank.MaxQueryWords
	weightName    = rank.WeightName
)

func queryWords(text string) ([]string, error) { return rank.QueryWords(text) }

func searchWords(text string) []string { return rank.Words(text) }

// queryTerms are the words a query matches; prefix says the last one also
// matches as a prefix, as the index's "word"* expression does.
type queryTerms struct {
	words  []string
	prefix bool
}

func (q queryTerms) score(name, parentFQN, description string) float64 {
	return rank.Terms{Words: q.words, Prefix: q.prefix}.Score(name, parentFQN, description)
}
