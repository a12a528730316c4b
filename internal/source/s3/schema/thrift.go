package schema

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// compact reads Thrift's compact protocol from a byte slice. It is written
// for hostile input: every length is checked against the bytes left before
// anything is allocated, and nesting is bounded. (The Parquet library's
// decoder allocates a list of the length the file claims before reading
// it, so a corrupt footer could exhaust memory; hence this reader.)
type compact struct {
	b     []byte
	pos   int
	depth int
}

const (
	ctStop   = 0
	ctTrue   = 1
	ctFalse  = 2
	ctByte   = 3
	ctI16    = 4
	ctI32    = 5
	ctI64    = 6
	ctDouble = 7
	ctBinary = 8
	ctList   = 9
	ctSet    = 10
	ctMap    = 11
	ctStruct = 12

	maxThriftDepth = 64
)

var errThriftShort = errors.New("thrift data ends early")

func (c *compact) byte() (byte, error) {
	if c.pos >= len(c.b) {
		return 0, errThriftShort
	}
	v := c.b[c.pos]
	c.pos++
	return v, nil
}

func (c *compact) uvarint() (uint64, error) {
	v, n := binary.Uvarint(c.b[c.pos:])
	if n <= 0 {
		return 0, fmt.Errorf("bad varint at byte %d", c.pos)
	}
	c.pos += n
	return v, nil
}

func (c *compact) varint() (int64, error) {
	u, err := c.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (c *compact) i32() (int32, error) {
	v, err := c.varint()
	if err == nil && (v > 1<<31-1 || v < -1<<31) {
		return 0, fmt.Errorf("i32 out of range at byte %d", c.pos)
	}
	return int32(v), err
}

func (c *compact) binary() ([]byte, error) {
	n, err := c.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(c.b)-c.pos) {
		return nil, fmt.Errorf("string of %d bytes at byte %d: %w", n, c.pos, errThriftShort)
	}
	v := c.b[c.pos : c.pos+int(n)]
	c.pos += int(n)
	return v, nil
}

// fieldHeader reads a struct field header; typ ctStop ends the struct.
func (c *compact) fieldHeader(last int16) (id int16, typ byte, err error) {
	h, err := c.byte()
	if err != nil {
		return 0, 0, err
	}
	typ = h & 0x0f
	if typ == ctStop {
		return 0, ctStop, nil
	}
	if delta := h >> 4; delta != 0 {
		return last + int16(delta), typ, nil
	}
	v, err := c.varint()
	if err != nil {
		return 0, 0, err
	}
	return int16(v), typ, nil
}

// listHeader reads a list or set header, rejecting sizes the remaining
// bytes cannot hold (every element takes at least one byte, except
// booleans packed in field headers, which do not occur in lists).
func (c *compact) listHeader() (size int, elem byte, err error) {
	h, err := c.byte()
	if err != nil {
		return 0, 0, err
	}
	elem = h & 0x0f
	n := uint64(h >> 4)
	if n == 15 {
		if n, err = c.uvarint(); err != nil {
			return 0, 0, err
		}
	}
	if n > uint64(len(c.b)-c.pos) {
		return 0, 0, fmt.Errorf("list of %d elements at byte %d: %w", n, c.pos, errThriftShort)
	}
	return int(n), elem, nil
}

// skip skips one value of type typ.
func (c *compact) skip(typ byte) error {
	switch typ {
	case ctTrue, ctFalse:
		return nil
	case ctByte:
		_, err := c.byte()
		return err
	case ctI16, ctI32, ctI64:
		_, err := c.uvarint()
		return err
	case ctDouble:
		if len(c.b)-c.pos < 8 {
			return errThriftShort
		}
		c.pos += 8
		return nil
	case ctBinary:
		_, err := c.binary()
		return err
	case ctList, ctSet:
		n, elem, err := c.listHeader()
		if err != nil {
			return err
		}
		return c.nested(func() error {
			for range n {
				if err := c.skipElem(elem); err != nil {
					return err
				}
			}
			return nil
		})
	case ctMap:
		n, err := c.uvarint()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if n > uint64(len(c.b)-c.pos) {
			return errThriftShort
		}
		kv, err := c.byte()
		if err != nil {
			return err
		}
		return c.nested(func() error {
			for range n {
				if err := c.skipElem(kv >> 4); err != nil {
					return err
				}
				if err := c.skipElem(kv & 0x0f); err != nil {
					return err
				}
			}
			return nil
		})
	case ctStruct:
		return c.nested(func() error {
			var last int16
			for {
				id, t, err := c.fieldHeader(last)
				if err != nil || t == ctStop {
					return err
				}
				if err := c.skip(t); err != nil {
					return err
				}
				last = id
			}
		})
	}
	return fmt.Errorf("unknown thrift type %d at byte %d", typ, c.pos)
}

// skipElem skips a list, set or map element: booleans there take a byte.
func (c *compact) skipElem(typ byte) error {
	if typ == ctTrue || typ == ctFalse {
		_, err := c.byte()
		return err
	}
	return c.skip(typ)
}

func (c *compact) nested(f func() error) error {
	if c.depth >= maxThriftDepth {
		return fmt.Errorf("thrift nesting deeper than %d", maxThriftDepth)
	}
	c.depth++
	defer func() { c.depth-- }()
	return f()
}

// readStruct calls field for every field of a struct; field must consume
// the value (or skip it).
func (c *compact) readStruct(field func(id int16, typ byte) error) error {
	return c.nested(func() error {
		var last int16
		for {
			id, t, err := c.fieldHeader(last)
			if err != nil || t == ctStop {
				return err
			}
			if err := field(id, t); err != nil {
				return err
			}
			last = id
		}
	})
}
