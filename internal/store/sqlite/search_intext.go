package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// wordPass is one pass of the word indexes.
type wordPass struct {
	expr  string
	terms queryTerms
	band  float64
}

// wordPasses lists the word-index passes of a query, best first. Partial
// passes rank hits holding more of the words first: "customer address"
// finds customer_address, then address and customer columns.
func wordPasses(words []string) []wordPass {
	whole, prefix := matchExprs(words)
	passes := []wordPass{
		{whole, queryTerms{words: words}, rank.BandWhole},
		{prefix, queryTerms{words: words, prefix: true}, rank.BandPrefix},
	}
	n := len(words)
	if n < 2 {
		return passes
	}
	terms := queryTerms{words: words}
	if n > rank.MaxPartialWords {
		return append(passes, wordPass{`"` + strings.Join(words, `" OR "`) + `"`, terms, rank.BandPartial})
	}
	for k := n - 1; k >= 1; k-- {
		for _, subset := range rank.Subsets(words, k) {
			passes = append(passes, wordPass{`"` + strings.Join(subset, `" "`) + `"`, terms, rank.BandPartial})
		}
	}
	return passes
}

// inWordHits finds the words inside names (name_trigram), then inside
// descriptions (description_trigram), each hit scored by how many of the
// words its name holds (its description's count for less), shorter names
// first. Names are read first: a word common in descriptions must not fill
// the rankCap matches ahead of the names that hold it.
func (s *Store) inWordHits(ctx context.Context, words []string, scope matchScope, filter string, args []any, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	usable := rank.InWordWords(words)
	if len(usable) == 0 {
		return nil, nil
	}
	// Words are letters and digits only (searchWords), so quoting is safe.
	expr := `"` + strings.Join(usable, `" OR "`) + `"`
	var found []hitRow
	for _, index := range []string{"name_trigram", "description_trigram"} {
		if len(found) >= want {
			break
		}
		rows, err := s.stmts.query(ctx, `SELECT `+hitColumns+` FROM
				(SELECT rowid FROM `+index+` WHERE `+index+` MATCH ? LIMIT `+strconv.Itoa(rankCap)+`) m
				JOIN entities e ON e.id = m.rowid WHERE 1 = 1`+filter,
			append([]any{scope.inWord(strings.TrimSuffix(index, "_trigram"), expr)}, args...)...)
		if err != nil {
			return nil, err
		}
		more, err := readHits(rows, skip, 0)
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

func onlyQueries(kinds []catalog.Kind) bool {
	return len(kinds) > 0 && !slices.ContainsFunc(kinds, func(k catalog.Kind) bool { return k != catalog.KindQuery })
}

// kindWords maps the words that name a kind ("workgroup", "buckets",
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

// listingKinds says whether a search lists kinds rather than matching
// text: empty text with kinds.
func listingKinds(q catalog.SearchQuery, words []string) ([]catalog.Kind, bool) {
	if len(words) == 0 && strings.TrimSpace(q.Text) == "" && len(q.Kinds) > 0 {
		return q.Kinds, true
	}
	return nil, false
}

// namedKinds are the kinds a query names when every word of it is a kind
// word ("workgroups", "athena queries" is not): such a query that matched
// nothing lists those kinds instead.
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

// listKinds pages the entities of q.Kinds, service by service, in index
// order (service, kind): no text, so every hit scores 0. Only t's
// entities are listed, and counted.
func (s *Store) listKinds(ctx context.Context, t catalog.Tenant, q catalog.SearchQuery) (catalog.SearchResult, error) {
	limit := catalog.ClampLimit(q.Limit)
	filter, args := searchFilter(q, t)
	if len(q.Services) == 0 {
		// Name the services, so the (service, kind) index answers; the
		// tenant's only, as filter keeps no other.
		svcCond, svcArgs := serviceCond(t, "name")
		rows, err := s.stmts.query(ctx, `SELECT name FROM entities WHERE parent_fqn = '' AND kind = ?`+and(svcCond),
			append([]any{string(catalog.KindService)}, svcArgs...)...)
		if err != nil {
			return catalog.SearchResult{}, fmt.Errorf("list services: %w", err)
		}
		var services []any
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return catalog.SearchResult{}, fmt.Errorf("list services: %w", err)
			}
			services = append(services, name)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("list services: %w", err)
		}
		if len(services) == 0 {
			return catalog.SearchResult{Hits: []catalog.SearchHit{}}, nil
		}
		filter += " AND e.service IN (?" + strings.Repeat(",?", len(services)-1) + ")"
		args = append(args, services...)
	}
	// LIMIT and OFFSET stay bound (an offset in the text would make a
	// statement per page): SQLite plans this one again on every call.
	rows, err := s.stmts.query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE 1 = 1`+filter+` ORDER BY e.service, e.kind, e.id LIMIT ? OFFSET ?`,
		append(slices.Clone(args), limit+1, q.Offset)...)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("list %v: %w", q.Kinds, err)
	}
	found, err := readHits(rows, nil, 0)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("list %v: %w", q.Kinds, err)
	}
	res := catalog.SearchResult{Hits: []catalog.SearchHit{}}
	for i, h := range found {
		if i == limit {
			break
		}
		res.Hits = append(res.Hits, h.brief())
	}
	if len(found) > limit && q.Offset+limit <= catalog.MaxOffset {
		res.NextOffset = q.Offset + limit
	}
	if res.NextOffset == 0 {
		res.Total = q.Offset + len(res.Hits)
		return res, nil
	}
	if err := s.stmts.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities e WHERE 1 = 1`+filter+` LIMIT `+strconv.Itoa(maxListed)+`)`,
		args...).Scan(&res.Total); err != nil {
		return catalog.SearchResult{}, fmt.Errorf("count %v: %w", q.Kinds, err)
	}
	return res, nil
}
