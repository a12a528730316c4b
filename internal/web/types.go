package web

import "strings"

// typeNode is a column's data type as a tree, for the expandable schema:
// struct<a:int,b:array<struct<c:string>>> has fields a and b, and b's
// element has field c.
type typeNode struct {
	Type   string // the whole type text
	Fields []typeField
}

type typeField struct {
	Name string
	Node *typeNode
}

// maxTypeDepth bounds the recursion on a hostile type string.
const maxTypeDepth = 32

// parseType reads a Hive/Glue type. It never fails: what it cannot read
// stays a leaf showing its text.
func parseType(s string) *typeNode { return parseTypeDepth(strings.TrimSpace(s), 0) }

func parseTypeDepth(s string, depth int) *typeNode {
	n := &typeNode{Type: s}
	if depth > maxTypeDepth {
		return n
	}
	lower := strings.ToLower(s)
	open := strings.IndexByte(s, '<')
	if open < 0 || !strings.HasSuffix(s, ">") {
		return n
	}
	inner := s[open+1 : len(s)-1]
	switch {
	case strings.HasPrefix(lower, "struct<"):
		for _, part := range splitTop(inner) {
			name, typ, ok := strings.Cut(part, ":")
			if !ok {
				return &typeNode{Type: s}
			}
			n.Fields = append(n.Fields, typeField{Name: strings.TrimSpace(name), Node: parseTypeDepth(strings.TrimSpace(typ), depth+1)})
		}
	case strings.HasPrefix(lower, "array<"):
		el := parseTypeDepth(strings.TrimSpace(inner), depth+1)
		if len(el.Fields) > 0 {
			n.Fields = []typeField{{Name: "element", Node: el}}
		}
	case strings.HasPrefix(lower, "map<"):
		parts := splitTop(inner)
		if len(parts) == 2 {
			v := parseTypeDepth(strings.TrimSpace(parts[1]), depth+1)
			if len(v.Fields) > 0 {
				n.Fields = []typeField{{Name: "value", Node: v}}
			}
		}
	}
	return n
}

// splitTop splits at commas outside angle brackets.
func splitTop(s string) []string {
	var out []string
	level, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '(':
			level++
		case '>', ')':
			level--
		case ',':
			if level == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
