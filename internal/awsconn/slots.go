package awsconn

import (
	"context"
	"io"
	"sync"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// HoldSlot returns an API option that makes every attempt of a call take a
// slot of slots from sending its request until its answer's body has been
// read and closed: the time the call is out at AWS. Decoding the answer
// and what the caller does with it happen outside the slot, so they
// overlap other calls instead of keeping AWS idle (decoding a page of
// 1,000 Glue partitions or S3 keys is real CPU work). id names the
// middleware; a stack holds one per id.
func HoldSlot(id string, slots chan struct{}) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(id,
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					return middleware.DeserializeOutput{}, middleware.Metadata{}, ctx.Err()
				}
				var once sync.Once
				release := func() { once.Do(func() { <-slots }) }
				out, md, err := next.HandleDeserialize(ctx, in)
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
					resp.Body = &releaseOnClose{ReadCloser: resp.Body, release: release}
				} else {
					release()
				}
				return out, md, err
			}), middleware.After)
	}
}

// releaseOnClose frees a slot once its body is closed.
type releaseOnClose struct {
	io.ReadCloser
	release func()
}

func (r *releaseOnClose) Close() error {
	defer r.release()
	return r.ReadCloser.Close()
}
