package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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

// columnSample selects the columns entities_search_columns_sample
// indexes, one in eight, for counting common words' matches: a sample
// holding maxCounted matches tells that the whole does too.
const columnSample = "e.kind = 'column' AND e.id % 8 = 0"

// namesVector is the names-only part of an entity's search vector (its
// weight A), which entities_search_names indexes for the datasets' index.
const namesVector = "ts_filter(e.search, '{a}')"

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
	// One connection for the whole search: under load, a search that
	// queued for the pool before each of its statements waited as many
	// times as it has statements.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return catalog.SearchResult{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	defer conn.Release()
	r := &searchRun{conn: conn, read: map[passKey][]passRow{}, present: map[string]map[string]bool{}}
	r.filter = searchFilter(q, t, &r.filterArgs)

	exactFilter := r.filter
	if !slices.Contains(q.Kinds, catalog.KindQuery) {
		exactFilter += " AND e.kind <> 'query_execution'"
	}
	exact, err := r.exactHits(ctx, rank.ExactNames(q.Text, words), exactFilter)
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
			ranked, err := r.rankedHits(ctx, index, p, words, need-len(all), seen)
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
		more, err := r.inWordHits(ctx, words, need-len(all), seen)
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
			conn.Release()
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
		n, err := r.countMatches(ctx, index, countExpr)
		if err != nil {
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

// searchRun is one search's state: the connection its statements run
// on, the query's filter, and what its passes have learned.
type searchRun struct {
	conn       *pgxpool.Conn
	filter     string
	filterArgs []any
	// read holds the matches each pass read of each index, for Total.
	read map[passKey][]passRow
	// present says, per index, which of the query's words it holds
	// (wordTerms), once a pass has found nothing there.
	present map[string]map[string]bool
}

type passKey struct{ expr, index string }

// passRow is a match as a pass reads it: before the filter, with whether
// it passes the filter and whether its name holds the pass's words.
type passRow struct {
	hitRow
	passes, inName bool
}

// nameIndexed is the WHERE of the exact-name index (migration 0009), which
// a query must repeat to use it: search returns no partitions or objects.
const nameIndexed = ` AND e.kind NOT IN ('partition', 'object')`

// exactSQL reads the entities whose lower-cased name is one of $1, and
// filtered, limit (a placeholder) at most.
func exactSQL(filter, limit string) string {
	return `SELECT ` + hitColumns + ` FROM entities e WHERE lower(e.name) = ANY($1)` + nameIndexed + filter +
		` ORDER BY length(e.fqn), e.fqn LIMIT ` + limit
}

// exactHits finds entities named like the query, ignoring ASCII case as
// SQLite's NOCASE does.
func (r *searchRun) exactHits(ctx context.Context, names []string, filter string) ([]catalog.SearchHit, error) {
	for i, n := range names {
		names[i] = asciiLower(n)
	}
	args := append([]any{names}, r.filterArgs...)
	rows, err := r.conn.Query(ctx, exactSQL(filter, arg(&args, maxExact)), args...)
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
// best first, skipping FQNs in skip. One statement reads the pass's first
// rankCap matches in table order, the filter and the names-only match
// computed on each: fewer than rankCap are all the matches, scored; more
// are read in table order, names first, and those rankCap rows usually
// hold the page, so the index is searched once rather than three times
// (count, names, rest: each a whole GIN bitmap of a common word).
func (r *searchRun) rankedHits(ctx context.Context, index string, p wordPass, words []string, want int, skip map[string]bool) ([]catalog.SearchHit, error) {
	rows, err := r.passRows(ctx, index, p, words)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	if len(rows) < rankCap {
		var found []hitRow
		for _, row := range rows {
			if row.passes && returned(row.hitRow, skip) {
				row.Score = p.terms.Score(row.Name, row.parentFQN, row.Description)
				found = append(found, row.hitRow)
			}
		}
		return best(found, want), nil
	}
	steps := []bool{true, false} // names only, then every match
	if want == 1 {
		// The page is full: this hit only tells whether a next page exists
		// and is never shown, so the names-only step is skipped (as in the
		// SQLite store).
		steps = steps[1:]
	}
	var out []catalog.SearchHit
	for _, namesOnly := range steps {
		limit := want + len(skip)
		// The first limit matches in table order that pass the filter: in
		// the rows read when they hold that many, else from the index.
		var more []hitRow
		for _, row := range rows {
			if len(more) == limit {
				break
			}
			if row.passes && (row.inName || !namesOnly) {
				more = append(more, row.hitRow)
			}
		}
		if len(more) < limit {
			if more, err = r.tableOrder(ctx, index, p, namesOnly, limit); err != nil {
				return nil, err
			}
		}
		for _, h := range more {
			if !returned(h, skip) {
				continue
			}
			skip[h.FQN] = true
			h.Score = p.terms.Score(h.Name, h.parentFQN, h.Description)
			out = append(out, h.brief())
		}
		if len(out) >= want {
			return out[:want], nil
		}
	}
	return out, nil
}

// passRows reads the first rankCap matches of p in index, in table order,
// unfiltered (as the SQLite store counts them), each with whether it passes
// the filter and whether its name holds the words. A pass that cannot
// match, for a word the index lacks, reads nothing.
func (r *searchRun) passRows(ctx context.Context, index string, p wordPass, words []string) ([]passRow, error) {
	key := passKey{p.expr, index}
	if present := r.present[index]; present != nil && !p.possible(present) {
		r.read[key] = nil
		return nil, nil
	}
	args := append([]any{p.expr}, r.filterArgs...)
	rows, err := r.conn.Query(ctx, `SELECT `+hitColumns+`, (true`+r.filter+`), e.search @@ `+arg(&args, p.names)+`::tsquery
		FROM entities e WHERE e.search @@ $1::tsquery AND `+index+` LIMIT `+strconv.Itoa(rankCap), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passRow
	for rows.Next() {
		var row passRow
		if err := scanHit(rows, &row.hitRow, &row.passes, &row.inName); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.read[key] = out
	if len(out) == 0 && r.present[index] == nil && len(words) > 1 {
		// Nothing matched: learn which words the index holds, so that the
		// passes left skip those that cannot match. A query of several
		// words matching nothing then costs two round trips per index,
		// not one per pass (a word alone has only its prefix pass left).
		if r.present[index], err = r.wordsPresent(ctx, index, words); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// wordsPresent tells which of wordTerms(words) match anything in index,
// in one round trip. Each is a count of up to rankCap matches, as a pass
// probes, not an EXISTS: for a first row the planner prefers a sequential
// scan, which reads the whole table for a word no entity holds (measured:
// 1.2 s at 1M entities).
func (r *searchRun) wordsPresent(ctx context.Context, index string, words []string) (map[string]bool, error) {
	terms := wordTerms(words)
	b := &pgx.Batch{}
	for _, t := range terms {
		b.Queue(`SELECT count(*) FROM (SELECT FROM entities e WHERE e.search @@ $1::tsquery AND `+index+` LIMIT `+strconv.Itoa(rankCap)+`) m`, t)
	}
	res := r.conn.SendBatch(ctx, b)
	defer res.Close()
	present := make(map[string]bool, len(terms))
	for _, t := range terms {
		var n int
		if err := res.QueryRow().Scan(&n); err != nil {
			return nil, err
		}
		present[t] = n > 0
	}
	return present, res.Close()
}

// tableOrder reads the first limit matches of p in index that pass the
// filter, in table order: of its names only (weight A), or all of them.
// The datasets' index has a names-only twin (entities_search_names), so
// a names-only read there needs no recheck of every match's weights.
//
// In table order, not ORDER BY id: with that, the planner walks the
// primary key and tests every row when matches are rare (measured:
// 100,000 rows read for none found); table order is as stable from page
// to page and stops at the limit.
func (r *searchRun) tableOrder(ctx context.Context, index string, p wordPass, namesOnly bool, limit int) ([]hitRow, error) {
	match, expr := "e.search @@ $1::tsquery", p.expr
	switch {
	case namesOnly && index == searchIndexes[0]:
		match = namesVector + " @@ $1::tsquery"
	case namesOnly:
		expr = p.names
	}
	args := append([]any{expr}, r.filterArgs...)
	rows, err := r.conn.Query(ctx, `SELECT `+hitColumns+` FROM entities e WHERE `+match+` AND `+index+r.filter+` LIMIT `+arg(&args, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []hitRow
	for rows.Next() {
		var h hitRow
		if err := scanHit(rows, &h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// countMatches counts the matches of expr in index that pass the filter,
// up to maxCounted: from the rows a pass read when they tell, else in the
// index.
func (r *searchRun) countMatches(ctx context.Context, index, expr string) (int, error) {
	if rows, ok := r.read[passKey{expr, index}]; ok {
		n := 0
		for _, row := range rows {
			if row.passes {
				n++
			}
		}
		if len(rows) < rankCap || n >= maxCounted {
			return min(n, maxCounted), nil
		}
	}
	count := func(index string) (int, error) {
		var n int
		args := append([]any{expr}, r.filterArgs...)
		err := r.conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT FROM entities e WHERE e.search @@ $1::tsquery AND `+index+r.filter+` LIMIT `+arg(&args, maxCounted)+`) m`,
			args...).Scan(&n)
		return n, err
	}
	if index == searchIndexes[1] && strings.ContainsAny(expr, "&|") {
		// Common words together match thousands of columns, and GIN
		// merges every match of each before the LIMIT applies (measured at
		// 5M entities: 36 ms for "customers invoices"). The sample of
		// every eighth column holding maxCounted already tells the count.
		if n, err := count(columnSample); err != nil || n >= maxCounted {
			return n, err
		}
	}
	return count(index)
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
		if err := scanHit(rows, &h); err != nil {
			return nil, err
		}
		if returned(h, skip) {
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

// scanHit scans a row of hitColumns, then more columns into more.
func scanHit(rows pgx.Rows, h *hitRow, more ...any) error {
	var kind string
	if err := rows.Scan(append([]any{&h.FQN, &kind, &h.Name, &h.Service, &h.Description, &h.Deleted, &h.parentFQN}, more...)...); err != nil {
		return err
	}
	h.Kind = catalog.Kind(kind)
	return nil
}

// returned tells whether h is a hit, not in skip: query executions are
// not Searchable (kept out of the word passes unless kinds asks for
// them) but are hits when asked for.
func returned(h hitRow, skip map[string]bool) bool {
	spec, _ := catalog.Spec(h.Kind)
	return !skip[h.FQN] && (spec.Searchable || h.Kind == catalog.KindQuery)
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
