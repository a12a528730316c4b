package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Listing a bucket of millions of objects is CPU-bound in the SDK: its
// generic XML decoder spends about 8 µs per listed object, four fifths of
// the scan's CPU. ListObjectsV2's answer is a flat, regular document, so
// fastListObjects decodes it with a purpose-built scanner, and hands any
// answer it does not fully understand (errors, unknown elements, CDATA)
// to the SDK's own deserializer, so that correctness never depends on it.

// fastListObjects is a client API option: it replaces ListObjectsV2's
// deserializer, and leaves every other operation alone.
func fastListObjects(stack *middleware.Stack) error {
	if stack.ID() != "ListObjectsV2" {
		return nil
	}
	fast := &fastListDeserializer{}
	old, err := stack.Deserialize.Swap("OperationDeserializer", fast)
	if err != nil {
		return err
	}
	fast.fallback = old
	return nil
}

// newS3Client is how lakemap builds S3 clients: path-style against custom
// endpoints, no checksum validation of range reads, fast listings.
func newS3Client(cfg aws.Config, pathStyle bool) *awss3.Client {
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		// Emulators and S3-compatible stores behind endPointURL serve
		// buckets as paths, not as host names.
		o.UsePathStyle = pathStyle
		// Samples are byte ranges, which S3's full-object checksums do
		// not cover: validating them is impossible, and the SDK would
		// log so for every read.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.APIOptions = append(o.APIOptions, fastListObjects)
	})
}

type fastListDeserializer struct {
	fallback middleware.DeserializeMiddleware
}

func (*fastListDeserializer) ID() string { return "OperationDeserializer" }

func (d *fastListDeserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error,
) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode != 200 {
		return d.fallback.HandleDeserialize(ctx, in, replay{out, md, err})
	}
	data, rerr := readBody(resp)
	_ = resp.Body.Close()
	if rerr == nil {
		if result, perr := parseListObjectsV2(data); perr == nil {
			// The result holds copies of every string, never the body.
			releaseBody(data)
			if v := resp.Header.Get("x-amz-request-charged"); v != "" {
				result.RequestCharged = types.RequestCharged(strings.TrimSpace(v))
			}
			out.Result = result
			return out, md, nil
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return d.fallback.HandleDeserialize(ctx, in, replay{out, md, rerr})
}

// bodies recycles listing bodies (about 250 KiB a page of 1,000 keys): a
// scan reads one every few milliseconds.
var bodies sync.Pool

// readBody reads a response whole, into a recycled buffer when its length
// is known.
func readBody(resp *smithyhttp.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		var buf []byte
		if b, ok := bodies.Get().(*[]byte); ok && int64(cap(*b)) >= n {
			buf = (*b)[:n]
		} else {
			buf = make([]byte, n)
		}
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(resp.Body)
}

// releaseBody gives a body back once nothing refers to it.
func releaseBody(b []byte) {
	if cap(b) <= 1<<20 {
		bodies.Put(&b)
	}
}

// replay hands an already received response to the SDK's deserializer.
type replay struct {
	out middleware.DeserializeOutput
	md  middleware.Metadata
	err error
}

func (r replay) HandleDeserialize(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
	return r.out, r.md, r.err
}

var (
	errNotFast  = errors.New("not a document the fast path decodes")
	contentsTag = []byte("Contents")
)

// xmlScan walks a document of elements and text without attributes that
// matter, mixed content, comments or CDATA.
type xmlScan struct {
	b []byte
	i int
}

// open reads the next start tag, skipping whitespace and the XML
// declaration; it returns its name and whether it closed itself.
func (s *xmlScan) open() ([]byte, bool, error) {
	for {
		for s.i < len(s.b) && isSpace(s.b[s.i]) {
			s.i++
		}
		if s.i+1 >= len(s.b) || s.b[s.i] != '<' {
			return nil, false, errNotFast
		}
		if s.b[s.i+1] == '?' {
			end := bytes.Index(s.b[s.i:], []byte("?>"))
			if end < 0 {
				return nil, false, errNotFast
			}
			s.i += end + 2
			continue
		}
		if s.b[s.i+1] == '/' || s.b[s.i+1] == '!' {
			return nil, false, errNotFast
		}
		end := bytes.IndexByte(s.b[s.i:], '>')
		if end < 0 {
			return nil, false, errNotFast
		}
		tag := s.b[s.i+1 : s.i+end]
		s.i += end + 1
		self := len(tag) > 0 && tag[len(tag)-1] == '/'
		if self {
			tag = tag[:len(tag)-1]
		}
		for k, c := range tag {
			if isSpace(c) {
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
		return nil, errNotFast
	}
	raw := s.b[s.i : s.i+end]
	s.i += end
	if !s.closing(name) {
		return nil, errNotFast
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

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

var entities = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'"}

func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		if !utf8.Valid(b) {
			return "", errNotFast
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
			return "", errNotFast
		}
		ent := string(b[amp+1 : amp+semi])
		switch {
		case entities[ent] != "":
			out.WriteString(entities[ent])
		case strings.HasPrefix(ent, "#x"):
			r, err := strconv.ParseUint(ent[2:], 16, 32)
			if err != nil {
				return "", errNotFast
			}
			out.WriteRune(rune(r))
		case strings.HasPrefix(ent, "#"):
			r, err := strconv.ParseUint(ent[1:], 10, 32)
			if err != nil {
				return "", errNotFast
			}
			out.WriteRune(rune(r))
		default:
			return "", errNotFast
		}
		b = b[amp+semi+1:]
	}
	if !utf8.ValidString(out.String()) {
		return "", errNotFast
	}
	return out.String(), nil
}

// parseListObjectsV2 decodes a ListBucketResult.
func parseListObjectsV2(data []byte) (*awss3.ListObjectsV2Output, error) {
	s := &xmlScan{b: data}
	root, self, err := s.open()
	if err != nil || string(root) != "ListBucketResult" {
		return nil, errNotFast
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
					return errNotFast
				}
				var e error
				p.Prefix, e = str(cc, ccself)
				return e
			})
			out.CommonPrefixes = append(out.CommonPrefixes, p)
		default:
			return errNotFast
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
		return nil, errNotFast
	}
	return out, nil
}

// objectArena holds the pointed-to fields of a page's types.Object values.
type objectArena struct {
	strs  slab[string]
	sizes slab[int64]
	times slab[time.Time]
}

func newObjectArena(objects int) *objectArena {
	objects = max(objects, 16)
	return &objectArena{strs: newSlab[string](2 * objects), sizes: newSlab[int64](objects), times: newSlab[time.Time](objects)}
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
				return errNotFast
			}
			switch name {
			case "Size":
				n, ok := parseSize(raw)
				if !ok {
					return errNotFast
				}
				o.Size = a.sizes.keep(n)
			case "LastModified":
				t, ok := parseS3Time(raw)
				if !ok {
					return errNotFast
				}
				o.LastModified = a.times.keep(t)
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
			o.Key = a.strs.keep(v)
		case "ETag":
			o.ETag = a.strs.keep(v)
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
					return errNotFast
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
				return errNotFast
			})
		default:
			return errNotFast
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
