package mcpserver

import (
	"context"
	"errors"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// toolError turns err into the text of a tool error: the message an agent
// can act on, then the advice that goes with it. Failures lakemap did not
// classify keep their details in the server log only.
func (s *session) toolError(tool string, err error) error {
	var ae *apperr.Error
	msg := err.Error()
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		msg = "the call was cancelled or timed out before it finished; retry, or narrow the request"
	default:
		s.srv.logger.Error("mcp tool failed", "tool", tool, "client", s.scope.Name, "err", err)
		msg = "internal error in " + tool + "; the lakemap server log has the details"
	}
	var b strings.Builder
	b.WriteString(apperr.KindOf(err).String())
	b.WriteString(": ")
	b.WriteString(msg)
	for _, a := range apperr.AdviceOf(err) {
		b.WriteString("\n- ")
		b.WriteString(a)
	}
	return errors.New(b.String())
}

// awsErr classifies an AWS SDK error once, saying what was being done.
func awsErr(err error, doing string) error {
	return awsconn.Classify(err, doing)
}
