package glue

import (
	"fmt"
	"strings"
)

// hiveField is one named member of a complex Hive/Glue type.
type hiveField struct {
	Name string
	Type string // the member's whole type string, e.g. array<struct<a:int>>
}

// Limits on nested types so a pathological schema cannot explode the catalog.
const (
	maxNestingDepth = 8
	maxStructFields = 1000
)

// structFields returns the fields a column's type contributes as child
// columns: a struct's own fields, or those of the struct an array or a map
// value holds. Other types have none.
func structFields(typ string) ([]hiveField, error) {
	t := strings.TrimSpace(typ)
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "struct<"):
		inner, err := angleBody(t, len("struct"))
		if err != nil {
			return nil, err
		}
		return parseStructBody(inner)
	case strings.HasPrefix(lower, "array<"):
		inner, err := angleBody(t, len("array"))
		if err != nil {
			return nil, err
		}
		return structFields(inner)
	case strings.HasPrefix(lower, "map<"):
		inner, err := angleBody(t, len("map"))
		if err != nil {
			return nil, err
		}
		parts, err := splitTopLevel(inner, ',')
		if err != nil {
			return nil, err
		}
		if len(parts) != 2 {
			return nil, fmt.Errorf("map type %q needs a key and a value type", typ)
		}
		return structFields(parts[1])
	}
	return nil, nil
}

// angleBody returns what sits between the angle brackets that open at
// position open of t, checking the closing bracket ends t.
func angleBody(t string, open int) (string, error) {
	if open >= len(t) || t[open] != '<' || !strings.HasSuffix(t, ">") {
		return "", fmt.Errorf("type %q: unbalanced angle brackets", t)
	}
	return t[open+1 : len(t)-1], nil
}

func parseStructBody(body string) ([]hiveField, error) {
	parts, err := splitTopLevel(body, ',')
	if err != nil {
		return nil, err
	}
	if len(parts) > maxStructFields {
		parts = parts[:maxStructFields]
	}
	fields := make([]hiveField, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, typ, ok := cutTopLevelColon(p)
		if !ok {
			return nil, fmt.Errorf("struct member %q has no name:type", p)
		}
		fields = append(fields, hiveField{Name: strings.Trim(strings.TrimSpace(name), "`"), Type: strings.TrimSpace(typ)})
	}
	return fields, nil
}

// splitTopLevel splits s at sep outside of <>, () and backquotes.
func splitTopLevel(s string, sep byte) ([]string, error) {
	var parts []string
	depth, start, quoted := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			quoted = !quoted
		case quoted:
		case c == '<' || c == '(':
			depth++
		case c == '>' || c == ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("type %q: unbalanced brackets", s)
			}
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	if depth != 0 || quoted {
		return nil, fmt.Errorf("type %q: unbalanced brackets", s)
	}
	return append(parts, s[start:]), nil
}

// cutTopLevelColon splits "name:type", where name may be backquoted and
// contain a colon.
func cutTopLevelColon(s string) (name, typ string, ok bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '`':
			quoted = !quoted
		case ':':
			if !quoted {
				return s[:i], s[i+1:], true
			}
		}
	}
	return "", "", false
}
