package sqlparse

import "strings"

// Keywords that end a FROM clause: after one, a comma separates select items
// or grouping keys, not relations.
var endsFrom = wordSet("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FETCH", "WINDOW",
	"UNION", "INTERSECT", "EXCEPT", "SELECT", "VALUES", "QUALIFY", "SET", "WHEN", "RETURNING")

// query parses [WITH ...] body up to a ")" of its own level (not consumed)
// or the end.
func (p *parser) query(sc *scope) error {
	if !p.peek(0).is("WITH") {
		return p.body(sc, false)
	}
	p.next()
	recursive := false
	if p.peek(0).is("RECURSIVE") {
		p.next()
		recursive = true
	}
	inner := &scope{names: map[string]bool{}, parent: sc}
	for {
		t := p.peek(0)
		if t.kind != tkWord && t.kind != tkQuoted || t.kind == tkWord && notName[t.upper] {
			return p.errorf("expected a common table expression name, found %s", describe(t))
		}
		p.next()
		name := strings.ToLower(t.text)
		if recursive {
			inner.names[name] = true
		}
		if p.peek(0).punct("(") {
			if err := p.skipParens(); err != nil {
				return err
			}
		}
		if err := p.expectWord("AS"); err != nil {
			return err
		}
		if p.peek(0).is("NOT") {
			p.next()
		}
		if p.peek(0).is("MATERIALIZED") {
			p.next()
		}
		if err := p.expectPunct("("); err != nil {
			return err
		}
		// A non-recursive CTE sees the CTEs before it, not itself: a
		// reference to its own name inside it is the real table.
		if err := p.query(inner); err != nil {
			return err
		}
		if err := p.expectPunct(")"); err != nil {
			return err
		}
		inner.names[name] = true
		if !p.peek(0).punct(",") {
			break
		}
		p.next()
	}
	return p.body(inner, false)
}

// body walks a query's clauses, recording the relations of FROM lists and
// JOINs and descending into subqueries. With expectRelation it starts in a
// FROM list (a parenthesised join, DELETE ... USING). It stops before a ")"
// of its own level, or at the end.
func (p *parser) body(sc *scope, expectRelation bool) error {
	inFrom := expectRelation
	for !p.atEnd() {
		t := p.peek(0)
		if expectRelation {
			if err := p.relation(sc); err != nil {
				return err
			}
			expectRelation = false
			continue
		}
		switch {
		case t.punct(")") || t.punct(";"):
			return nil
		case t.punct("("):
			if err := p.parens(sc); err != nil {
				return err
			}
		case t.is("FROM"):
			p.next()
			// a IS [NOT] DISTINCT FROM b is a comparison.
			if p.prev(2).is("DISTINCT") && (p.prev(3).is("IS") || p.prev(3).is("NOT")) {
				continue
			}
			inFrom, expectRelation = true, true
		case t.is("JOIN"):
			p.next()
			inFrom, expectRelation = true, true
		case t.punct(",") && inFrom:
			p.next()
			expectRelation = true
		case t.is("TABLE") && (p.pos == 0 || p.prev(1).punct("(") || p.prev(1).is("UNION") || p.prev(1).is("INTERSECT") ||
			p.prev(1).is("EXCEPT") || p.prev(1).is("ALL") || p.prev(1).is("DISTINCT") || p.prev(1).is("AS")):
			// TABLE t: a query term reading all of t.
			p.next()
			r, err := p.name()
			if err != nil {
				return err
			}
			p.record(sc, r)
		case t.kind == tkWord && endsFrom[t.upper]:
			p.next()
			inFrom = false
		default:
			p.next()
		}
	}
	return nil
}

// parens handles a "(" outside relation position: a subquery, or an
// expression whose own parentheses may hold subqueries. Inside an
// expression FROM is a keyword of EXTRACT, SUBSTRING or TRIM, not a table.
func (p *parser) parens(sc *scope) error {
	p.next()
	if p.startsQuery() {
		if err := p.query(sc); err != nil {
			return err
		}
		return p.expectPunct(")")
	}
	for !p.atEnd() {
		t := p.peek(0)
		switch {
		case t.punct(")"):
			p.next()
			return nil
		case t.punct("("):
			if err := p.parens(sc); err != nil {
				return err
			}
		case t.punct(";"):
			return p.errorf("unbalanced parenthesis")
		default:
			p.next()
		}
	}
	return p.errorf("unbalanced parenthesis")
}

// relation parses one item of a FROM list or a JOIN's right side: a table,
// a subquery, a parenthesised join, UNNEST(...) or a table function. What
// follows it (alias, column aliases, TABLESAMPLE, FOR VERSION AS OF, ON)
// holds no table and is left to body.
func (p *parser) relation(sc *scope) error {
	if p.peek(0).is("LATERAL") {
		p.next()
	}
	t := p.peek(0)
	switch {
	case t.punct("("):
		p.next()
		var err error
		if p.startsQuery() {
			err = p.query(sc)
		} else {
			err = p.body(sc, true)
		}
		if err != nil {
			return err
		}
		return p.expectPunct(")")
	case t.is("UNNEST") || t.is("TABLE") && p.peek(1).punct("("):
		p.next()
		return p.parens(sc)
	}
	r, err := p.name()
	if err != nil {
		return err
	}
	if p.peek(0).punct("(") {
		// A table function: its arguments may hold subqueries.
		return p.parens(sc)
	}
	p.record(sc, r)
	return nil
}

func (p *parser) record(sc *scope, r Ref) {
	if r.Catalog == "" && r.Schema == "" && sc.has(r.Name) {
		return
	}
	p.read(r)
}
