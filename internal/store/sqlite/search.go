package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// maxCounted caps Total: counting every match of a common word on millions
// of entities would cost more than the page itself.
const maxCounted = 200

// maxExact bounds the exact-name hits put ahead of ranked ones.
const maxExact = 50

// Search implements catalog.Searcher. Passes run best first and stop once
// the page is full: exact names, every word whole, the last word as a
// prefix, some of the words (more first), then words inside names
// (search_intext.go). Each pass has its own score band, so hits are in
// score order across pages too. Text without words lists kinds instead.
func (s *Store) Search(ctx context.Context, q catalog.SearchQuery) (catalog.SearchResult, error) {
	return s.search(ctx, catalog.AllProjects(), q)
}

// search runs q within tenant t: the tenant's condition joins the filter of
// every query below.
func (s *Store) search(ctx context.Context, t catalog.Tenant, q catalog.SearchQuery) (catalog.SearchResult, error) {
	words, err := queryWords(q.Text)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	if q.Offset < 0 || q.Offset > catalog.MaxOffset {
		return catalog.SearchResult{}, apperr.New(apperr.Invalid, "search offset %d: want 0 to %d", q.Offset, catalog.MaxOffset)
	}
	if kinds, ok := listingKinds(q, words); ok {
		q.Kinds = kinds
		return s.listKinds(ctx, t, q)
	}
	exactWords, match := matchExprs(words)
	if match == "" {
		return catalog.SearchResult{}, apperr.New(apperr.Invalid, "search text %q has no letters or digits to search for", q.Text)
	}
	limit := catalog.ClampLimit(q.Limit)
	filter, filterArgs := searchFilter(q, t)
	scope, err := s.scopeOf(ctx, t, q.Services)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if scope.none {
		return catalog.SearchResult{Hits: []catalog.SearchHit{}}, nil
	}

	exactFilter := filter
	if !slices.Contains(q.Kinds, catalog.KindQuery) {
		exactFilter += " AND e.kind <> 'query_execution'"
	}
	exact, err := s.exactHits(ctx, exactNames(q.Text, words), exactFilter, filterArgs)
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
	// countExpr is what Total counts: the widest word pass the page needed
	// (a prefix's or an OR's terms are the costliest to merge).
	countExpr := exactWords
	for _, p := range wordPasses(words) {
		for _, table := range tablesFor(q.Kinds) {
			if len(all) >= need {
				break
			}
			countExpr = p.expr
			ranked, err := s.rankedHits(ctx, table, p.expr, p.terms, scope, filter, filterArgs, need-len(all), seen)
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
		more, err := s.inWordHits(ctx, words, scope, filter, filterArgs, need-len(all), seen)
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
		// all holds every match: the page was not filled. An offset past
		// the end must not count as matches.
		res.Total = len(all)
		// "workgroups" matched no name: list what it names.
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
	for _, table := range tablesFor(q.Kinds) {
		var n int
		if err := s.stmts.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` JOIN entities e ON e.id = `+table+`.rowid WHERE `+table+` MATCH ?`+filter+` LIMIT `+strconv.Itoa(maxCounted)+`)`,
			append([]any{scope.word(countExpr)}, filterArgs...)...).Scan(&n); err != nil {
			return catalog.SearchResult{}, fmt.Errorf("count matches of %q: %w", q.Text, err)
		}
		res.Total += n
	}
	res.Total = max(res.Total, q.Offset+len(res.Hits))
	return res, nil
}

// tablesFor lists the indexes a kind filter needs, datasets before columns:
// tables, buckets and containers are what people search for first.
// Athena query executions have an index of their own, read only when
// kinds asks for them.
func tablesFor(kinds []catalog.Kind) []string {
	if len(kinds) == 0 {
		return wordTables
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
		out = append(out, "entity_search")
	}
	if columns {
		out = append(out, "column_search")
	}
	if queries {
		out = append(out, "query_search")
	}
	return out
}

func searchFilter(q catalog.SearchQuery, t catalog.Tenant) (string, []any) {
	var b strings.Builder
	var args []any
	if !q.IncludeDeleted {
		b.WriteString(" AND e.deleted = 0")
	}
	if len(q.Kinds) > 0 {
		b.WriteString(" AND e.kind IN (?" + strings.Repeat(",?", len(q.Kinds)-1) + ")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if len(q.Services) > 0 {
		b.WriteString(" AND e.service IN (?" + strings.Repeat(",?", len(q.Services)-1) + ")")
		for _, svc := range q.Services {
			args = append(args, svc)
		}
	}
	cond, condArgs := serviceCond(t, "e.service")
	b.WriteString(and(cond))
	return b.String(), append(args, condArgs...)
}

// hitColumns: a query execution's description is its SQL.
const hitColumns = `e.fqn, e.kind, e.name, e.service,
	CASE WHEN e.kind = 'query_execution' THEN coalesce(json_extract(e.attrs, '$.query'), '') ELSE e.description END,
	e.deleted, e.parent_fqn`

// exactNames are the names a query means exactly: its text, and its words
// joined the ways names join them ("payment amount" is payment_amount).
func exactNames(text string, words []string) []any {
	text = strings.TrimSpace(text)
	names := []any{text}
	if len(words) > 1 {
		for _, sep := range []string{"_", " ", "-"} {
			if joined := strings.Join(words, sep); !strings.EqualFold(joined, text) {
				names = append(names, joined)
			}
		}
	}
	return names
}

// namedKinds is the WHERE of the exact-name index (migration 0013), which
// a query must repeat to use it: search returns no partitions or objects.
const nameIndexed = ` AND e.kind NOT IN ('partition', 'object')`

// exactSQL reads the entities named one of n names, and filtered.
func exactSQL(n int, filter string) string {
	return `SELECT ` + hitColumns + ` FROM entities e WHERE e.name COLLATE NOCASE IN (?` + strings.Repeat(", ?", n-1) + `)` + nameIndexed + filter +
		` ORDER BY length(e.fqn), e.fqn LIMIT ` + strconv.Itoa(maxExact)
}

func (s *Store) exactHits(ctx context.Context, names []any, filter string, args []any) ([]catalog.SearchHit, error) {
	rows, err := s.stmts.query(ctx, exactSQL(len(names), filter), append(names, args...)...)
	if err != nil {
		return nil, err
	}
	found, err := readHits(rows, nil, 0)
	out := make([]catalog.SearchHit, 0, len(found))
	for _, h := range found {
		h.Score = 1000
		out = append(out, h.brief())
	}
	return out, err
}

// rankCap is the most matches rankedHits scores. Past it, ranking
// costs more than it tells (twenty thousand columns named *_amount rank
// alike), so hits whose name matches come first, then the rest, each in
// index order.
const rankCap = 300

// rankedHits returns up to want full-text hits from one index that pass the
// filter, best first, skipping FQNs in skip.
func (s *Store) rankedHits(ctx context.Context, table, match string, terms queryTerms, scope matchScope, filter string, args []any, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	var matches int
	if err := s.stmts.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` WHERE `+table+` MATCH ? LIMIT `+strconv.Itoa(rankCap)+`)`, scope.word(match)).Scan(&matches); err != nil {
		return nil, err
	}
	if matches == 0 {
		return nil, nil
	}
	if matches < rankCap {
		return s.scoredHits(ctx, table, scope.word(match), terms, filter, args, want, skip)
	}
	exprs := []string{scope.word("name : (" + match + ")"), scope.word(match)}
	if want == 1 {
		// The page is full: the one hit asked for only tells whether a
		// next page exists, and is never shown, so which match it is does
		// not matter. The names-only pass would cost the most here: on
		// common words that rarely share a name it reads both words'
		// whole doclists to find nothing (12 ms at 1M entities, against
		// 0.3 ms for the first match in any column).
		exprs = exprs[1:]
	}
	var out []catalog.SearchHit
	for _, expr := range exprs {
		// No LIMIT: its value would change the text (or, bound, make SQLite
		// plan the statement again); the index streams its matches in rowid
		// order, so reading stops after as many rows just the same.
		rows, err := s.stmts.query(ctx, `SELECT `+hitColumns+` FROM `+table+` JOIN entities e ON e.id = `+table+`.rowid
				WHERE `+table+` MATCH ?`+filter,
			append([]any{expr}, args...)...)
		if err != nil {
			return nil, err
		}
		more, err := readHits(rows, skip, want+len(skip))
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			skip[h.FQN] = true
			h.Score = terms.score(h.Name, h.parentFQN, h.Description)
			out = append(out, h.brief())
		}
		if len(out) >= want {
			return out[:want], nil
		}
	}
	return out, nil
}

// hitRow is a hit as read, before scoring: its whole description, and its
// parent's FQN.
type hitRow struct {
	catalog.SearchHit
	parentFQN string
}

// brief is the hit as returned, its description shortened.
func (h hitRow) brief() catalog.SearchHit {
	h.Description = shorten(h.Description, 160)
	return h.SearchHit
}

// readHits reads rows of hitColumns, leaving out FQNs in skip and kinds
// search does not return. It reads at most limit rows (0: all), kept or
// not, as a LIMIT would.
func readHits(rows *sql.Rows, skip map[string]bool, limit int) ([]hitRow, error) {
	defer rows.Close()
	var out []hitRow
	for n := 0; (limit == 0 || n < limit) && rows.Next(); n++ {
		var h hitRow
		var kind string
		if err := rows.Scan(&h.FQN, &kind, &h.Name, &h.Service, &h.Description, &h.Deleted, &h.parentFQN); err != nil {
			return nil, err
		}
		h.Kind = catalog.Kind(kind)
		// Query executions are not Searchable (kept out of the word
		// indexes) but come from their own index when asked for.
		if spec, _ := catalog.Spec(h.Kind); skip[h.FQN] || !spec.Searchable && h.Kind != catalog.KindQuery {
			continue
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// matchExprs turns a query's words into FTS5 queries that cannot fail:
// every word is quoted, so operators and punctuation were only separators.
// The first matches whole words; the second also matches the last word as
// a prefix (typing "ord" finds "orders").
func matchExprs(words []string) (whole, prefix string) {
	if len(words) == 0 {
		return "", ""
	}
	whole = `"` + strings.Join(words, `" "`) + `"`
	return whole, whole + "*"
}

func shorten(s string, max int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= max {
		return string(r)
	}
	return string(r[:max-1]) + "…"
}

// scoredHits reads every match of one index that passes the filter (fewer
// than rankCap) and returns the best want of them, by score, then by
// shorter FQN.
func (s *Store) scoredHits(ctx context.Context, table, match string, terms queryTerms, filter string, args []any, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	rows, err := s.stmts.query(ctx, `SELECT `+hitColumns+` FROM
			(SELECT rowid FROM `+table+` WHERE `+table+` MATCH ? LIMIT `+strconv.Itoa(rankCap)+`) m
			JOIN entities e ON e.id = m.rowid WHERE 1 = 1`+filter,
		append([]any{match}, args...)...)
	if err != nil {
		return nil, err
	}
	found, err := readHits(rows, skip, 0)
	if err != nil {
		return nil, err
	}
	for i := range found {
		found[i].Score = terms.score(found[i].Name, found[i].parentFQN, found[i].Description)
	}
	return best(found, want), nil
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
