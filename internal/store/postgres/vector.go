package postgres

import (
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/catalog/rank"
)

// The search index holds words as rank.Words splits them, built here rather
// than by to_tsvector: PostgreSQL's parsers split and stem differently from
// SQLite's unicode61 tokenizer, and the ranking, done in Go, must see the
// words the index matched. The name's words carry weight A, the parent's
// name's B, the description's C, so a name-only query is 'word':A.

// PostgreSQL's limits on a tsvector: a lexeme's length, the highest
// position, and the positions kept per lexeme.
const (
	maxLexeme    = 2046
	maxPosition  = 16383
	maxPositions = 256
)

// searchVector is the entity's index entry; invalid (NULL) for kinds search
// does not return.
//
// A query execution, which search returns only when asked for, is indexed
// by its id, its workgroup and its SQL, as the SQLite store's query_search.
func searchVector(e *catalog.Entity) pgtype.TSVector {
	type field struct {
		text   string
		weight pgtype.TSVectorWeight
	}
	fields := []field{
		{e.Name, pgtype.TSVectorWeightA},
		{rank.LastPart(e.ParentFQN), pgtype.TSVectorWeightB},
		{e.Description, pgtype.TSVectorWeightC},
	}
	if e.Kind == catalog.KindQuery {
		wg, _ := e.Attrs["workgroup"].(string)
		sql, _ := e.Attrs["query"].(string)
		fields[1].text, fields[2].text = wg, sql
	} else if spec, _ := catalog.Spec(e.Kind); !spec.Searchable {
		return pgtype.TSVector{}
	}
	positions := map[string][]pgtype.TSVectorPosition{}
	pos := 0
	for _, field := range fields {
		for _, w := range rank.Words(field.text) {
			w = fold(w)
			if len(w) > maxLexeme {
				continue
			}
			ps, ok := positions[w]
			if !ok {
				positions[w] = nil
			}
			if pos < maxPosition && len(ps) < maxPositions {
				pos++
				positions[w] = append(ps, pgtype.TSVectorPosition{Position: uint16(pos), Weight: field.weight})
			}
		}
	}
	v := pgtype.TSVector{Valid: true, Lexemes: make([]pgtype.TSVectorLexeme, 0, len(positions))}
	for w, ps := range positions {
		v.Lexemes = append(v.Lexemes, pgtype.TSVectorLexeme{Word: w, Positions: ps})
	}
	// PostgreSQL keeps lexemes sorted bytewise, shorter first on a tie.
	sort.Slice(v.Lexemes, func(i, j int) bool { return v.Lexemes[i].Word < v.Lexemes[j].Word })
	return v
}

// tsquery is the query text for terms: every word quoted (rank.Words leaves
// only letters, digits and marks, so no quote can break out), ANDed, the
// last a prefix when terms say so; nameOnly restricts every word to the
// name (weight A).
func tsquery(terms rank.Terms, nameOnly bool) string {
	parts := make([]string, len(terms.Words))
	for i, w := range terms.Words {
		flags := ""
		if terms.Prefix && i == len(terms.Words)-1 {
			flags = "*"
		}
		if nameOnly {
			flags += "A"
		}
		parts[i] = "'" + strings.ReplaceAll(fold(w), "'", "''") + "'"
		if flags != "" {
			parts[i] += ":" + flags
		}
	}
	return strings.Join(parts, " & ")
}

// fold drops the accents of a word: rank.Fold.
func fold(w string) string { return rank.Fold(w) }

// inwordTexts are what the in-word indexes hold of e: its name, and the
// start of its description (nil when empty), lowercased, accents folded.
// Both nil (NULL) for kinds search does not return and for query
// executions, which stay out of in-word search.
func inwordTexts(e *catalog.Entity) (name, description *string) {
	if spec, _ := catalog.Spec(e.Kind); !spec.Searchable || e.Kind == catalog.KindQuery {
		return nil, nil
	}
	fold := func(s string) *string {
		f := rank.Fold(strings.ToLower(s))
		return &f
	}
	name = fold(e.Name)
	if e.Description != "" {
		description = fold(rank.InWordDescription(e.Description))
	}
	return name, description
}
