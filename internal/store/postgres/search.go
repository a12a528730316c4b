package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// The search follows the SQLite store's contract step for step, so that
// both backends page and order the same: exact names first, then the
// entities holding every word (datasets before columns), then those whose
// last word is only a prefix, then those holding some of the words (more
// first), then names holding the words inside them (search_intext.go),
// each pass in its own score band. Text without words lists kinds.
const (
	// maxCounted caps Total: counting every match of a common word on
	// millions of entities would cost more than the page itself.
	maxCounted = 200
	// maxExact bounds the exact-name hits put ahead of ranked ones.
	maxExact = 50
	// rankCap is the most matches one index scores. Past it, hits whose
	// name matches come first, then the rest, each in table order.
	rankCap = 300
)

// searchIndexes are the partial GIN indexes, by the condition that selects
// each: the planner uses one only when the query repeats it. Query
// executions have their own, read only when kinds asks for them.
var searchIndexes = []string{"e.kind NOT IN ('column', 'query_execution')", "e.kind = 'column'", "e.kind = 'query_execution'"}

// Search implements catalog.Searcher.
func (s *Store) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	return s.search(ctx, catalog.AllProjects(), q)
}

// search runs q within tenant t: the tenant's condition joins the filter of
// every query, so the ranking never sees another project's entities.
func (s *Store) search(ctx context.Context, t catalog.Tenant, q catalog.SearchQuery) (catalog.SearchResult, error) {
	words, err := rank.QueryWords(q.Text)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	if q.Offset < 0 || q.Offset > catalog.MaxOffset {
		return catalog.SearchResult{}, apperr.New(apperr.Invalid, "search offset %d: want 0 to %d", q.Offset, catalog.MaxOffset)
	}
	// Empty text with kinds lists those kinds.
	if len(words) == 0 && strings.TrimSpace(q.Text) == "" && len(q.Kinds) > 0 {
		return s.listKinds(ctx, t, q)
	}
	if len(words) == 0 {
		return catalog.SearchResult{}, apperr.New(apperr.Invalid, "search text %q has no letters or digits to search for", q.Text)
	}
	limit := catalog.ClampLimit(q.Limit)
	var filterArgs []any
	filter := searchFilter(q, t, &filterArgs)

	exactFilter := filter
	if !slices.Contains(q.Kinds, catalog.KindQuery) {
		exactFilter += " AND e.kind <> 'query_execution'"
	}
	exact, err := s.exactHits(ctx, rank.ExactNames(q.Text, words), exactFilter, filterArgs)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	seen := make(map[string]bool, len(exact))
	for _, h := range exact {
		seen[h.FQN] = true
	}
	// Ranked hits needed to fill the page after the exact ones, plus one to
	// know whether another page exists.
	need := q.Offset + limit + 1
	all := exact
	// countExpr is what Total counts: the widest word pass the page needed.
	passes := wordPasses(words)
	countExpr := passes[0].expr
	for _, p := range passes {
		for _, index := range indexesFor(q.Kinds) {
			if len(all) >= need {
				break
			}
			countExpr = p.expr
			ranked, err := s.rankedHits(ctx, index, p, filter, filterArgs, need-len(all), seen)
			if err != nil {
				return catalog.SearchResult{}, fmt.Errorf("search %q: %w", q.Text, err)
			}
			for i := range ranked {
				seen[ranked[i].FQN] = true
				ranked[i].Score = rank.Banded(p.band, ranked[i].Score)
			}
			all = append(all, ranked...)
		}
	}
	inWord := 0
	if len(all) < need && !onlyQueries(q.Kinds) {
		more, err := s.inWordHits(ctx, words, filter, filterArgs, need-len(all), seen)
		if err != nil {
			return catalog.SearchResult{}, fmt.Errorf("search %q inside words: %w", q.Text, err)
		}
		inWord = len(more)
		all = append(all, more...)
	}
	res := catalog.SearchResult{Hits: []catalog.SearchHit{}}
	if q.Offset < len(all) {
		res.Hits = all[q.Offset:min(len(all), q.Offset+limit)]
	}
	// Within a band, a pass past rankCap matches reads in index order:
	// the page itself is always shown best first.
	slices.SortStableFunc(res.Hits, func(a, b catalog.SearchHit) int { return cmp.Compare(b.Score, a.Score) })
	// No next page past MaxOffset: it would be refused.
	if len(all) > q.Offset+limit && q.Offset+limit <= catalog.MaxOffset {
		res.NextOffset = q.Offset + limit
	}
	if res.NextOffset == 0 {
		res.Total = len(all)
		// "buckets" matched no name: list what it names.
		if kinds := namedKinds(words); len(all) == 0 && len(q.Kinds) == 0 && len(kinds) > 0 {
			q.Kinds = kinds
			return s.listKinds(ctx, t, q)
		}
		return res, nil
	}
	if inWord > 0 {
		// The page reached into in-word hits: at least this many match.
		res.Total = max(len(all)-1, q.Offset+len(res.Hits))
		return res, nil
	}
	for _, index := range indexesFor(q.Kinds) {
		var n int
		args := append([]any{countExpr}, filterArgs...)
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities e WHERE e.search @@ $1::tsquery AND `+index+filter+` LIMIT `+arg(&args, maxCounted)+`) m`,
			args...).Scan(&n); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("count matches of %q: %w", q.Text, err)
		}
		res.Total += n
	}
	res.Total = max(res.Total, q.Offset+len(res.Hits))
	return res, nil
}

// indexesFor lists the indexes a kind filter needs, datasets before columns.
func indexesFor(kinds []catalog.Kind) []string {
	if len(kinds) == 0 {
		return searchIndexes[:2]
	}
	var entities, columns, queries bool
	for _, k := range kinds {
		switch k {
		case catalog.KindColumn:
			columns = true
		case catalog.KindQuery:
			queries = true
		default:
			entities = true
		}
	}
	var out []string
	if entities {
		out = append(out, searchIndexes[0])
	}
	if columns {
		out = append(out, searchIndexes[1])
	}
	if queries {
		out = append(out, searchIndexes[2])
	}
	return out
}

// searchFilter is the query's filters as " AND ..." with their arguments
// numbered from $2 ($1 is each query's own first argument).
func searchFilter(q catalog.SearchQuery, t catalog.Tenant, args *[]any) string {
	*args = append(*args, nil) // $1, replaced by each query
	var b strings.Builder
	if !q.IncludeDeleted {
		b.WriteString(" AND NOT e.deleted")
	}
	if len(q.Kinds) > 0 {
		b.WriteString(" AND e.kind = ANY(" + arg(args, kindNames(q.Kinds)) + ")")
	}
	if len(q.Services) > 0 {
		b.WriteString(" AND e.service = ANY(" + arg(args, q.Services) + ")")
	}
	b.WriteString(and(serviceCond(t, "e.service", args)))
	*args = (*args)[1:]
	return b.String()
}

// hitColumns: a query execution's description is its SQL.
const hitColumns = `e.fqn, e.kind, e.name, e.service,
	CASE WHEN e.kind = 'query_execution' THEN coalesce(e.attrs->>'query', '') ELSE e.description END, e.deleted, e.parent_fqn`

func onlyQueries(kinds []catalog.Kind) bool {
	return len(kinds) > 0 && !slices.ContainsFunc(kinds, func(k catalog.Kind) bool { return k != catalog.KindQuery })
}

// exactHits finds entities named like the query, ignoring ASCII case as
// SQLite's NOCASE does.
func (s *Store) exactHits(ctx context.Context, names []string, filter string, filterArgs []any) ([]catalog.SearchHit, error) {
	for i, n := range names {
		names[i] = asciiLower(n)
	}
	args := append([]any{names}, filterArgs...)
	rows, err := s.pool.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE lower(e.name) = ANY($1)`+filter+` ORDER BY length(e.fqn), e.fqn LIMIT `+arg(&args, maxExact), args...)
	if err != nil {
		return nil, err
	}
	found, err := readHits(rows, nil)
	out := make([]catalog.SearchHit, 0, len(found))
	for _, h := range found {
		h.Score = rank.Exact
		out = append(out, h.brief())
	}
	return out, err
}

// rankedHits returns up to want hits from one index that pass the filter,
// best first, skipping FQNs in skip.
func (s *Store) rankedHits(ctx context.Context, index string, p wordPass, filter string, filterArgs []any, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	match, terms := p.expr, p.terms
	var matches int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities e WHERE e.search @@ $1::tsquery AND `+index+` LIMIT $2) m`, match, rankCap).Scan(&matches); err != nil {
		return nil, err
	}
	if matches == 0 {
		return nil, nil
	}
	if matches < rankCap {
		return s.scoredHits(ctx, index, match, terms, filter, filterArgs, want, skip)
	}
	exprs := []string{p.names, match}
	if want == 1 {
		// The page is full: this hit only tells whether a next page exists
		// and is never shown, so the costlier names-only pass is skipped
		// (as in the SQLite store).
		exprs = exprs[1:]
	}
	var out []catalog.SearchHit
	for _, expr := range exprs {
		args := append([]any{expr}, filterArgs...)
		// In table order, not ORDER BY id: with that, the planner walks the
		// primary key and tests every row when matches are rare (measured:
		// 100,000 rows read for none found); table order is as stable
		// from page to page and stops at the limit.
		rows, err := s.pool.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE e.search @@ $1::tsquery AND `+index+filter+
			` LIMIT `+arg(&args, want+len(skip)), args...)
		if err != nil {
			return nil, err
		}
		more, err := readHits(rows, skip)
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			skip[h.FQN] = true
			h.Score = terms.Score(h.Name, h.parentFQN, h.Description)
			out = append(out, h.brief())
		}
		if len(out) >= want {
			return out[:want], nil
		}
	}
	return out, nil
}

// scoredHits reads every match of one index that passes the filter (fewer
// than rankCap) and returns the best want of them, by score, then by
// shorter FQN.
func (s *Store) scoredHits(ctx context.Context, index, match string, terms rank.Terms, filter string, filterArgs []any, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	args := append([]any{match}, filterArgs...)
	rows, err := s.pool.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE e.search @@ $1::tsquery AND `+index+filter+` LIMIT `+arg(&args, rankCap), args...)
	if err != nil {
		return nil, err
	}
	found, err := readHits(rows, skip)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i].Score = terms.Score(found[i].Name, found[i].parentFQN, found[i].Description)
	}
	return best(found, want), nil
}

// hitRow is a hit as read, before scoring: its whole description, and its
// parent's FQN.
type hitRow struct {
	catalog.SearchHit
	parentFQN string
}

func (h hitRow) brief() catalog.SearchHit {
	h.Description = rank.Shorten(h.Description, 160)
	return h.SearchHit
}

// readHits reads rows of hitColumns, leaving out FQNs in skip and kinds
// search does not return.
func readHits(rows pgx.Rows, skip map[string]bool) ([]hitRow, error) {
	defer rows.Close()
	var out []hitRow
	for rows.Next() {
		var h hitRow
		var kind string
		if err := rows.Scan(&h.FQN, &kind, &h.Name, &h.Service, &h.Description, &h.Deleted, &h.parentFQN); err != nil {
			return nil, err
		}
		h.Kind = catalog.Kind(kind)
		// Query executions are not Searchable (kept out of the word
		// passes unless kinds asks for them) but are hits when asked for.
		if spec, _ := catalog.Spec(h.Kind); skip[h.FQN] || !spec.Searchable && h.Kind != catalog.KindQuery {
			continue
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// best returns the want best of found, best first (rank.Best), shortened.
func best(found []hitRow, want int) []catalog.SearchHit {
	slices.SortFunc(found, func(a, b hitRow) int { return rank.Best(a.SearchHit, b.SearchHit) })
	out := make([]catalog.SearchHit, 0, min(len(found), want))
	for _, h := range found[:min(len(found), want)] {
		out = append(out, h.brief())
	}
	return out
}
