package s3list

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// UseFastDecoder is an S3 client API option: it replaces ListObjectsV2's
// deserializer with one that decodes through Decode, and leaves every other
// operation alone. awsconn's S3 clients carry it.
func UseFastDecoder(stack *middleware.Stack) error {
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
		if result, perr := Decode(data); perr == nil {
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
