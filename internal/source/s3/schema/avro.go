package schema

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var avroMagic = []byte("Obj\x01")

// inferAvro reads the schema from an Avro object container file's header
// (magic, then a metadata map holding avro.schema); data blocks are never
// read.
func inferAvro(data []byte) ([]Column, error) {
	if !bytes.HasPrefix(data, avroMagic) {
		if len(data) < len(avroMagic) {
			return nil, fmt.Errorf("not an Avro container file: only %d bytes", len(data))
		}
		return nil, fmt.Errorf("not an Avro container file: it starts with %q, not Obj\\x01", data[:4])
	}
	meta, err := avroMetadata(data[len(avroMagic):])
	if err != nil {
		return nil, fmt.Errorf("reading the Avro header: %w", err)
	}
	raw, ok := meta["avro.schema"]
	if !ok {
		return nil, errors.New("the Avro header has no avro.schema")
	}
	var schema any
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, fmt.Errorf("the Avro schema is not JSON: %w", err)
	}
	a := &avroTypes{named: map[string]any{}}
	t, cols, err := a.typ(schema, "", 0)
	if err != nil {
		return nil, err
	}
	if cols == nil {
		// A file of non-record values: one column named after the type.
		return []Column{{Name: "value", Type: t}}, nil
	}
	return cols, nil
}

// avroMetadata decodes the header's map<bytes>: blocks of (count, [size],
// entries) ending with a zero count.
func avroMetadata(b []byte) (map[string][]byte, error) {
	pos := 0
	long := func() (int64, error) {
		v, n := binary.Varint(b[pos:])
		if n <= 0 {
			return 0, errors.New("the header is cut or corrupt (bad varint)")
		}
		pos += n
		return v, nil
	}
	str := func() ([]byte, error) {
		n, err := long()
		if err != nil {
			return nil, err
		}
		if n < 0 || n > int64(len(b)-pos) {
			return nil, fmt.Errorf("a %d-byte header field does not fit in the bytes read (the header may be larger than the sample)", n)
		}
		v := b[pos : pos+int(n)]
		pos += int(n)
		return v, nil
	}
	meta := map[string][]byte{}
	for {
		count, err := long()
		if err != nil {
			return nil, err
		}
		if count == 0 {
			return meta, nil
		}
		if count < 0 {
			count = -count
			if _, err := long(); err != nil { // block size in bytes
				return nil, err
			}
		}
		if count > int64(len(b)-pos) {
			return nil, fmt.Errorf("header claims %d entries in %d bytes", count, len(b)-pos)
		}
		for range count {
			k, err := str()
			if err != nil {
				return nil, err
			}
			v, err := str()
			if err != nil {
				return nil, err
			}
			meta[string(k)] = v
		}
	}
}

type avroTypes struct {
	named map[string]any // full name -> schema, for references
	count int
}

// typ renders an Avro schema as a Hive type; records also return their
// fields as columns.
func (a *avroTypes) typ(s any, ns string, depth int) (string, []Column, error) {
	if depth > maxThriftDepth {
		return "", nil, errors.New("the Avro schema is nested too deep")
	}
	switch x := s.(type) {
	case string:
		switch x {
		case "null":
			return "void", nil, nil
		case "boolean":
			return TypeBoolean, nil, nil
		case "int":
			return "int", nil, nil
		case "long":
			return TypeBigint, nil, nil
		case "float":
			return "float", nil, nil
		case "double":
			return TypeDouble, nil, nil
		case "bytes":
			return "binary", nil, nil
		case "string":
			return TypeString, nil, nil
		}
		def, ok := a.named[fullName(x, ns)]
		if !ok {
			def, ok = a.named[x]
		}
		if !ok {
			return "", nil, fmt.Errorf("the Avro schema refers to an undefined type %q", x)
		}
		if rec, isRec := def.(map[string]any); isRec && rec["type"] == "record" {
			// A reference (possibly recursive): name the type, do not
			// expand it again.
			return "struct<...>", nil, nil
		}
		return a.typ(def, ns, depth+1)
	case []any:
		var branches []string
		var cols []Column
		for _, b := range x {
			t, c, err := a.typ(b, ns, depth+1)
			if err != nil {
				return "", nil, err
			}
			if t == "void" {
				continue
			}
			branches = append(branches, t)
			cols = c
		}
		switch len(branches) {
		case 0:
			return "void", nil, nil
		case 1:
			return branches[0], cols, nil
		}
		return "uniontype<" + strings.Join(branches, ",") + ">", nil, nil
	case map[string]any:
		return a.complex(x, ns, depth)
	}
	return "", nil, fmt.Errorf("the Avro schema holds %T where a type is expected", s)
}

func (a *avroTypes) complex(x map[string]any, ns string, depth int) (string, []Column, error) {
	if lt, _ := x["logicalType"].(string); lt != "" {
		switch lt {
		case "date":
			return TypeDate, nil, nil
		case "timestamp-millis", "timestamp-micros", "timestamp-nanos", "local-timestamp-millis", "local-timestamp-micros":
			return TypeTimestamp, nil, nil
		case "decimal":
			p, _ := x["precision"].(float64)
			s, _ := x["scale"].(float64)
			return fmt.Sprintf("decimal(%d,%d)", int(p), int(s)), nil, nil
		case "uuid":
			return TypeString, nil, nil
		}
	}
	typ, _ := x["type"].(string)
	if n, ok := x["namespace"].(string); ok {
		ns = n
	}
	if name, ok := x["name"].(string); ok && (typ == "record" || typ == "enum" || typ == "fixed" || typ == "error") {
		a.named[fullName(name, ns)] = x
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			ns = name[:i]
		}
	}
	switch typ {
	case "record", "error":
		fields, _ := x["fields"].([]any)
		cols := make([]Column, 0, len(fields))
		for _, f := range fields {
			fm, ok := f.(map[string]any)
			if !ok {
				return "", nil, errors.New("an Avro record field is not an object")
			}
			name, _ := fm["name"].(string)
			a.count++
			if a.count > MaxColumns {
				return "", nil, fmt.Errorf("more than %d fields: too wide to catalogue", MaxColumns)
			}
			t, kids, err := a.typ(fm["type"], ns, depth+1)
			if err != nil {
				return "", nil, fmt.Errorf("field %q: %w", name, err)
			}
			if depth+1 >= MaxDepth {
				kids = nil
			}
			cols = append(cols, Column{Name: name, Type: t, Children: kids})
		}
		return structType(cols), uniqueNames(cols), nil
	case "enum":
		return TypeString, nil, nil
	case "fixed":
		return "binary", nil, nil
	case "array":
		t, kids, err := a.typ(x["items"], ns, depth+1)
		return "array<" + t + ">", kids, err
	case "map":
		t, _, err := a.typ(x["values"], ns, depth+1)
		return "map<string," + t + ">", nil, err
	case "":
		return "", nil, errors.New("an Avro type object has no type")
	}
	return a.typ(typ, ns, depth+1)
}

func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}
