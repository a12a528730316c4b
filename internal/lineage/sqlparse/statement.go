package sqlparse

// Statements without lineage: they read or change metadata, not data
// flowing from one table to another.
var otherStatements = wordSet("EXPLAIN", "SHOW", "DESCRIBE", "DESC", "ALTER", "DROP", "MSCK", "USE", "SET",
	"RESET", "PREPARE", "EXECUTE", "DEALLOCATE", "GRANT", "REVOKE", "START", "COMMIT", "ROLLBACK", "CALL",
	"OPTIMIZE", "VACUUM", "ANALYZE", "REFRESH", "COMMENT", "TRUNCATE", "DENY")

func (p *parser) statement() (Statement, error) {
	t := p.peek(0)
	switch {
	case t.punct("(") || t.is("SELECT") || t.is("WITH") || t.is("VALUES") || t.is("TABLE"):
		return Statement{Kind: KindQuery}, p.query(nil)
	case t.is("INSERT"):
		return p.insert()
	case t.is("CREATE"):
		return p.create()
	case t.is("MERGE"):
		return p.merge()
	case t.is("UPDATE"):
		p.next()
		target, err := p.name()
		if err != nil {
			return Statement{}, err
		}
		return Statement{Kind: KindUpdate, Target: &target}, p.body(nil, false)
	case t.is("DELETE"):
		return p.delete()
	case t.is("UNLOAD"):
		p.next()
		if err := p.expectPunct("("); err != nil {
			return Statement{}, err
		}
		if err := p.query(nil); err != nil {
			return Statement{}, err
		}
		if err := p.expectPunct(")"); err != nil {
			return Statement{}, err
		}
		// TO 's3://...' WITH (...): the destination is a location, not a table.
		p.pos = len(p.toks)
		return Statement{Kind: KindUnload}, nil
	case t.kind == tkWord && otherStatements[t.upper]:
		p.pos = len(p.toks)
		return Statement{Kind: KindOther}, nil
	}
	return Statement{}, p.errorf("unrecognised statement starting with %s", describe(t))
}

func (p *parser) insert() (Statement, error) {
	p.next()
	switch {
	case p.peek(0).is("INTO"):
		p.next()
	case p.peek(0).is("OVERWRITE"):
		p.next()
		if p.peek(0).is("TABLE") {
			p.next()
		}
	default:
		return Statement{}, p.errorf("expected INTO after INSERT, found %s", describe(p.peek(0)))
	}
	target, err := p.name()
	if err != nil {
		return Statement{}, err
	}
	// A column list, unless the parenthesis opens the query itself.
	if p.peek(0).punct("(") && !(p.peek(1).is("SELECT") || p.peek(1).is("WITH") || p.peek(1).is("VALUES")) {
		if err := p.skipParens(); err != nil {
			return Statement{}, err
		}
	}
	return Statement{Kind: KindInsert, Target: &target}, p.query(nil)
}

func (p *parser) create() (Statement, error) {
	p.next()
	if p.peek(0).is("OR") {
		p.next()
		if err := p.expectWord("REPLACE"); err != nil {
			return Statement{}, err
		}
	}
	for p.peek(0).is("EXTERNAL") || p.peek(0).is("TEMPORARY") || p.peek(0).is("MATERIALIZED") {
		p.next()
	}
	var kind Kind
	switch {
	case p.peek(0).is("VIEW"):
		kind = KindCreateView
	case p.peek(0).is("TABLE"):
		kind = KindCTAS
	default:
		// CREATE SCHEMA, DATABASE, FUNCTION...
		p.pos = len(p.toks)
		return Statement{Kind: KindOther}, nil
	}
	p.next()
	if p.peek(0).is("IF") {
		p.next()
		if err := p.expectWord("NOT"); err != nil {
			return Statement{}, err
		}
		if err := p.expectWord("EXISTS"); err != nil {
			return Statement{}, err
		}
	}
	target, err := p.name()
	if err != nil {
		return Statement{}, err
	}
	// Skip column definitions, COMMENT, WITH (properties), SECURITY...
	// up to the AS that introduces the query.
	for !p.atEnd() {
		t := p.peek(0)
		if t.punct("(") {
			if err := p.skipParens(); err != nil {
				return Statement{}, err
			}
			continue
		}
		if t.is("AS") && (p.peek(1).punct("(") || p.peek(1).is("SELECT") || p.peek(1).is("WITH") || p.peek(1).is("VALUES") || p.peek(1).is("TABLE")) {
			p.next()
			if err := p.query(nil); err != nil {
				return Statement{}, err
			}
			// WITH [NO] DATA
			for !p.atEnd() && !p.peek(0).punct(";") {
				p.next()
			}
			return Statement{Kind: kind, Target: &target}, nil
		}
		p.next()
	}
	if kind == KindCreateView {
		return Statement{}, p.errorf("CREATE VIEW without AS")
	}
	// CREATE TABLE with columns only: DDL, no data flows.
	return Statement{Kind: KindOther}, nil
}

func (p *parser) merge() (Statement, error) {
	p.next()
	if err := p.expectWord("INTO"); err != nil {
		return Statement{}, err
	}
	target, err := p.name()
	if err != nil {
		return Statement{}, err
	}
	// [AS] alias
	for !p.atEnd() && !p.peek(0).is("USING") {
		if t := p.peek(0); t.kind != tkWord && t.kind != tkQuoted {
			return Statement{}, p.errorf("expected USING in MERGE, found %s", describe(t))
		}
		p.next()
	}
	if err := p.expectWord("USING"); err != nil {
		return Statement{}, err
	}
	if err := p.relation(nil); err != nil {
		return Statement{}, err
	}
	return Statement{Kind: KindMerge, Target: &target}, p.body(nil, false)
}

func (p *parser) delete() (Statement, error) {
	p.next()
	if err := p.expectWord("FROM"); err != nil {
		return Statement{}, err
	}
	target, err := p.name()
	if err != nil {
		return Statement{}, err
	}
	// [AS] alias, then USING <relations> in the dialects that have it.
	for !p.atEnd() && !p.peek(0).is("USING") && !p.peek(0).is("WHERE") && !p.peek(0).punct(";") {
		if t := p.peek(0); t.kind != tkWord && t.kind != tkQuoted {
			return Statement{}, p.errorf("expected WHERE or USING in DELETE, found %s", describe(t))
		}
		p.next()
	}
	st := Statement{Kind: KindDelete, Target: &target}
	if p.peek(0).is("USING") {
		p.next()
		return st, p.body(nil, true)
	}
	return st, p.body(nil, false)
}

// skipParens skips a balanced parenthesised group that holds no tables (a
// column list), starting at its "(".
func (p *parser) skipParens() error {
	depth := 0
	for !p.atEnd() {
		t := p.next()
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return p.errorf("unbalanced parenthesis")
}
