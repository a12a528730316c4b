// Package sqlparse finds the tables an Athena (Trino/Presto dialect) SQL
// statement reads and writes, for table-level lineage.
//
// No Go parser of the Trino grammar exists that is maintained and small
// enough to vendor (the Go SQL parsers are MySQL's and PostgreSQL's, which
// reject Trino's lambdas, UNNEST ... WITH ORDINALITY, ROW types and
// time travel), so this is a tokenizer with a small recursive descent over
// the clauses that name relations: FROM lists, JOINs, subqueries, CTEs
// (whose names are not tables), MERGE ... USING, DELETE ... USING, and the
// targets of CTAS, INSERT, CREATE VIEW, MERGE, UPDATE and DELETE. Anything
// it cannot follow is an error, never a guess: lineage from a
// misunderstood query is worse than none.
package sqlparse

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tkWord   tokenKind = iota // identifier or keyword, unquoted
	tkQuoted                  // "identifier" or `identifier`
	tkString                  // 'literal'
	tkNumber
	tkPunct // one of ( ) , . ; and operators
)

type token struct {
	kind tokenKind
	text string // words upper-cased in upper; quoted identifiers unescaped
	// upper is text upper-cased, for keyword tests of words.
	upper string
	pos   int // byte offset, for error messages
}

func (t token) is(kw string) bool { return t.kind == tkWord && t.upper == kw }

func (t token) punct(p string) bool { return t.kind == tkPunct && t.text == p }

// lex splits sql into tokens, dropping whitespace and comments.
func lex(sql string) ([]token, error) {
	var out []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 1
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment at byte %d", i)
			}
			i += 2 + end + 2
		case c == '\'':
			text, n, err := quoted(sql, i, '\'')
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tkString, text: text, pos: i})
			i += n
		case c == '"' || c == '`':
			text, n, err := quoted(sql, i, c)
			if err != nil {
				return nil, err
			}
			if text == "" {
				return nil, fmt.Errorf("empty quoted identifier at byte %d", i)
			}
			out = append(out, token{kind: tkQuoted, text: text, upper: strings.ToUpper(text), pos: i})
			i += n
		case isIdentStart(c):
			j := i + 1
			for j < len(sql) && isIdentPart(sql[j]) {
				j++
			}
			w := sql[i:j]
			// U&'...' unicode strings and X'..' binary literals are strings.
			if j < len(sql) && (sql[j] == '\'' || sql[j] == '&' && j+1 < len(sql) && sql[j+1] == '\'') && (strings.EqualFold(w, "U") || strings.EqualFold(w, "X")) {
				k := j
				if sql[k] == '&' {
					k++
				}
				text, n, err := quoted(sql, k, '\'')
				if err != nil {
					return nil, err
				}
				out = append(out, token{kind: tkString, text: text, pos: i})
				i = k + n
				continue
			}
			out = append(out, token{kind: tkWord, text: w, upper: strings.ToUpper(w), pos: i})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(sql) && (isIdentPart(sql[j]) || sql[j] == '.' || (sql[j] == '+' || sql[j] == '-') && (sql[j-1] == 'e' || sql[j-1] == 'E')) {
				j++
			}
			out = append(out, token{kind: tkNumber, text: sql[i:j], pos: i})
			i = j
		default:
			n := 1
			for _, op := range []string{"->", "=>", "<=", ">=", "<>", "!=", "||", "::"} {
				if strings.HasPrefix(sql[i:], op) {
					n = len(op)
					break
				}
			}
			out = append(out, token{kind: tkPunct, text: sql[i : i+n], pos: i})
			i += n
		}
	}
	return out, nil
}

// quoted reads a literal opened by q at sql[i], where a doubled q stands
// for itself; it returns the unescaped text and the bytes consumed.
func quoted(sql string, i int, q byte) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(sql) {
		if sql[j] == q {
			if j+1 < len(sql) && sql[j+1] == q {
				b.WriteByte(q)
				j += 2
				continue
			}
			return b.String(), j + 1 - i, nil
		}
		b.WriteByte(sql[j])
		j++
	}
	what := "string literal"
	if q != '\'' {
		what = "quoted identifier"
	}
	return "", 0, fmt.Errorf("unterminated %s at byte %d", what, i)
}

// Bytes of multi-byte UTF-8 characters count as letters: Trino allows
// Unicode letters in identifiers.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' || c == '@'
}
