package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// maxScopeTokens bounds the connections a MATCH names. A tenant with more
// owns a wide part of the catalog anyway: its reads keep the SQL condition
// alone, as every read does.
const maxScopeTokens = 64

// matchScope is a search's tenant (and service filter) as index terms: the
// connections whose entities it may return, so that the index itself
// returns only their matches. A project owning 1% of a big catalog reads
// its own matches, not everyone's to drop 99% of them. The SQL condition of
// searchFilter stays on every query: it decides; the tokens only narrow.
type matchScope struct {
	words, trigram string // "" = any connection
	// none: no connection can match; the search finds nothing.
	none bool
}

// scopeOf resolves the connections of t (and of services, when given).
func (s *Store) scopeOf(ctx context.Context, t catalog.Tenant, services []string) (matchScope, error) {
	if unlimited(t) && len(services) == 0 {
		return matchScope{}, nil
	}
	names := services
	if !unlimited(t) {
		cond, args := connectionCond(t, "tc")
		rows, err := s.stmts.query(ctx, `SELECT tc.name FROM connections tc WHERE `+cond, args...)
		if err != nil {
			return matchScope{}, fmt.Errorf("read the searcher's connections: %w", err)
		}
		var own []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return matchScope{}, fmt.Errorf("read the searcher's connections: %w", err)
			}
			if len(services) == 0 || slices.Contains(services, name) {
				own = append(own, name)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return matchScope{}, fmt.Errorf("read the searcher's connections: %w", err)
		}
		names = own
	}
	if len(names) == 0 {
		return matchScope{none: true}, nil
	}
	if len(names) > maxScopeTokens {
		return matchScope{}, nil
	}
	// A scope holding every connection of the catalog (one project, the
	// usual small install) narrows nothing, and ANDing a token that every
	// row carries made its searches 3x slower. Short of every connection
	// the tokens stay: without them a small tenant's matches can fall
	// behind the first page of everyone's.
	var all int
	if err := s.stmts.queryRow(ctx, `SELECT count(*) FROM connections`).Scan(&all); err != nil {
		return matchScope{}, fmt.Errorf("count the catalog's connections: %w", err)
	}
	if len(names) >= all {
		return matchScope{}, nil
	}
	words := make([]string, len(names))
	trigrams := make([]string, len(names))
	for i, n := range names {
		words[i], trigrams[i] = tenantToken(n), trigramToken(n)
	}
	return matchScope{
		words:   ` AND tenant : ("` + strings.Join(words, `" OR "`) + `")`,
		trigram: ` AND tenant : ("` + strings.Join(trigrams, `" OR "`) + `")`,
	}, nil
}

// word is expr, a query of the word indexes, kept to the text columns (a
// prefix must not reach the tenant tokens) and to the scope's connections.
func (m matchScope) word(expr string) string {
	return `{name parent description} : (` + expr + `)` + m.words
}

// inWord is expr, a query of name_trigram or description_trigram, kept
// to its text column and to the scope's connections.
func (m matchScope) inWord(column, expr string) string {
	return column + ` : (` + expr + `)` + m.trigram
}
