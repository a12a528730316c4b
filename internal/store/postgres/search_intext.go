package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// wordPass is one pass of the word indexes: its tsquery, how its hits are
// scored, and its band.
type wordPass struct {
	// expr matches anywhere; names matches the name only (weight A), read
	// first when a pass has too many matches to score.
	expr, names string
	terms       rank.Terms
	band        float64
	// match are the words expr needs: all of them, or any one (anyWord).
	match   rank.Terms
	anyWord bool
}

func passOf(match, terms rank.Terms, band float64) wordPass {
	return wordPass{expr: tsquery(match, false), names: tsquery(match, true), terms: terms, band: band, match: match}
}

// possible tells whether p can match in an index holding the words that
// present says it holds (wordTerms).
func (p wordPass) possible(present map[string]bool) bool {
	for i, w := range p.match.Words {
		t := tsquery(rank.Terms{Words: []string{w}, Prefix: p.match.Prefix && i == len(p.match.Words)-1}, false)
		if present[t] == p.anyWord {
			return p.anyWord
		}
	}
	return !p.anyWord
}

// wordTerms are the tsqueries of each word of a query alone, and of its
// last word as a prefix: what a pass can need of an index.
func wordTerms(words []string) []string {
	var out []string
	for i, w := range words {
		out = append(out, tsquery(rank.Terms{Words: []string{w}}, false))
		if i == len(words)-1 {
			out = append(out, tsquery(rank.Terms{Words: []string{w}, Prefix: true}, false))
		}
	}
	return slices.Compact(out)
}

// wordPasses lists the word-index passes of a query, best first. Partial
// passes rank hits holding more of the words first: "customer address"
// finds customer_address, then address and customer columns.
func wordPasses(words []string) []wordPass {
	whole := rank.Terms{Words: words}
	prefix := rank.Terms{Words: words, Prefix: true}
	passes := []wordPass{
		passOf(whole, whole, rank.BandWhole),
		passOf(prefix, prefix, rank.BandPrefix),
	}
	n := len(words)
	if n < 2 {
		return passes
	}
	if n > rank.MaxPartialWords {
		anyWord := func(e string) string { return strings.ReplaceAll(e, " & ", " | ") }
		return append(passes, wordPass{expr: anyWord(tsquery(whole, false)), names: anyWord(tsquery(whole, true)), terms: whole, band: rank.BandPartial, match: whole, anyWord: true})
	}
	for k := n - 1; k >= 1; k-- {
		for _, subset := range rank.Subsets(words, k) {
			passes = append(passes, passOf(rank.Terms{Words: subset}, whole, rank.BandPartial))
		}
	}
	return passes
}

// inWordHits finds the words inside names, then inside descriptions (the
// entities_inword_name and entities_inword_description indexes over
// inwordTexts), each hit scored by how many of the words its name holds
// (its description's count for less), shorter names first. Names are read
// first, as on SQLite: a word common in descriptions must not fill the
// rankCap matches ahead of the names that hold it.
func (r *searchRun) inWordHits(ctx context.Context, words []string, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	usable := rank.InWordWords(words)
	if len(usable) == 0 {
		return nil, nil
	}
	var found []hitRow
	for _, column := range []string{"e.inword_name", "e.inword_description"} {
		if len(found) >= want {
			break
		}
		// The filter's arguments are numbered from $2: the first word's
		// pattern is $1.
		args := append([]any{likePattern(rank.Fold(usable[0]))}, r.filterArgs...)
		conds := []string{column + " LIKE $1"}
		for _, w := range usable[1:] {
			conds = append(conds, column+" LIKE "+arg(&args, likePattern(rank.Fold(w))))
		}
		// "IS NOT NULL" names the partial index to the planner.
		rows, err := r.conn.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE `+column+` IS NOT NULL AND (`+strings.Join(conds, " OR ")+`)`+r.filter+
			` LIMIT `+arg(&args, rankCap), args...)
		if err != nil {
			return nil, err
		}
		more, err := readHits(rows, skip)
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			skip[h.FQN] = true
			h.Score = rank.Banded(rank.BandInWord, rank.InWordScore(h.Name, h.Description, usable))
			found = append(found, h)
		}
	}
	return best(found, want), nil
}

// likePattern matches w anywhere, its LIKE wildcards taken literally.
func likePattern(w string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(w) + "%"
}

// kindWord maps the words that name a kind ("workgroup", "buckets",
// "queries") to it, for searches that name only kinds.
func kindWord(w string) (catalog.Kind, bool) {
	switch w {
	case "query", "queries":
		return catalog.KindQuery, true
	}
	for _, sp := range catalog.Kinds() {
		k := string(sp.Kind)
		if w == k || w == k+"s" {
			return sp.Kind, true
		}
	}
	return "", false
}

// namedKinds are the kinds a query names when every word of it is a kind
// word: such a query that matched nothing lists those kinds instead.
func namedKinds(words []string) []catalog.Kind {
	var kinds []catalog.Kind
	for _, w := range words {
		k, ok := kindWord(w)
		if !ok {
			return nil
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// maxListed caps the total counted when listing a kind.
const maxListed = 10_000

// listKinds pages the entities of q.Kinds in (service, kind) order: no
// text, so every hit scores 0. The filter holds t's condition, so only
// t's entities are listed, and counted.
func (s *Store) listKinds(ctx context.Context, t catalog.Tenant, q catalog.SearchQuery) (catalog.SearchResult, error) {
	limit := catalog.ClampLimit(q.Limit)
	var filterArgs []any
	filter := searchFilter(q, t, &filterArgs)
	args := append([]any{limit + 1}, filterArgs...)
	rows, err := s.pool.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE true`+filter+
		` ORDER BY e.service, e.kind, e.id LIMIT $1 OFFSET `+arg(&args, q.Offset), args...)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("list %v: %w", q.Kinds, err)
	}
	found, err := readHits(rows, nil)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("list %v: %w", q.Kinds, err)
	}
	res := catalog.SearchResult{Hits: []catalog.SearchHit{}}
	for _, h := range found[:min(len(found), limit)] {
		res.Hits = append(res.Hits, h.brief())
	}
	if len(found) > limit && q.Offset+limit <= catalog.MaxOffset {
		res.NextOffset = q.Offset + limit
	}
	if res.NextOffset == 0 {
		res.Total = q.Offset + len(res.Hits)
		return res, nil
	}
	countArgs := append([]any{maxListed}, filterArgs...)
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities e WHERE true`+filter+` LIMIT $1) m`, countArgs...).Scan(&res.Total); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("count %v: %w", q.Kinds, err)
	}
	return res, nil
}
