package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// jsonNode accumulates the shape of one JSON position across records.
type jsonNode struct {
	kinds  map[string]bool // "boolean", "bigint", "double", "string", "object", "array"
	fields map[string]*jsonNode
	order  []string // field names in first-seen order
	elem   *jsonNode
}

func newJSONNode() *jsonNode { return &jsonNode{kinds: map[string]bool{}} }

// inferJSON reads JSON Lines, or a JSON array of records, or one JSON
// document; nested objects become struct columns, bounded in depth and
// width.
func inferJSON(data []byte, truncated bool, maxRows int) ([]Column, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("no JSON value in the sampled bytes")
	}
	root := newJSONNode()
	width := 0
	records := 0
	add := func(v any) error {
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("records must be JSON objects, found %s", jsonKind(v))
		}
		records++
		root.kinds["object"] = true
		return root.addObject(obj, 0, &width)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if trimmed[0] == '[' {
		if _, err := dec.Token(); err != nil {
			return nil, fmt.Errorf("reading JSON: %w", err)
		}
		for dec.More() && records < maxRows {
			var v any
			if err := dec.Decode(&v); err != nil {
				if truncated && records > 0 {
					break
				}
				return nil, fmt.Errorf("reading JSON array element %d: %w", records, err)
			}
			if err := add(v); err != nil {
				return nil, err
			}
		}
	} else {
		for records < maxRows {
			var v any
			err := dec.Decode(&v)
			if err == io.EOF {
				break
			}
			if err != nil {
				if truncated && records > 0 {
					// The sampled bytes cut the last record.
					break
				}
				if truncated {
					return nil, fmt.Errorf("the first JSON record is larger than the bytes lakemap samples: %w", err)
				}
				return nil, fmt.Errorf("reading JSON record %d: %w", records+1, err)
			}
			if err := add(v); err != nil {
				return nil, err
			}
		}
	}
	if records == 0 {
		return nil, errors.New("no JSON record in the sampled bytes")
	}
	return root.columns(0), nil
}

func (n *jsonNode) addObject(obj map[string]any, depth int, width *int) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	// Go maps lose the file's order; new keys of one record are added
	// sorted so that the result is deterministic.
	sort.Strings(keys)
	if n.fields == nil {
		n.fields = map[string]*jsonNode{}
	}
	for _, k := range keys {
		child, ok := n.fields[k]
		if !ok {
			if *width >= MaxColumns {
				return fmt.Errorf("more than %d fields: too wide to catalogue", MaxColumns)
			}
			*width++
			child = newJSONNode()
			n.fields[k] = child
			n.order = append(n.order, k)
		}
		if err := child.add(obj[k], depth+1, width); err != nil {
			return err
		}
	}
	return nil
}

func (n *jsonNode) add(v any, depth int, width *int) error {
	switch x := v.(type) {
	case nil:
	case bool:
		n.kinds[TypeBoolean] = true
	case json.Number:
		if _, err := x.Int64(); err == nil && !strings.ContainsAny(x.String(), ".eE") {
			n.kinds[TypeBigint] = true
		} else {
			n.kinds[TypeDouble] = true
		}
	case string:
		n.kinds[TypeString] = true
	case map[string]any:
		n.kinds["object"] = true
		if depth < MaxDepth {
			return n.addObject(x, depth, width)
		}
	case []any:
		n.kinds["array"] = true
		if n.elem == nil {
			n.elem = newJSONNode()
		}
		for i, e := range x {
			if i >= 100 {
				break // the first elements tell the element type
			}
			if err := n.elem.add(e, depth+1, width); err != nil {
				return err
			}
		}
	}
	return nil
}

// typ unifies what was seen: numbers widen to double, conflicting kinds
// give string.
func (n *jsonNode) typ(depth int) (string, []Column) {
	k := n.kinds
	switch {
	case len(k) == 0:
		return TypeString, nil
	case len(k) == 1 && k["object"]:
		if depth >= MaxDepth || len(n.fields) == 0 {
			return "struct<>", nil
		}
		cols := n.columns(depth + 1)
		return structType(cols), cols
	case len(k) == 1 && k["array"]:
		et, ec := TypeString, []Column(nil)
		if n.elem != nil {
			et, ec = n.elem.typ(depth + 1)
		}
		return "array<" + et + ">", ec
	case len(k) == 1:
		for t := range k {
			return t, nil
		}
	case len(k) == 2 && k[TypeBigint] && k[TypeDouble]:
		return TypeDouble, nil
	}
	return TypeString, nil
}

func (n *jsonNode) columns(depth int) []Column {
	cols := make([]Column, 0, len(n.order))
	for _, name := range n.order {
		t, children := n.fields[name].typ(depth)
		cols = append(cols, Column{Name: name, Type: t, Children: children})
	}
	return cols
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}
