package schema

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// Format names a structured file format.
type Format string

// The formats Infer reads.
const (
	CSV     Format = "csv"
	TSV     Format = "tsv"
	JSON    Format = "json"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
	Avro    Format = "avro"
)

// Supported reports whether Infer can read format.
func Supported(f Format) bool {
	switch f {
	case CSV, TSV, JSON, JSONL, Parquet, Avro:
		return true
	}
	return false
}

// Reader reads byte ranges of one object (S3 GetObject with a Range header).
type Reader interface {
	// ReadRange returns the bytes [off, off+n) of the object, fewer at its
	// end. It must never return more than n bytes.
	ReadRange(ctx context.Context, off, n int64) ([]byte, error)
}

// Options tune one inference.
type Options struct {
	// MaxBytes bounds the bytes read from the file: the prefix of a text
	// or Avro file, the footer of a Parquet file. 0 means DefaultMaxBytes.
	MaxBytes int64
	// Separator is the CSV field separator; "" detects it.
	Separator string
	// Compression is "gzip", "bzip2" or "" for a file compressed as a whole.
	Compression string
	// MaxRows bounds the rows used for type inference; 0 means DefaultMaxRows.
	MaxRows int
}

// Defaults of Options.
const (
	DefaultMaxBytes = 256 << 10
	DefaultMaxRows  = 1000
	// decompressFactor bounds the decompressed bytes of a compressed
	// sample relative to MaxBytes, against compression bombs.
	decompressFactor = 8
)

// ErrEmpty is returned for a file of zero bytes.
var ErrEmpty = errors.New("the file is empty")

// Infer reads at most opt.MaxBytes of the object (size bytes long) and
// returns its columns. It never panics: a panic in a parser on hostile
// input becomes an error.
func Infer(ctx context.Context, r Reader, size int64, format Format, opt Options) (cols []Column, err error) {
	defer func() {
		if p := recover(); p != nil {
			cols, err = nil, fmt.Errorf("%s parser failed on this file (a lakemap bug): %v\n%s", format, p, debug.Stack())
		}
	}()
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if size == 0 {
		return nil, ErrEmpty
	}
	if format == Parquet {
		if opt.Compression != "" {
			return nil, fmt.Errorf("a %s-compressed Parquet file cannot be read without reading it whole", opt.Compression)
		}
		return inferParquet(ctx, r, size, opt.MaxBytes)
	}
	data, truncated, err := readPrefix(ctx, r, size, opt)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, ErrEmpty
	}
	switch format {
	case CSV, TSV:
		sep := opt.Separator
		if sep == "" && format == TSV {
			sep = "\t"
		}
		cols, err = inferCSV(data, truncated, sep, opt.MaxRows)
	case JSON, JSONL:
		cols, err = inferJSON(data, truncated, opt.MaxRows)
	case Avro:
		cols, err = inferAvro(data)
	default:
		return nil, fmt.Errorf("format %q has no schema inference", format)
	}
	if err != nil {
		return nil, err
	}
	return uniqueNames(cols), nil
}

// readPrefix reads the first MaxBytes of the object and decompresses them
// when the object is compressed. truncated says the data stops before the
// end of the file, so its last record may be cut.
func readPrefix(ctx context.Context, r Reader, size int64, opt Options) ([]byte, bool, error) {
	n := min(size, opt.MaxBytes)
	if size < 0 {
		n = opt.MaxBytes
	}
	raw, err := r.ReadRange(ctx, 0, n)
	if err != nil {
		return nil, false, err
	}
	if int64(len(raw)) > n {
		return nil, false, fmt.Errorf("asked for %d bytes, got %d", n, len(raw))
	}
	cut := size < 0 || int64(len(raw)) < size
	var zr io.Reader
	switch opt.Compression {
	case "":
		return raw, cut, nil
	case "gzip":
		g, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, false, fmt.Errorf("reading gzip header: %w", err)
		}
		g.Multistream(true)
		zr = g
	case "bzip2":
		zr = bzip2.NewReader(bytes.NewReader(raw))
	default:
		return nil, false, fmt.Errorf("%s-compressed files are not sampled", opt.Compression)
	}
	limit := opt.MaxBytes * decompressFactor
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	switch {
	case int64(len(out)) > limit:
		return out[:limit], true, nil
	case err == nil:
		return out, cut, nil
	case cut && len(out) > 0:
		// The compressed stream was cut by the range: what decompressed
		// before the cut is good data.
		return out, true, nil
	default:
		return nil, false, fmt.Errorf("decompressing %s data: %w", opt.Compression, err)
	}
}
