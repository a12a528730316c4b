package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// DefaultLiveDeadline bounds one live tool call, AWS retries included: an
// agent's client gives up after about 60 s, so lakemap answers well before
// with an error it can act on instead of leaving the call hanging.
const DefaultLiveDeadline = 20 * time.Second

// errLiveDeadline is the cause of a live call's context ending at its
// deadline, told apart from the client going away.
var errLiveDeadline = errors.New("live tool deadline")

// waiter is implemented by inputs whose tool waits on purpose
// (athena_start_query): the wait is added to the deadline.
type waiter interface {
	wait(def time.Duration) time.Duration
}

// deadlineClause states a live tool's deadline d in its description, so
// an agent knows before calling how long the call may take (retries are
// inside it); a tool that waits on purpose adds its wait. Short: every live
// tool carries it, and every agent pays for tools/list.
func deadlineClause(d time.Duration, waits bool) string {
	if waits {
		return fmt.Sprintf(" Max wait + %s.", seconds(d))
	}
	return fmt.Sprintf(" Max %s.", seconds(d))
}

// seconds is d as people write it: "20 s", "1.5 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// liveDeadline is the deadline of one call of a live tool with input in.
func (s *Server) liveDeadline(in any) time.Duration {
	d := s.opts.LiveDeadline
	if w, ok := in.(waiter); ok {
		d += w.wait(s.opts.QueryWait)
	}
	return d
}

// atDeadline turns the error of a call cut by its deadline into one that
// says which AWS operation did not answer in time and what can answer
// instead; other errors pass unchanged.
func atDeadline(ctx context.Context, tool string, d time.Duration, class toolClass, err error) error {
	if err == nil || !errors.Is(context.Cause(ctx), errLiveDeadline) {
		return err
	}
	op := "AWS"
	var call *awsconn.CallError
	if errors.As(err, &call) && call.Operation != "" {
		op = strings.TrimSpace(call.Service + " " + call.Operation)
	}
	msg := fmt.Sprintf("%s stopped at its %s deadline: %s did not answer in time (retries included)", tool, d.Round(time.Millisecond), op)
	var advice []string
	if class == liveWrite {
		advice = append(advice, "AWS may have applied the change before the deadline: read its state before calling again")
	}
	if alt := catalogAlternative(tool); alt != "" {
		advice = append(advice, alt)
	}
	advice = append(advice, "the endpoint is slow or unreachable from lakemap: retry later, or check the connection's endpoint and network")
	return &apperr.Error{Kind: apperr.Unavailable, Msg: msg, Advice: advice}
}

// catalogAlternative names the catalog tool that answers what a live tool
// was asked, from the last scan and without AWS.
func catalogAlternative(tool string) string {
	switch {
	case strings.HasPrefix(tool, "athena_") && strings.Contains(tool, "query_execution"):
		return `search_catalog with kinds=["query_execution"] answers from the catalog (queries as last scanned)`
	case strings.HasPrefix(tool, "s3_"):
		return "list_entities (kind bucket or container) answers from the catalog (sizes, formats, files as last scanned)"
	case tool == "glue_get_column_statistics":
		return "get_table_schema answers from the catalog (columns, partitions as last scanned)"
	case strings.HasPrefix(tool, "datazone_"):
		return "search_catalog and get_entity answer from the catalog (DataZone assets as last scanned)"
	}
	return ""
}
