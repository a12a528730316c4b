package mcpserver

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// ObjectRef names one S3 object.
type ObjectRef struct {
	Conn
	Bucket string `json:"bucket" jsonschema:"bucket name (no s3:// prefix)"`
	Key    string `json:"key" jsonschema:"object key"`
}

func (r ObjectRef) uri() string { return "s3://" + r.Bucket + "/" + r.Key }

func (r *ObjectRef) check() error {
	r.Bucket = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(r.Bucket), "s3://"), "/")
	if r.Bucket == "" {
		return apperr.New(apperr.Invalid, "bucket is required")
	}
	if r.Key == "" {
		return apperr.New(apperr.Invalid, "key is required")
	}
	return nil
}

// bucketRegion reads a bucket's region from the catalog, so a bucket in
// another region than the connection's is called there; "" when unknown.
func (c *liveConn) bucketRegion(ctx context.Context, bucket string) string {
	e, err := c.s.srv.opts.Store.Get(ctx, catalog.Child(catalog.QuotePart(c.name), bucket))
	if err != nil {
		return ""
	}
	return str(e.Attrs, "region")
}

func (c *liveConn) s3For(ctx context.Context, bucket string) *s3.Client {
	return c.s3(c.bucketRegion(ctx, bucket))
}

// S3ListInput is s3_list_objects' arguments.
type S3ListInput struct {
	Conn
	Bucket    string `json:"bucket" jsonschema:"bucket name"`
	Prefix    string `json:"prefix,omitempty" jsonschema:"only keys starting with this"`
	Delimiter string `json:"delimiter,omitempty" jsonschema:"group keys by this separator (usually /): keys past it come back as prefixes, like folders"`
	Limit     int    `json:"limit,omitempty" jsonschema:"keys and prefixes per page; default 100, at most 1000 (cut to fit the response size)"`
	Cursor    string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// S3ObjectView is one listed object.
type S3ObjectView struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
	StorageClass string    `json:"storageClass,omitempty"`
}

// S3ListOutput is one page of s3_list_objects.
type S3ListOutput struct {
	Bucket     string         `json:"bucket"`
	Prefix     string         `json:"prefix,omitempty"`
	Objects    []S3ObjectView `json:"objects"`
	Prefixes   []string       `json:"prefixes,omitempty" jsonschema:"common prefixes (folders) when a delimiter is given"`
	Truncated  bool           `json:"truncated" jsonschema:"true when more keys exist than this page shows"`
	NextCursor string         `json:"nextCursor,omitempty"`
}

const defaultS3Limit = 100

func s3ListObjects(ctx context.Context, c *liveConn, in S3ListInput) (S3ListOutput, string, error) {
	out := S3ListOutput{Bucket: in.Bucket, Prefix: in.Prefix}
	ref := ObjectRef{Bucket: in.Bucket, Key: "-"}
	if err := ref.check(); err != nil {
		return out, "", err
	}
	out.Bucket = ref.Bucket
	limit, _, err := limitArg("limit", in.Limit, defaultS3Limit, 1000)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	size := limit
	if cur.Size > 0 {
		size = cur.Size
	}
	req := &s3.ListObjectsV2Input{Bucket: aws.String(ref.Bucket), MaxKeys: aws.Int32(int32(size))}
	if in.Prefix != "" {
		req.Prefix = aws.String(in.Prefix)
	}
	if in.Delimiter != "" {
		req.Delimiter = aws.String(in.Delimiter)
	}
	if cur.Token != "" {
		req.ContinuationToken = aws.String(cur.Token)
	}
	res, err := c.s3For(ctx, ref.Bucket).ListObjectsV2(ctx, req)
	if err != nil {
		return out, "", awsErr(err, fmt.Sprintf("listing objects in s3://%s/%s", ref.Bucket, in.Prefix))
	}
	// Keys and prefixes come back in two lists; one ordered list makes a
	// page cut anywhere resumable.
	type entry struct {
		name   string
		obj    *S3ObjectView
		prefix bool
	}
	var entries []entry
	for _, o := range res.Contents {
		entries = append(entries, entry{name: aws.ToString(o.Key), obj: &S3ObjectView{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size),
			LastModified: aws.ToTime(o.LastModified), StorageClass: string(o.StorageClass)}})
	}
	for _, p := range res.CommonPrefixes {
		entries = append(entries, entry{name: aws.ToString(p.Prefix), prefix: true})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	page, _ := pageByOffset(entries, cur.Skip, limit)
	b := answerBudget()
	sized := make([]any, len(page))
	for i, e := range page {
		if sized[i] = e.name; !e.prefix {
			sized[i] = e.obj
		}
	}
	page = page[:fitCount(sized, b.json-300)]
	for _, e := range page {
		if e.prefix {
			out.Prefixes = append(out.Prefixes, e.name)
		} else {
			out.Objects = append(out.Objects, *e.obj)
		}
	}
	if out.Objects == nil {
		out.Objects = []S3ObjectView{}
	}
	switch skip := cur.Skip + len(page); {
	case skip < len(entries):
		out.NextCursor = cursor{Token: cur.Token, Skip: skip, Size: size}.encode()
	case aws.ToBool(res.IsTruncated):
		out.NextCursor = cursor{Token: aws.ToString(res.NextContinuationToken), Size: limit}.encode()
	}
	out.Truncated = out.NextCursor != ""

	t := newText(b.text)
	t.line("s3://%s/%s: %d objects, %d prefixes on this page", ref.Bucket, in.Prefix, len(out.Objects), len(out.Prefixes))
	for _, e := range page {
		if e.prefix {
			t.line("  %s (prefix)", e.name)
		} else {
			t.line("  %s %d bytes %s %s", e.obj.Key, e.obj.Size, e.obj.LastModified.UTC().Format(time.RFC3339), e.obj.StorageClass)
		}
	}
	pageNote(t, len(page), 0, false, out.NextCursor)
	return out, t.String(), nil
}

// S3MetadataInput is s3_get_object_metadata's arguments.
type S3MetadataInput struct {
	ObjectRef
	VersionID string `json:"versionId,omitempty" jsonschema:"a specific version; default the current one"`
}

// S3MetadataOutput is an object's metadata.
type S3MetadataOutput struct {
	Bucket          string            `json:"bucket"`
	Key             string            `json:"key"`
	Size            int64             `json:"size"`
	ContentType     string            `json:"contentType,omitempty"`
	ContentEncoding string            `json:"contentEncoding,omitempty"`
	ETag            string            `json:"etag,omitempty"`
	LastModified    *time.Time        `json:"lastModified,omitempty"`
	StorageClass    string            `json:"storageClass,omitempty"`
	VersionID       string            `json:"versionId,omitempty"`
	Encryption      string            `json:"serverSideEncryption,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty" jsonschema:"user metadata (x-amz-meta-*), values clipped"`
}

func s3GetObjectMetadata(ctx context.Context, c *liveConn, in S3MetadataInput) (S3MetadataOutput, string, error) {
	var out S3MetadataOutput
	if err := in.check(); err != nil {
		return out, "", err
	}
	req := &s3.HeadObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key)}
	if in.VersionID != "" {
		req.VersionId = aws.String(in.VersionID)
	}
	res, err := c.s3For(ctx, in.Bucket).HeadObject(ctx, req)
	if err != nil {
		return out, "", awsErr(err, "reading metadata of "+in.uri())
	}
	out = S3MetadataOutput{Bucket: in.Bucket, Key: in.Key, Size: aws.ToInt64(res.ContentLength),
		ContentType: aws.ToString(res.ContentType), ContentEncoding: aws.ToString(res.ContentEncoding),
		ETag: aws.ToString(res.ETag), LastModified: res.LastModified, StorageClass: string(res.StorageClass),
		VersionID: aws.ToString(res.VersionId), Encryption: string(res.ServerSideEncryption)}
	for k, v := range res.Metadata {
		if out.Metadata == nil {
			out.Metadata = map[string]string{}
		}
		if len(out.Metadata) < 50 {
			out.Metadata[k] = clipped(v, 200)
		}
	}
	t := newText(answerTextBudget)
	t.line("%s: %d bytes, type %s, modified %s", in.uri(), out.Size, orDash(out.ContentType), timeOrDash(out.LastModified))
	t.line("etag %s, storage class %s, encoding %s, version %s", orDash(out.ETag), orDash(out.StorageClass), orDash(out.ContentEncoding), orDash(out.VersionID))
	for _, k := range sortedKeys(out.Metadata) {
		t.line("meta %s: %s", k, out.Metadata[k])
	}
	return out, t.String(), nil
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
