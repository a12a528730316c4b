// Package s3list decodes S3 ListObjectsV2 answers fast. Listing a bucket of
// millions of objects is CPU-bound in the SDK: its generic XML decoder
// spends about 8 µs per listed object, four fifths of a scan's CPU.
// ListObjectsV2's answer is a flat, regular document, so Decode reads it
// with a purpose-built scanner; UseFastDecoder wires it into an S3 client
// and hands any answer Decode refuses (errors, unknown elements, CDATA) to
// the SDK's own deserializer, so that correctness never depends on it.
package s3list

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lakemap/lakemap/internal/slab"
)

// ErrUnsupported is Decode's answer to a document it does not fully
// understand; the SDK's deserializer then reads it.
var ErrUnsupported = errors.New("not a ListBucketResult the fast decoder reads")

var contentsTag = []byte("Contents")

var s3Namespace = regexp.MustCompile(`^\s+xmlns="[^"<&]*"\s*$`)

// xmlScan walks a document of elements and text without attributes that
// matter, mixed content, comments or CDATA.
type xmlScan struct {
	b []byte
	i int
}

func knownDeclaration(pi []byte) bool {
	switch string(pi) {
	case `<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="utf-8"?>`, `<?xml version="1.0"?>`:
		return true
	}
	return false
}

// open reads the next start tag, skipping whitespace and the XML
// declaration; it returns its name and whether it closed itself.
func (s *xmlScan) open() ([]byte, bool, error) {
	for {
		for s.i < len(s.b) && isSpace(s.b[s.i]) {
			s.i++
		}
		if s.i+1 >= len(s.b) || s.b[s.i] != '<' {
			return nil, false, ErrUnsupported
		}
		if s.b[s.i+1] == '?' {
			// Only the declarations S3 sends: the SDK's decoder refuses
			// other versions and encodings and malformed instructions, and
			// Decode must never accept what it refuses.
			end := bytes.Index(s.b[s.i:], []byte("?>"))
			if end < 0 || !knownDeclaration(s.b[s.i:s.i+end+2]) {
				return nil, false, ErrUnsupported
			}
			s.i += end + 2
			continue
		}
		if s.b[s.i+1] == '/' || s.b[s.i+1] == '!' {
			return nil, false, ErrUnsupported
		}
		end := bytes.IndexByte(s.b[s.i:], '>')
		if end < 0 {
			return nil, false, ErrUnsupported
		}
		tag := s.b[s.i+1 : s.i+end]
		s.i += end + 1
		self := len(tag) > 0 && tag[len(tag)-1] == '/'
		if self {
			tag = tag[:len(tag)-1]
		}
		for k, c := range tag {
			if isSpace(c) {
				// S3 puts only its namespace on an element; anything else
				// (which the SDK may refuse) goes to the SDK.
				if !s3Namespace.Match(tag[k:]) {
					return nil, false, ErrUnsupported
				}
				tag = tag[:k]
				break
			}
		}
		return tag, self, nil
	}
}

// closing reports whether the next tag closes name, and consumes it.
func (s *xmlScan) closing(name []byte) bool {
	j := s.i
	for j < len(s.b) && isSpace(s.b[j]) {
		j++
	}
	if j+2+len(name) < len(s.b) && s.b[j] == '<' && s.b[j+1] == '/' &&
		bytes.Equal(s.b[j+2:j+2+len(name)], name) && s.b[j+2+len(name)] == '>' {
		s.i = j + 3 + len(name)
		return true
	}
	return false
}

// text reads an element's text and its closing tag.
func (s *xmlScan) text(name []byte, self bool) (string, error) {
	raw, err := s.raw(name, self)
	if err != nil {
		return "", err
	}
	return unescape(raw)
}

// raw reads an element's text as it stands in the document, entities not
// decoded, and its closing tag. The bytes are the document's own.
func (s *xmlScan) raw(name []byte, self bool) ([]byte, error) {
	if self {
		return nil, nil
	}
	end := bytes.IndexByte(s.b[s.i:], '<')
	if end < 0 {
		return nil, ErrUnsupported
	}
	raw := s.b[s.i : s.i+end]
	// XML 1.0 forbids control characters other than tab and line breaks;
	// the SDK's decoder refuses them, so this one must too.
	for _, c := range raw {
		if c < 0x20 && !isSpace(c) {
			return nil, ErrUnsupported
		}
	}
	s.i += end
	if !s.closing(name) {
		return nil, ErrUnsupported
	}
	return raw, nil
}

// children calls f for each child element of the element just opened.
func (s *xmlScan) children(name []byte, self bool, f func(child []byte, self bool) error) error {
	if self {
		return nil
	}
	for !s.closing(name) {
		child, cself, err := s.open()
		if err != nil {
			return err
		}
		if err := f(child, cself); err != nil {
			return err
		}
	}
	return nil
}

// xmlChar reports whether r may stand in an XML 1.0 document (its Char
// production), as a character reference too.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

var entities = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'"}

func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		if !utf8.Valid(b) {
			return "", ErrUnsupported
		}
		return string(b), nil
	}
	var out strings.Builder
	for len(b) > 0 {
		amp := bytes.IndexByte(b, '&')
		if amp < 0 {
			out.Write(b)
			break
		}
		out.Write(b[:amp])
		semi := bytes.IndexByte(b[amp:], ';')
		if semi < 0 {
			return "", ErrUnsupported
		}
		ent := string(b[amp+1 : amp+semi])
		switch {
		case entities[ent] != "":
			out.WriteString(entities[ent])
		case strings.HasPrefix(ent, "#x"):
			r, err := strconv.ParseUint(ent[2:], 16, 32)
			if err != nil || !xmlChar(rune(r)) {
				return "", ErrUnsupported
			}
			out.WriteRune(rune(r))
		case strings.HasPrefix(ent, "#"):
			r, err := strconv.ParseUint(ent[1:], 10, 32)
			if err != nil || !xmlChar(rune(r)) {
				return "", ErrUnsupported
			}
			out.WriteRune(rune(r))
		default:
			return "", ErrUnsupported
		}
		b = b[amp+semi+1:]
	}
	if !utf8.ValidString(out.String()) {
		return "", ErrUnsupported
	}
	return out.String(), nil
}

// Decode reads a ListBucketResult document into the SDK's output type, the
// result the SDK's deserializer gives for the same bytes. It returns
// ErrUnsupported, never a partial result, for anything else, and never
// keeps a reference to data.
func Decode(data []byte) (*awss3.ListObjectsV2Output, error) {
	s := &xmlScan{b: data}
	root, self, err := s.open()
	if err != nil || string(root) != "ListBucketResult" {
		return nil, ErrUnsupported
	}
	out := &awss3.ListObjectsV2Output{}
	var arena *objectArena
	str := func(name []byte, self bool) (*string, error) {
		v, err := s.text(name, self)
		return &v, err
	}
	err = s.children(root, self, func(c []byte, cself bool) error {
		var err error
		switch string(c) {
		case "Name":
			out.Name, err = str(c, cself)
		case "Prefix":
			out.Prefix, err = str(c, cself)
		case "Delimiter":
			out.Delimiter, err = str(c, cself)
		case "ContinuationToken":
			out.ContinuationToken, err = str(c, cself)
		case "NextContinuationToken":
			out.NextContinuationToken, err = str(c, cself)
		case "StartAfter":
			out.StartAfter, err = str(c, cself)
		case "EncodingType":
			var v string
			v, err = s.text(c, cself)
			out.EncodingType = types.EncodingType(v)
		case "IsTruncated":
			var v string
			if v, err = s.text(c, cself); err == nil {
				b, perr := strconv.ParseBool(v)
				out.IsTruncated, err = &b, perr
			}
		case "MaxKeys", "KeyCount":
			var v string
			if v, err = s.text(c, cself); err == nil {
				n, perr := strconv.ParseInt(v, 10, 32)
				n32 := int32(n)
				if string(c) == "MaxKeys" {
					out.MaxKeys = &n32
				} else {
					out.KeyCount = &n32
				}
				err = perr
			}
		case "Contents":
			if out.Contents == nil && out.KeyCount != nil {
				// KeyCount comes first: size the list once.
				out.Contents = make([]types.Object, 0, max(*out.KeyCount, 0))
			}
			if arena == nil {
				arena = newObjectArena(cap(out.Contents))
			}
			var o types.Object
			if err = parseObject(s, cself, &o, arena); err == nil {
				out.Contents = append(out.Contents, o)
			}
		case "CommonPrefixes":
			var p types.CommonPrefix
			err = s.children(c, cself, func(cc []byte, ccself bool) error {
				if string(cc) != "Prefix" {
					return ErrUnsupported
				}
				var e error
				p.Prefix, e = str(cc, ccself)
				return e
			})
			out.CommonPrefixes = append(out.CommonPrefixes, p)
		default:
			return ErrUnsupported
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
	if s.i != len(s.b) {
		return nil, ErrUnsupported
	}
	return out, nil
}

// objectArena holds the pointed-to fields of a page's types.Object values.
type objectArena struct {
	strs  slab.Of[string]
	sizes slab.Of[int64]
	times slab.Of[time.Time]
}

func newObjectArena(objects int) *objectArena {
	objects = max(objects, 16)
	return &objectArena{strs: slab.New[string](2 * objects), sizes: slab.New[int64](objects), times: slab.New[time.Time](objects)}
}

func parseObject(s *xmlScan, self bool, o *types.Object, a *objectArena) error {
	return s.children(contentsTag, self, func(c []byte, cself bool) error {
		name := string(c) // does not allocate: compared, never kept
		switch name {
		case "Size", "LastModified", "StorageClass":
			// Kept as numbers, times and known names: read in place,
			// without a string copy.
			raw, err := s.raw(c, cself)
			if err != nil || bytes.IndexByte(raw, '&') >= 0 {
				return ErrUnsupported
			}
			switch name {
			case "Size":
				n, ok := parseSize(raw)
				if !ok {
					return ErrUnsupported
				}
				o.Size = a.sizes.Keep(n)
			case "LastModified":
				t, ok := parseS3Time(raw)
				if !ok {
					return ErrUnsupported
				}
				o.LastModified = a.times.Keep(t)
			default:
				o.StorageClass = storageClass(raw)
			}
			return nil
		}
		var v string
		if name != "Owner" && name != "RestoreStatus" {
			var err error
			if v, err = s.text(c, cself); err != nil {
				return err
			}
		}
		switch name {
		case "Key":
			o.Key = a.strs.Keep(v)
		case "ETag":
			o.ETag = a.strs.Keep(v)
		case "ChecksumAlgorithm":
			o.ChecksumAlgorithm = append(o.ChecksumAlgorithm, types.ChecksumAlgorithm(v))
		case "ChecksumType":
			o.ChecksumType = types.ChecksumType(v)
		case "Owner":
			owner := &types.Owner{}
			o.Owner = owner
			return s.children(c, cself, func(oc []byte, oself bool) error {
				v, err := s.text(oc, oself)
				switch string(oc) {
				case "ID":
					owner.ID = &v
				case "DisplayName":
					owner.DisplayName = &v
				default:
					return ErrUnsupported
				}
				return err
			})
		case "RestoreStatus":
			rs := &types.RestoreStatus{}
			o.RestoreStatus = rs
			return s.children(c, cself, func(rc []byte, rself bool) error {
				v, err := s.text(rc, rself)
				if err != nil {
					return err
				}
				switch string(rc) {
				case "IsRestoreInProgress":
					b, err := strconv.ParseBool(v)
					rs.IsRestoreInProgress = &b
					return err
				case "RestoreExpiryDate":
					t, err := time.Parse(time.RFC3339Nano, v)
					rs.RestoreExpiryDate = &t
					return err
				}
				return ErrUnsupported
			})
		default:
			return ErrUnsupported
		}
		return nil
	})
}

// parseSize reads a non-negative decimal that fits an int64.
func parseSize(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseS3Time reads the timestamps S3 listings carry,
// 2006-01-02T15:04:05.000Z, falling back to RFC 3339 for any other form.
func parseS3Time(b []byte) (time.Time, bool) {
	if len(b) == 24 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == '.' && b[23] == 'Z' {
		num := func(i, j int) (int, bool) {
			n := 0
			for _, c := range b[i:j] {
				if c < '0' || c > '9' {
					return 0, false
				}
				n = n*10 + int(c-'0')
			}
			return n, true
		}
		year, ok1 := num(0, 4)
		month, ok2 := num(5, 7)
		day, ok3 := num(8, 10)
		hour, ok4 := num(11, 13)
		minute, ok5 := num(14, 16)
		sec, ok6 := num(17, 19)
		milli, ok7 := num(20, 23)
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && sec < 61 {
			return time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC), true
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	return t, err == nil
}

var knownStorageClasses = types.ObjectStorageClass("").Values()

// storageClass names a storage class, without a copy for the known ones.
func storageClass(b []byte) types.ObjectStorageClass {
	for _, c := range knownStorageClasses {
		if string(c) == string(b) {
			return c
		}
	}
	return types.ObjectStorageClass(b)
}
