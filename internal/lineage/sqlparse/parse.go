package sqlparse

import (
	"fmt"
	"strings"
)

// Ref names a table as a statement wrote it; Catalog and Schema are empty
// when the statement left them to the session. Names are lower-cased:
// Athena and Glue treat identifiers, quoted or not, case-insensitively.
type Ref struct {
	Catalog string `json:"catalog,omitempty"`
	Schema  string `json:"schema,omitempty"`
	Name    string `json:"name"`
}

func (r Ref) String() string {
	parts := []string{r.Catalog, r.Schema, r.Name}
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// Kind is a statement's kind, as far as lineage cares.
type Kind string

const (
	KindQuery      Kind = "query"       // SELECT, VALUES, TABLE: reads only
	KindCTAS       Kind = "ctas"        // CREATE TABLE ... AS
	KindInsert     Kind = "insert"      // INSERT INTO ... (SELECT | VALUES)
	KindCreateView Kind = "create_view" // CREATE [OR REPLACE] VIEW ... AS
	KindMerge      Kind = "merge"       // MERGE INTO ... USING
	KindUpdate     Kind = "update"
	KindDelete     Kind = "delete"
	KindUnload     Kind = "unload" // UNLOAD (query) TO 's3://...': reads only
	KindOther      Kind = "other"  // DDL, SHOW, EXPLAIN...: no lineage
)

// Statement is what one statement reads and writes.
type Statement struct {
	Kind Kind `json:"kind"`
	// Target is the table written, for the kinds that write one.
	Target *Ref `json:"target,omitempty"`
	// Reads are the tables read, distinct, in order of appearance; names
	// of common table expressions are not tables and are left out.
	Reads []Ref `json:"reads,omitempty"`
}

// Writes reports whether the statement writes a table.
func (s Statement) Writes() bool { return s.Target != nil }

// Parse reads one statement. A trailing semicolon is allowed; several
// statements are an error (Athena runs one at a time).
func Parse(sql string) (Statement, error) {
	toks, err := lex(sql)
	if err != nil {
		return Statement{}, err
	}
	for len(toks) > 0 && toks[len(toks)-1].punct(";") {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return Statement{}, fmt.Errorf("empty statement")
	}
	p := &parser{toks: toks, seen: map[Ref]bool{}}
	st, err := p.statement()
	if err != nil {
		return Statement{}, err
	}
	if !p.atEnd() {
		t := p.peek(0)
		if t.punct(";") {
			return Statement{}, fmt.Errorf("several statements: only one is expected (byte %d)", t.pos)
		}
		return Statement{}, p.errorf("unexpected %s", describe(t))
	}
	st.Reads = p.reads
	return st, nil
}

type parser struct {
	toks  []token
	pos   int
	reads []Ref
	seen  map[Ref]bool
}

// scope holds the names of the common table expressions visible at a
// point; a one-part name found there is not a table.
type scope struct {
	names  map[string]bool
	parent *scope
}

func (s *scope) has(name string) bool {
	for ; s != nil; s = s.parent {
		if s.names[name] {
			return true
		}
	}
	return false
}

var eof = token{kind: tkPunct, text: "", pos: -1}

func (p *parser) peek(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return eof
}

func (p *parser) atEnd() bool { return p.pos >= len(p.toks) }

func (p *parser) next() token {
	t := p.peek(0)
	if !p.atEnd() {
		p.pos++
	}
	return t
}

func (p *parser) prev(k int) token {
	if p.pos-k >= 0 && p.pos-k < len(p.toks) {
		return p.toks[p.pos-k]
	}
	return eof
}

func (p *parser) errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if t := p.peek(0); t.pos >= 0 {
		return fmt.Errorf("%s at byte %d", msg, t.pos)
	}
	return fmt.Errorf("%s at the end", msg)
}

func describe(t token) string {
	switch {
	case t.pos < 0:
		return "end of statement"
	case t.kind == tkString:
		return "string literal"
	case t.kind == tkQuoted:
		return fmt.Sprintf("identifier %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *parser) expectWord(kw string) error {
	if !p.peek(0).is(kw) {
		return p.errorf("expected %s, found %s", kw, describe(p.peek(0)))
	}
	p.next()
	return nil
}

func (p *parser) expectPunct(s string) error {
	if !p.peek(0).punct(s) {
		return p.errorf("expected %q, found %s", s, describe(p.peek(0)))
	}
	p.next()
	return nil
}

func (p *parser) read(r Ref) {
	if !p.seen[r] {
		p.seen[r] = true
		p.reads = append(p.reads, r)
	}
}

// Words that cannot be a table name where one is expected: finding one
// there means the statement is not understood.
var notName = wordSet("SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH",
	"UNION", "INTERSECT", "EXCEPT", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "ON",
	"USING", "WINDOW", "VALUES", "WITH", "AS", "SET", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "CASE")

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// name reads a table name of one to three parts.
func (p *parser) name() (Ref, error) {
	start := p.peek(0).pos
	var parts []string
	for {
		t := p.peek(0)
		switch {
		case t.kind == tkQuoted && strings.TrimSpace(t.text) != "":
			// A blank quoted name ("" or ` `) names no table lineage could follow.
		case t.kind == tkWord && !notName[t.upper]:
		default:
			return Ref{}, p.errorf("expected a table name, found %s", describe(t))
		}
		p.next()
		parts = append(parts, strings.ToLower(t.text))
		if !p.peek(0).punct(".") {
			break
		}
		p.next()
	}
	switch len(parts) {
	case 1:
		return Ref{Name: parts[0]}, nil
	case 2:
		return Ref{Schema: parts[0], Name: parts[1]}, nil
	case 3:
		return Ref{Catalog: parts[0], Schema: parts[1], Name: parts[2]}, nil
	}
	return Ref{}, fmt.Errorf("table name %q has more than three parts at byte %d", strings.Join(parts, "."), start)
}

// startsQuery reports whether the next token opens a query (after "(").
func (p *parser) startsQuery() bool {
	t := p.peek(0)
	return t.is("SELECT") || t.is("WITH") || t.is("VALUES")
}
