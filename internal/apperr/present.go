package apperr

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// HiddenDetail is what remote surfaces (HTTP, MCP) show instead of an
// internal error's message: it may hold paths, SQL or AWS request details
// meant for the operator, who finds them in the server log.
const HiddenDetail = "internal error; see the server log"

// cancelledDetail explains an unclassified cancellation or timeout. It
// reveals nothing, so remote surfaces show it instead of HiddenDetail.
const cancelledDetail = "the call was cancelled or timed out before it finished; retry, or narrow the request"

// ProblemContentType is the media type of Problem bodies (RFC 9457).
const ProblemContentType = "application/problem+json"

// Presentation is one error as every surface shows it. Build it with Present.
type Presentation struct {
	Kind Kind
	// Status is the HTTP status of the response.
	Status int
	// ExitCode is the CLI's process exit code.
	ExitCode int
	// Message is the whole error text: what the local CLI prints and what
	// the server log records.
	Message string
	// Detail is what a remote caller (HTTP, MCP) sees: Message, or a fixed
	// text when the error is internal.
	Detail string
	// Advice says what the user can do, outermost first.
	Advice []string
	// Log is true when the surface must log Message: the caller sees only
	// Detail, so the log is the only place the cause survives.
	Log bool
}

// Present turns err into what each surface shows. It is the one place that
// decides statuses, exit codes and which details stay in the log: an
// Internal error shows HiddenDetail over HTTP and MCP alike.
func Present(err error) Presentation {
	if err == nil {
		return Presentation{}
	}
	kind := KindOf(err)
	p := Presentation{Kind: kind, Status: kind.httpStatus(), ExitCode: kind.exitCode(),
		Message: err.Error(), Advice: AdviceOf(err)}
	p.Detail = p.Message
	if kind == Internal {
		p.Detail, p.Log = HiddenDetail, true
		var ae *Error
		if !errors.As(err, &ae) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			p.Detail = cancelledDetail
		}
	}
	return p
}

// Problem is an RFC 9457 problem details body, with lakemap's kind and
// advice as extension members.
type Problem struct {
	Type   string   `json:"type"`
	Title  string   `json:"title"`
	Status int      `json:"status"`
	Detail string   `json:"detail"`
	Kind   string   `json:"kind"`
	Advice []string `json:"advice,omitempty"`
}

// Problem is the HTTP response body. The type is about:blank because the
// status and kind already say everything a type URI would (RFC 9457 §4.2.1),
// so the title is the status phrase.
func (p Presentation) Problem() Problem {
	return Problem{Type: "about:blank", Title: http.StatusText(p.Status), Status: p.Status,
		Detail: p.Detail, Kind: p.Kind.String(), Advice: p.Advice}
}

// ToolText is the text of an MCP tool error: the kind, the detail an agent
// can act on, then the advice, one line each.
func (p Presentation) ToolText() string {
	var b strings.Builder
	b.WriteString(p.Kind.String())
	b.WriteString(": ")
	b.WriteString(p.Detail)
	for _, a := range p.Advice {
		b.WriteString("\n- ")
		b.WriteString(a)
	}
	return b.String()
}

// CLIText is what the CLI prints on stderr. The CLI runs on the user's own
// machine, so it shows the whole message, internal or not.
func (p Presentation) CLIText() string {
	var b strings.Builder
	b.WriteString("error: ")
	b.WriteString(p.Message)
	b.WriteByte('\n')
	for _, a := range p.Advice {
		b.WriteString("  - ")
		b.WriteString(a)
		b.WriteByte('\n')
	}
	return b.String()
}

// HTTPStatus is Present(err).Status.
func HTTPStatus(err error) int { return KindOf(err).httpStatus() }

// ExitCode is Present(err).ExitCode. 1 also means "the command ran and
// found problems" (validate findings).
func ExitCode(err error) int { return KindOf(err).exitCode() }

func (k Kind) httpStatus() int {
	switch k {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case AccessDenied:
		return http.StatusForbidden
	case Unauthenticated:
		return http.StatusUnauthorized
	case Unavailable:
		return http.StatusServiceUnavailable
	case Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// exitCode numbers are documented in the README; keep them stable.
func (k Kind) exitCode() int {
	switch k {
	case Invalid:
		return 2
	case NotFound:
		return 3
	case AccessDenied, Unauthenticated:
		return 4
	case Unavailable:
		return 5
	case Conflict:
		return 6
	}
	return 1
}
