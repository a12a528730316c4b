package mcpserver

import (
	"errors"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// toolError turns err into the text of a tool error (apperr.Present decides
// it for every surface); what the agent does not see goes to the server log.
func (s *session) toolError(tool string, err error) error {
	p := apperr.Present(err)
	if p.Log {
		s.srv.logger.Error("mcp tool failed", "tool", tool, "client", s.scope.Name, "err", err)
	}
	return errors.New(p.ToolText())
}

// awsErr classifies an AWS SDK error once, saying what was being done.
func awsErr(err error, doing string) error {
	return awsconn.Classify(err, doing)
}
