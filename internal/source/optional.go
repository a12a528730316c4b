package source

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// Notice marks err, given to Sink.Warn, as something the scan did without
// (an optional enrichment turned off, a customer's unusable file, one
// sample unreadable) rather than a listing that failed: every entity was
// still listed, so the scan still succeeds, and the notice is kept as a
// warning of the scan. nil stays nil.
func Notice(err error) error {
	if err == nil {
		return nil
	}
	return &notice{err: err}
}

// IsNotice reports whether err was marked with Notice.
func IsNotice(err error) bool {
	var n *notice
	return errors.As(err, &n)
}

type notice struct{ err error }

func (n *notice) Error() string { return n.err.Error() }
func (n *notice) Unwrap() error { return n.err }

// DefaultOptionalDeadline bounds one call of an optional operation, its
// retries included: as a live MCP tool call is bounded, so that one
// endpoint that never answers cannot stall a scan for an enrichment it can
// do without.
const DefaultOptionalDeadline = 20 * time.Second

// Optional is an enrichment a scan can do without (column statistics,
// user-defined functions, metrics...). The first answer saying the endpoint
// lacks the operation, or the role may not call it, or a call that outlived
// its deadline (Context), turns it off for the rest of the scan with one
// notice naming the operation and the workflow option that controls it;
// asking again would only get the same answer (and, before lakemap stopped
// retrying them, cost minutes on emulators). It is safe for concurrent
// use; the zero value with Operation and Option set is ready, and one is
// made per scan.
type Optional struct {
	// Operation is the AWS call, e.g. "Glue GetColumnStatisticsForTable".
	Operation string
	// Option is how the user turns it off, e.g. "includeColumnStatistics: false".
	Option string
	// Permission is the IAM action a denial asks for, e.g.
	// "glue:GetColumnStatisticsForTable"; "" when there is none to grant.
	Permission string
	// OnDenied, when set, reports a denial instead of the notice (a ReadOnly
	// connection expects some denials and only logs them).
	OnDenied func(ctx context.Context, sink Sink, err error)
	// Deadline bounds each call made with Context; 0 means
	// DefaultOptionalDeadline. Tests shorten it.
	Deadline time.Duration

	off  atomic.Bool
	once sync.Once
}

// On reports whether the enrichment is still on.
func (o *Optional) On() bool { return !o.off.Load() }

// Context is ctx bounded by the deadline of one call of the operation
// (one page of a listing), retries included. Call cancel when the call
// returns.
func (o *Optional) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.deadline())
}

func (o *Optional) deadline() time.Duration {
	if o.Deadline > 0 {
		return o.Deadline
	}
	return DefaultOptionalDeadline
}

// TurnOffOn decides about err (already classified or not) from the
// optional call: when it means "not implemented" or "access denied", or the
// call's deadline passed while the scan's ctx is still live, the
// enrichment is turned off, reported once through sink, and the result is
// true; for any other error (the caller warns as it sees fit) it is false.
func (o *Optional) TurnOffOn(ctx context.Context, sink Sink, err error) bool {
	var why string
	denied := false
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		why = fmt.Sprintf("%s did not answer within %s (retries included)", o.Operation, o.deadline())
	case awsconn.NotImplemented(err):
		why = "the endpoint does not implement " + o.Operation
	case apperr.Is(err, apperr.AccessDenied):
		why, denied = o.Operation+" was denied", true
	default:
		return false
	}
	o.off.Store(true)
	o.once.Do(func() {
		if denied && o.OnDenied != nil {
			o.OnDenied(ctx, sink, err)
			return
		}
		action := "set " + o.Option + " to skip it"
		if denied && o.Permission != "" {
			action = "grant " + o.Permission + ", or " + action
		}
		sink.Warn(ctx, Notice(fmt.Errorf("%s, so it is skipped for the rest of this scan (%s): %w", why, action, err)))
	})
	return true
}
