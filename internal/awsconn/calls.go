package awsconn

import (
	"context"

	"github.com/aws/smithy-go/middleware"
)

// countCalls counts every attempt the connection sends to AWS, retries
// included: what a scan's progress reports as its calls, and what the
// account's API quota sees.
func (s *Session) countCalls(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("lakemapCountCalls",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			s.calls.Add(1)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// Calls is how many requests the session has sent to AWS so far, every
// retry counted, AssumeRole not (it goes through the base credentials).
func (s *Session) Calls() int64 { return s.calls.Load() }
