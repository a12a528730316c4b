package mcpserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// Read sizes of s3_read_object. The text lands twice in the result
// (structured and text), so the default stays small.
const (
	defaultReadBytes = 4_000
	maxReadBytes     = 20_000
	// maxPutBytes bounds what an agent may upload in one call.
	maxPutBytes = 1 << 20
)

// S3ReadInput is s3_read_object's arguments.
type S3ReadInput struct {
	ObjectRef
	Offset   int64 `json:"offset,omitempty" jsonschema:"byte offset to start at (nextOffset of the previous read)"`
	MaxBytes int   `json:"maxBytes,omitempty" jsonschema:"bytes to read; default 4000, at most 20000"`
}

// S3ReadOutput is a slice of a text object.
type S3ReadOutput struct {
	Bucket      string `json:"bucket"`
	Key         string `json:"key"`
	Size        int64  `json:"size" jsonschema:"the object's full size in bytes"`
	ContentType string `json:"contentType,omitempty"`
	Offset      int64  `json:"offset"`
	Bytes       int    `json:"bytes" jsonschema:"bytes of the object in content"`
	Content     string `json:"content"`
	Truncated   bool   `json:"truncated" jsonschema:"true when the object goes on past this slice"`
	NextOffset  int64  `json:"nextOffset,omitempty"`
}

func s3ReadObject(ctx context.Context, c *liveConn, in S3ReadInput) (S3ReadOutput, string, error) {
	var out S3ReadOutput
	if err := in.check(); err != nil {
		return out, "", err
	}
	n, _, err := limitArg("maxBytes", in.MaxBytes, defaultReadBytes, maxReadBytes)
	if err != nil {
		return out, "", err
	}
	if in.Offset < 0 {
		return out, "", apperr.New(apperr.Invalid, "offset %d: must be 0 or more", in.Offset)
	}
	if reason := binaryByName(in.Key); reason != "" {
		return out, "", binaryRefusal(in.uri(), reason)
	}
	// Three spare bytes let the slice end on a whole character.
	res, err := c.s3For(ctx, in.Bucket).GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(in.Bucket), Key: aws.String(in.Key),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", in.Offset, in.Offset+int64(n)+2)),
	})
	if err != nil {
		if in.Offset > 0 && awsconn.ErrorCode(err) == "InvalidRange" {
			return out, "", apperr.New(apperr.Invalid, "offset %d is past the end of %s; s3_get_object_metadata gives its size", in.Offset, in.uri())
		}
		return out, "", awsErr(err, "reading "+in.uri())
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, int64(n)+3))
	if err != nil {
		return out, "", awsErr(err, "reading "+in.uri())
	}
	size := totalSize(aws.ToString(res.ContentRange), in.Offset+int64(len(data)))
	// An offset inside a character starts at the next whole one.
	start := in.Offset
	for i := 0; i < utf8.UTFMax-1 && len(data) > 0 && !utf8.RuneStart(data[0]); i++ {
		data, start = data[1:], start+1
	}
	ctype := aws.ToString(res.ContentType)
	if enc := aws.ToString(res.ContentEncoding); enc != "" && enc != "identity" && enc != "utf-8" {
		return out, "", binaryRefusal(in.uri(), fmt.Sprintf("Content-Encoding %s, %d bytes", enc, size))
	}
	if reason := binaryContent(data, ctype, start+int64(len(data)) < size); reason != "" {
		return out, "", binaryRefusal(in.uri(), fmt.Sprintf("%s; content type %s, %d bytes", reason, orDash(ctype), size))
	}
	text := data
	if len(text) > n {
		// Drop a character split by the slice end; the next read starts at it.
		text = cutToRune(text[:n])
	}
	out = S3ReadOutput{Bucket: in.Bucket, Key: in.Key, Size: size, ContentType: ctype, Offset: start,
		Bytes: len(text), Content: string(text)}
	if end := start + int64(len(text)); end < size {
		out.Truncated, out.NextOffset = true, end
	}
	header := fmt.Sprintf("%s bytes %d-%d of %d", in.uri(), start, start+int64(len(text)), size)
	if out.Truncated {
		header += fmt.Sprintf(" (truncated: read on with offset %d)", out.NextOffset)
	}
	return out, header + "\n" + out.Content, nil
}

// totalSize reads the full size from a Content-Range header ("bytes 0-99/1234").
func totalSize(contentRange string, fallback int64) int64 {
	if i := strings.LastIndexByte(contentRange, '/'); i >= 0 {
		if n, err := strconv.ParseInt(contentRange[i+1:], 10, 64); err == nil {
			return n
		}
	}
	return fallback
}

// binaryByName recognises data formats by extension, before any download.
func binaryByName(key string) string {
	switch ext := strings.ToLower(path.Ext(key)); ext {
	case ".parquet", ".orc", ".avro", ".gz", ".gzip", ".zip", ".bz2", ".xz", ".zst", ".snappy", ".lz4", ".7z", ".tar",
		".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".mp3", ".mp4", ".mov", ".wav", ".bin", ".exe", ".so", ".jar", ".class", ".pyc", ".xlsx", ".docx":
		return "the " + ext + " extension marks a binary format"
	}
	return ""
}

// binaryContent sniffs a slice: NUL bytes, invalid UTF-8 (other than a
// character cut by the slice end) or many control characters mean binary.
// A declared binary media type counts only when the bytes agree.
func binaryContent(data []byte, ctype string, more bool) string {
	if bytes.IndexByte(data, 0) >= 0 {
		return "it contains NUL bytes"
	}
	check := data
	if more {
		check = cutToRune(check)
	}
	if !utf8.Valid(check) {
		return "it is not valid UTF-8 text"
	}
	ctrl := 0
	for _, r := range string(check) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' {
			ctrl++
		}
	}
	if len(check) > 0 && ctrl*20 > len(check) {
		return "it is mostly control characters"
	}
	for _, p := range []string{"image/", "audio/", "video/", "application/zip", "application/gzip", "application/x-parquet", "application/vnd.apache.parquet"} {
		if strings.HasPrefix(ctype, p) {
			return "its content type is " + ctype
		}
	}
	return ""
}

// cutToRune drops a character cut short at the end of b.
func cutToRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size > 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

func binaryRefusal(uri, reason string) error {
	return &apperr.Error{Kind: apperr.Invalid,
		Msg: fmt.Sprintf("%s looks binary (%s): s3_read_object returns text only", uri, reason),
		Advice: []string{
			"s3_get_object_metadata gives its size and type",
			"for table data (Parquet, ORC, Avro...) read the schema with get_table_schema or query it with Athena",
		}}
}

// S3PutInput is s3_put_object's arguments.
type S3PutInput struct {
	ObjectRef
	Content     string `json:"content" jsonschema:"the object's text (UTF-8), at most 1 MiB"`
	ContentType string `json:"contentType,omitempty" jsonschema:"Content-Type; default text/plain; charset=utf-8"`
}

// S3WriteOutput is what a write to S3 did.
type S3WriteOutput struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	Bytes        int    `json:"bytes,omitempty"`
	ETag         string `json:"etag,omitempty"`
	VersionID    string `json:"versionId,omitempty"`
	DeleteMarker bool   `json:"deleteMarker,omitempty"`
}

func s3PutObject(ctx context.Context, c *liveConn, in S3PutInput) (S3WriteOutput, string, error) {
	var out S3WriteOutput
	if err := in.check(); err != nil {
		return out, "", err
	}
	if len(in.Content) > maxPutBytes {
		return out, "", apperr.New(apperr.Invalid, "content is %d bytes; s3_put_object writes at most %d", len(in.Content), maxPutBytes)
	}
	ctype := orDefault(in.ContentType, "text/plain; charset=utf-8")
	res, err := c.s3For(ctx, in.Bucket).PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(in.Bucket), Key: aws.String(in.Key), Body: strings.NewReader(in.Content),
		ContentLength: aws.Int64(int64(len(in.Content))), ContentType: aws.String(ctype),
	})
	if err != nil {
		return out, "", awsErr(err, "writing "+in.uri())
	}
	out = S3WriteOutput{Bucket: in.Bucket, Key: in.Key, Bytes: len(in.Content), ETag: aws.ToString(res.ETag), VersionID: aws.ToString(res.VersionId)}
	return out, fmt.Sprintf("wrote %d bytes to %s (etag %s)", out.Bytes, in.uri(), orDash(out.ETag)), nil
}

// S3DeleteInput is s3_delete_object's arguments.
type S3DeleteInput struct {
	ObjectRef
	VersionID string `json:"versionId,omitempty" jsonschema:"delete this version for good; default: the current object (a delete marker on versioned buckets)"`
}

func s3DeleteObject(ctx context.Context, c *liveConn, in S3DeleteInput) (S3WriteOutput, string, error) {
	var out S3WriteOutput
	if err := in.check(); err != nil {
		return out, "", err
	}
	req := &s3.DeleteObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key)}
	if in.VersionID != "" {
		req.VersionId = aws.String(in.VersionID)
	}
	res, err := c.s3For(ctx, in.Bucket).DeleteObject(ctx, req)
	if err != nil {
		return out, "", awsErr(err, "deleting "+in.uri())
	}
	out = S3WriteOutput{Bucket: in.Bucket, Key: in.Key, VersionID: aws.ToString(res.VersionId), DeleteMarker: aws.ToBool(res.DeleteMarker)}
	return out, "deleted " + in.uri(), nil
}
