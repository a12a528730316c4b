// Package discover holds the pure logic of dataset discovery in S3: what a
// key's format is, which keys are Spark/Delta/Hadoop artifacts, how
// Hive-style partition directories are read and typed, and how the files
// of one dataset are summarised with bounded memory.
package discover

import (
	"net/url"
	"strings"
)

// FileKind says how a key's file name reads.
type FileKind struct {
	// Format is a structured format (csv, tsv, json, jsonl, parquet, avro,
	// orc), another extension in lower case (png, pdf, txt...), or ""
	// when the name has no extension.
	Format string
	// Compression is gzip, bzip2, snappy, zstd, lz4 or "" for a file
	// compressed as a whole (data.csv.gz).
	Compression string
}

// Structured reports whether the format holds records lakemap can read a
// schema from (ORC is recognised but its schema is not read).
func (k FileKind) Structured() bool {
	switch k.Format {
	case "csv", "tsv", "json", "jsonl", "parquet", "avro", "orc":
		return true
	}
	return false
}

var formatByExt = map[string]string{
	"csv": "csv", "tsv": "tsv", "tab": "tsv",
	"json": "json", "jsonl": "jsonl", "ndjson": "jsonl",
	"parquet": "parquet", "parq": "parquet", "pqt": "parquet",
	"avro": "avro", "orc": "orc",
}

var compressionByExt = map[string]string{
	"gz": "gzip", "gzip": "gzip", "bz2": "bzip2", "zst": "zstd", "zstd": "zstd",
	"snappy": "snappy", "lz4": "lz4", "deflate": "deflate",
}

// Classify reads a key's file name: part-0000.snappy.parquet is parquet
// (Spark's codec tag is not a whole-file compression), data.csv.gz is
// gzip-compressed csv.
func Classify(key string) FileKind {
	// Called for every object of a bucket: slices the name, no split.
	name := key[strings.LastIndexByte(key, '/')+1:]
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return FileKind{}
	}
	last := strings.ToLower(name[dot+1:])
	stem := name[:dot]
	if c, ok := compressionByExt[last]; ok && strings.IndexByte(stem, '.') >= 0 {
		inner := strings.ToLower(stem[strings.LastIndexByte(stem, '.')+1:])
		if f, ok := formatByExt[inner]; ok {
			return FileKind{Format: f, Compression: c}
		}
		return FileKind{Format: inner, Compression: c}
	}
	if f, ok := formatByExt[last]; ok {
		return FileKind{Format: f}
	}
	if _, ok := compressionByExt[last]; ok {
		return FileKind{Format: last}
	}
	return FileKind{Format: last}
}

// DefaultExcludes are the path segments of Spark, Hadoop, Delta and Hive
// bookkeeping, never data: OpenMetadata's excludePaths defaults plus the
// committer markers Spark and EMR leave behind.
var DefaultExcludes = []string{"_SUCCESS", "_temporary", "_delta_log", "_spark_metadata", ".tmp", "_committed_", "_started_", "_$folder$", ".crc", "_metadata", "_common_metadata", ".hive-staging"}

// IsArtifact reports whether a path segment (a directory or file name) is
// bookkeeping rather than data.
func IsArtifact(seg string) bool {
	switch {
	case seg == "_SUCCESS", seg == "_temporary", seg == "_delta_log", seg == "_spark_metadata",
		seg == "_metadata", seg == "_common_metadata", seg == "_FAILED":
		return true
	case strings.HasPrefix(seg, "_committed_"), strings.HasPrefix(seg, "_started_"),
		strings.HasSuffix(seg, ".crc"), strings.HasSuffix(seg, "_$folder$"), strings.HasSuffix(seg, ".tmp"),
		strings.HasPrefix(seg, ".hive-staging"), strings.HasPrefix(seg, "."):
		// Hadoop hides files whose names start with "." or "_"; the
		// underscore rule is applied only to the names above, since
		// partitions and datasets may start with one.
		return true
	}
	return false
}

// ExcludedBy reports whether any segment of key matches one of the
// excludePaths: a segment equal to it, or, for entries starting with "."
// or ending with "_", a segment with that suffix or prefix.
func ExcludedBy(key string, excludes []string) bool {
	if len(excludes) == 0 {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		for _, x := range excludes {
			switch {
			case seg == x:
				return true
			case strings.HasPrefix(x, ".") && strings.HasSuffix(seg, x):
				return true
			case strings.HasSuffix(x, "_") && strings.HasPrefix(seg, x):
				return true
			}
		}
	}
	return false
}

// HivePartition parses a key=value directory name. The value is
// URL-unescaped the way Hive escapes it.
func HivePartition(dir string) (key, value string, ok bool) {
	k, v, found := strings.Cut(dir, "=")
	if !found || k == "" || strings.ContainsAny(k, " /") {
		return "", "", false
	}
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return k, v, true
}

// LooksLikeValue reports whether a directory name reads as a partition
// value rather than a dataset name: a number (2024, 01), a date
// (2024-01-02, 20240102) or an hour (2024-01-02-13). Directories of logs
// written by date without key= are partitions, not thousands of datasets.
func LooksLikeValue(dir string) bool {
	if dir == "" || len(dir) > 20 {
		return false
	}
	digits := 0
	for _, r := range dir {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == '_' || r == 'T' || r == ':':
		default:
			return false
		}
	}
	return digits > 0
}
