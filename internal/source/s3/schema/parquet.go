package schema

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// tailRead is how many bytes of a Parquet file's end are read at once: the
// footer of most files fits, so one range request is enough.
const tailRead = 64 << 10

// inferParquet reads the footer only: the 8-byte trailer gives its length,
// and the schema is decoded from it. At most maxBytes are read.
func inferParquet(ctx context.Context, r Reader, size, maxBytes int64) ([]Column, error) {
	if size < 12 {
		return nil, fmt.Errorf("not a Parquet file: %d bytes is shorter than the magic numbers and footer length", size)
	}
	n := min(size, tailRead, maxBytes)
	tail, err := r.ReadRange(ctx, size-n, n)
	if err != nil {
		return nil, err
	}
	if int64(len(tail)) != n {
		return nil, fmt.Errorf("reading the Parquet footer: asked for %d bytes, got %d", n, len(tail))
	}
	trailer := tail[len(tail)-8:]
	switch string(trailer[4:]) {
	case "PAR1":
	case "PARE":
		return nil, errors.New("the Parquet footer is encrypted")
	default:
		return nil, fmt.Errorf("not a Parquet file: it does not end with the magic number PAR1 (found %q)", trailer[4:])
	}
	footerLen := int64(binary.LittleEndian.Uint32(trailer[:4]))
	switch {
	case footerLen == 0 || footerLen > size-12:
		return nil, fmt.Errorf("corrupt Parquet footer: length %d does not fit in a file of %d bytes", footerLen, size)
	case footerLen+8 > maxBytes:
		return nil, fmt.Errorf("the Parquet footer is %d bytes, more than the %d lakemap reads per file", footerLen, maxBytes)
	}
	var footer []byte
	if footerLen+8 <= int64(len(tail)) {
		footer = tail[int64(len(tail))-8-footerLen : len(tail)-8]
	} else {
		footer, err = r.ReadRange(ctx, size-8-footerLen, footerLen)
		if err != nil {
			return nil, err
		}
		if int64(len(footer)) != footerLen {
			return nil, fmt.Errorf("reading the Parquet footer: asked for %d bytes, got %d", footerLen, len(footer))
		}
	}
	elems, err := decodeParquetSchema(footer)
	if err != nil {
		return nil, fmt.Errorf("corrupt Parquet footer: %w", err)
	}
	cols, err := parquetColumns(elems)
	if err != nil {
		return nil, fmt.Errorf("corrupt Parquet schema: %w", err)
	}
	return uniqueNames(cols), nil
}

// schemaElement is the part of Parquet's SchemaElement lakemap reads.
type schemaElement struct {
	name        string
	typ         int32 // physical type; -1 for groups
	repetition  int32 // 0 required, 1 optional, 2 repeated
	numChildren int32
	converted   int32 // -1 when absent
	scale       int32
	precision   int32
	logical     logicalType
}

type logicalType struct {
	kind      int16 // union field id; 0 when absent
	scale     int32
	precision int32
	bitWidth  int8
	signed    bool
}

// Parquet physical types.
const (
	ptBoolean = iota
	ptInt32
	ptInt64
	ptInt96
	ptFloat
	ptDouble
	ptByteArray
	ptFixed
)

// decodeParquetSchema reads FileMetaData field 2, the flattened schema,
// and stops there: row groups and statistics are not needed.
func decodeParquetSchema(footer []byte) ([]schemaElement, error) {
	c := &compact{b: footer}
	var elems []schemaElement
	done := errors.New("done")
	err := c.readStruct(func(id int16, typ byte) error {
		if id != 2 {
			if elems != nil {
				return done
			}
			return c.skip(typ)
		}
		if typ != ctList {
			return fmt.Errorf("schema field has thrift type %d, want a list", typ)
		}
		n, et, err := c.listHeader()
		if err != nil {
			return err
		}
		if et != ctStruct {
			return fmt.Errorf("schema list holds thrift type %d, want structs", et)
		}
		elems = make([]schemaElement, 0, n)
		for range n {
			e, err := readSchemaElement(c)
			if err != nil {
				return fmt.Errorf("schema element %d: %w", len(elems), err)
			}
			elems = append(elems, e)
		}
		return nil
	})
	if err != nil && err != done {
		return nil, err
	}
	if len(elems) == 0 {
		return nil, errors.New("no schema in the footer")
	}
	return elems, nil
}

func readSchemaElement(c *compact) (schemaElement, error) {
	e := schemaElement{typ: -1, converted: -1}
	err := c.readStruct(func(id int16, typ byte) error {
		var err error
		switch {
		case id == 1 && typ == ctI32:
			e.typ, err = c.i32()
		case id == 3 && typ == ctI32:
			e.repetition, err = c.i32()
		case id == 4 && typ == ctBinary:
			var b []byte
			b, err = c.binary()
			e.name = string(b)
		case id == 5 && typ == ctI32:
			e.numChildren, err = c.i32()
		case id == 6 && typ == ctI32:
			e.converted, err = c.i32()
		case id == 7 && typ == ctI32:
			e.scale, err = c.i32()
		case id == 8 && typ == ctI32:
			e.precision, err = c.i32()
		case id == 10 && typ == ctStruct:
			e.logical, err = readLogicalType(c)
		default:
			err = c.skip(typ)
		}
		return err
	})
	return e, err
}

func readLogicalType(c *compact) (logicalType, error) {
	var lt logicalType
	err := c.readStruct(func(id int16, typ byte) error {
		if typ != ctStruct {
			return c.skip(typ)
		}
		lt.kind = id
		return c.readStruct(func(fid int16, ft byte) error {
			var err error
			switch {
			case id == 5 && fid == 1 && ft == ctI32: // DecimalType.scale
				lt.scale, err = c.i32()
			case id == 5 && fid == 2 && ft == ctI32: // DecimalType.precision
				lt.precision, err = c.i32()
			case id == 10 && fid == 1 && ft == ctByte: // IntType.bitWidth
				var b byte
				b, err = c.byte()
				lt.bitWidth = int8(b)
			case id == 10 && fid == 2 && (ft == ctTrue || ft == ctFalse): // IntType.isSigned
				lt.signed = ft == ctTrue
			default:
				err = c.skip(ft)
			}
			return err
		})
	})
	return lt, err
}

// parquetColumns rebuilds the tree from the depth-first flattened schema.
func parquetColumns(elems []schemaElement) ([]Column, error) {
	root := elems[0]
	pos := 1
	var build func(n int32, depth int) ([]pqNode, error)
	build = func(n int32, depth int) ([]pqNode, error) {
		if n < 0 || int(n) > len(elems)-pos {
			return nil, fmt.Errorf("element claims %d children, only %d elements follow", n, len(elems)-pos)
		}
		if depth > maxThriftDepth {
			return nil, errors.New("schema nested too deep")
		}
		out := make([]pqNode, 0, n)
		for range n {
			if pos >= len(elems) {
				return nil, errors.New("schema ends inside a group")
			}
			e := elems[pos]
			pos++
			node := pqNode{e: e}
			if e.typ < 0 || e.numChildren > 0 {
				kids, err := build(e.numChildren, depth+1)
				if err != nil {
					return nil, err
				}
				node.kids = kids
			}
			out = append(out, node)
		}
		return out, nil
	}
	nodes, err := build(root.numChildren, 0)
	if err != nil {
		return nil, err
	}
	if len(nodes) > MaxColumns {
		return nil, fmt.Errorf("%d columns: more than the %d lakemap reads", len(nodes), MaxColumns)
	}
	cols := make([]Column, len(nodes))
	for i, n := range nodes {
		cols[i] = n.column(0)
	}
	return cols, nil
}

type pqNode struct {
	e    schemaElement
	kids []pqNode
}

// Converted types lakemap maps (parquet.thrift's ConvertedType).
const (
	ctUTF8 = iota
	ctMapConv
	ctMapKeyValue
	ctListConv
	ctEnum
	ctDecimal
	ctDate
	ctTimeMillis
	ctTimeMicros
	ctTimestampMillis
	ctTimestampMicros
	ctUint8
	ctUint16
	ctUint32
	ctUint64
	ctInt8
	ctInt16
	ctInt32
	ctInt64
	ctJSON
	ctBSON
	ctInterval
)

// Logical type union members (parquet.thrift's LogicalType field ids).
const (
	ltString    = 1
	ltMap       = 2
	ltList      = 3
	ltEnum      = 4
	ltDecimal   = 5
	ltDate      = 6
	ltTime      = 7
	ltTimestamp = 8
	ltInteger   = 10
	ltJSON      = 12
	ltBSON      = 13
	ltUUID      = 14
)

func (n pqNode) column(depth int) Column {
	t, kids := n.typ(depth)
	if n.e.repetition == 2 && !n.isList() && !n.isMap() {
		// A repeated field outside a LIST group is a list of its type.
		t = "array<" + t + ">"
	}
	return Column{Name: n.e.name, Type: t, Children: kids}
}

func (n pqNode) isList() bool {
	return n.e.typ < 0 && (n.e.logical.kind == ltList || n.e.converted == ctListConv)
}

func (n pqNode) isMap() bool {
	return n.e.typ < 0 && (n.e.logical.kind == ltMap || n.e.converted == ctMapConv || n.e.converted == ctMapKeyValue)
}

func (n pqNode) typ(depth int) (string, []Column) {
	switch {
	case n.isList() && len(n.kids) == 1:
		rep := n.kids[0]
		elem := rep
		// Three-level lists hold the element inside the repeated group;
		// legacy two-level lists repeat the element itself.
		if rep.e.typ < 0 && len(rep.kids) == 1 && rep.e.name != "array" && rep.e.name != n.e.name+"_tuple" {
			elem = rep.kids[0]
		}
		et, ek := elem.typ(depth + 1)
		return "array<" + et + ">", ek
	case n.isMap() && len(n.kids) == 1 && len(n.kids[0].kids) == 2:
		kv := n.kids[0].kids
		kt, _ := kv[0].typ(depth + 1)
		vt, _ := kv[1].typ(depth + 1)
		return "map<" + kt + "," + vt + ">", nil
	case n.e.typ < 0:
		if depth >= MaxDepth {
			return "struct<...>", nil
		}
		cols := make([]Column, len(n.kids))
		for i, k := range n.kids {
			cols[i] = k.column(depth + 1)
		}
		return structType(cols), uniqueNames(cols)
	}
	return n.e.primitive(), nil
}

func (e schemaElement) primitive() string {
	lt := e.logical
	switch {
	case lt.kind == ltDecimal:
		return fmt.Sprintf("decimal(%d,%d)", lt.precision, lt.scale)
	case e.converted == ctDecimal:
		return fmt.Sprintf("decimal(%d,%d)", e.precision, e.scale)
	case lt.kind == ltString || lt.kind == ltEnum || lt.kind == ltJSON || lt.kind == ltUUID ||
		e.converted == ctUTF8 || e.converted == ctEnum || e.converted == ctJSON:
		return TypeString
	case lt.kind == ltDate || e.converted == ctDate:
		return TypeDate
	case lt.kind == ltTimestamp || e.converted == ctTimestampMillis || e.converted == ctTimestampMicros:
		return TypeTimestamp
	case lt.kind == ltTime || e.converted == ctTimeMillis || e.converted == ctTimeMicros:
		return "time"
	case lt.kind == ltInteger:
		return intType(lt.bitWidth, lt.signed)
	}
	switch e.converted {
	case ctInt8:
		return "tinyint"
	case ctInt16:
		return "smallint"
	case ctUint8, ctUint16:
		return "int"
	case ctUint32:
		return TypeBigint
	case ctUint64:
		return "decimal(20,0)"
	}
	switch e.typ {
	case ptBoolean:
		return TypeBoolean
	case ptInt32:
		return "int"
	case ptInt64:
		return TypeBigint
	case ptInt96:
		return TypeTimestamp
	case ptFloat:
		return "float"
	case ptDouble:
		return TypeDouble
	case ptByteArray, ptFixed:
		return "binary"
	}
	return strings.ToLower(fmt.Sprintf("unknown_%d", e.typ))
}

func intType(bits int8, signed bool) string {
	switch {
	case bits <= 8 && signed:
		return "tinyint"
	case bits <= 16 && signed:
		return "smallint"
	case bits <= 16, bits <= 32 && signed:
		return "int"
	case bits <= 32, signed:
		return TypeBigint
	}
	return "decimal(20,0)"
}
