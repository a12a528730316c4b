package mcpserver

import (
	"context"
	"reflect"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// toolClass says what a tool touches, which decides who sees it.
type toolClass int

const (
	catalogTool toolClass = iota // answered from lakemap's catalog: every session
	liveRead                     // reads AWS through a connection: ReadOnly and ReadWrite
	liveWrite                    // changes AWS: ReadWrite connections only
)

// Connection families, as IAM grants them (source.Spec.Service): a glue
// connection's policy covers Glue, Athena and S3 reads (and S3 writes of
// query results); an s3 connection's covers S3 alone.
const (
	familyGlue = source.ServiceGlue
	familyS3   = source.ServiceS3
	// familyDZ: a datazone connection's policy covers DataZone alone.
	familyDZ = source.ServiceDataZone
)

var (
	glueOnly  = []string{familyGlue}
	s3Only    = []string{familyS3}
	s3AndGlue = []string{familyS3, familyGlue}
	dzOnly    = []string{familyDZ}
)

// SourceServices is what the server asks of the source registry
// (*source.Registry implements it).
type SourceServices interface {
	// Service is the IAM family a source type's connections are granted
	// for; ok is false for a type no source registered.
	Service(sourceType string) (service string, ok bool)
}

// familyOf maps a stored connection's source type to its IAM family, as the
// source registry declares it (Athena rides on the Glue grant). A type the
// registry does not know is its own family, so it matches no tool.
func (s *Server) familyOf(sourceType string) string {
	if fam, ok := s.opts.Sources.Service(sourceType); ok {
		return fam
	}
	return sourceType
}

// toolDef is one tool: its declaration, who may see it, and how to bind it
// to a session.
type toolDef struct {
	tool     *mcp.Tool
	class    toolClass
	families []string
	add      func(*mcp.Server, *session)
	// shapes drives lenient argument reading (args.go).
	shapes map[string]argShape
}

// visible decides whether a session with these reachable connections gets
// the tool at all.
func (t toolDef) visible(conns []catalog.Connection, scope Scope, familyOf func(sourceType string) string) bool {
	if t.class == catalogTool {
		return true
	}
	for _, c := range conns {
		if !slices.Contains(t.families, familyOf(c.SourceType)) {
			continue
		}
		if t.class == liveWrite && (scope.ReadOnly || c.AccessLevel != catalog.ReadWrite) {
			continue
		}
		return true
	}
	return false
}

// handler is a tool's body: it returns the structured result and its
// compact text rendering.
type handler[In, Out any] func(ctx context.Context, s *session, in In) (Out, string, error)

// liveHandler is a live tool's body, given the resolved, permitted connection.
type liveHandler[In, Out any] func(ctx context.Context, c *liveConn, in In) (Out, string, error)

// connArg is implemented by every live tool's input through Conn.
type connArg interface{ connectionName() string }

// Conn is the connection argument every live tool takes.
type Conn struct {
	Connection string `json:"connection" jsonschema:"the connection to call AWS through (a workflow serviceName); list_connections shows the ones this session can use"`
}

func (c Conn) connectionName() string { return c.Connection }

// catalogToolTimeout bounds a catalog tool call whether or not the client
// is still there: a catalog read is milliseconds. Live calls have their
// own, shorter deadline (deadline.go).
const catalogToolTimeout = 30 * time.Second

func catalogDef[In, Out any](t *mcp.Tool, h handler[In, Out]) toolDef {
	t = withSchemas[In](t)
	return toolDef{tool: t, class: catalogTool, shapes: argShapes(reflect.TypeFor[In]()), add: func(ms *mcp.Server, s *session) {
		mcp.AddTool(ms, t, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
			ctx, cancel := context.WithTimeout(ctx, catalogToolTimeout)
			defer cancel()
			start := time.Now()
			out, text, err := h(ctx, s, in)
			return finish(s, t.Name, "", start, out, text, err)
		})
	}}
}

// liveDef binds a live tool. The connection is resolved and its access level
// checked here, before the body runs, so no write tool can reach AWS through
// a ReadOnly connection whatever its body does.
//
// Its description ends with the call's deadline (deadlineClause), at the
// default here and at the server's own when a session adds it.
func liveDef[In connArg, Out any](t *mcp.Tool, class toolClass, families []string, h liveHandler[In, Out]) toolDef {
	t = withSchemas[In](t)
	_, waits := any(*new(In)).(waiter)
	described := t.Description
	t.Description = described + deadlineClause(DefaultLiveDeadline, waits)
	return toolDef{tool: t, class: class, families: families, shapes: argShapes(reflect.TypeFor[In]()), add: func(ms *mcp.Server, s *session) {
		tool := t
		if d := s.srv.opts.LiveDeadline; d != DefaultLiveDeadline {
			own := *t
			own.Description = described + deadlineClause(d, waits)
			tool = &own
		}
		mcp.AddTool(ms, tool, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
			deadline := s.srv.liveDeadline(in)
			ctx, cancel := context.WithTimeoutCause(ctx, deadline, errLiveDeadline)
			defer cancel()
			start := time.Now()
			name := in.connectionName()
			c, err := s.connect(ctx, t.Name, name, class, families)
			if err != nil {
				var zero Out
				return finish(s, t.Name, name, start, zero, "", err)
			}
			out, text, err := h(ctx, c, in)
			if cut := atDeadline(ctx, t.Name, deadline, class, err); cut != err {
				s.srv.logger.Info("mcp live tool call cut at its deadline", "tool", t.Name, "connection", name, "err", err)
				err = cut
			}
			if class == liveWrite && err == nil {
				// Writes leave an audit line whatever the log level.
				s.srv.logger.Warn("mcp write tool call", "tool", t.Name, "client", s.scope.Name, "connection", name)
			}
			return finish(s, t.Name, name, start, out, text, err)
		})
	}}
}

// finish logs the call and shapes its result: text content beside the
// structured output, or a tool error carrying the message and its advice.
// The structured result goes out as any, so the SDK declares no output
// schema (withSchemas says why).
func finish[Out any](s *session, tool, conn string, start time.Time, out Out, text string, err error) (*mcp.CallToolResult, any, error) {
	took := time.Since(start)
	if err != nil {
		s.srv.logger.Info("mcp tool call failed", "tool", tool, "client", s.scope.Name, "connection", conn,
			"kind", apperr.KindOf(err).String(), "took", took)
		return nil, nil, s.toolError(tool, err)
	}
	s.srv.logger.Debug("mcp tool call", "tool", tool, "client", s.scope.Name, "connection", conn, "took", took)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, out, nil
}

func ptr[T any](v T) *T { return &v }

// Annotations, as few as say everything: a read states readOnlyHint (the
// spec reads destructiveHint and idempotentHint only on writes), a write
// states destructiveHint (clients default it to true); openWorldHint is
// stated only for catalog tools (false), since true is the default and
// right for every tool that calls AWS. Every byte here is paid by every
// agent in tools/list.
// The title argument documents the tool in registry.go; it is not sent:
// clients show the name, and tools/list stays small.
func readAnn(_ string, live bool) *mcp.ToolAnnotations {
	a := &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true}
	if !live {
		a.OpenWorldHint = ptr(false)
	}
	return a
}

func writeAnn(_ string, destructive, idempotent bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{DestructiveHint: ptr(destructive), IdempotentHint: idempotent}
}

// hints reads a tool's annotations with the spec's defaults filled in.
func hints(a *mcp.ToolAnnotations) (readOnly, destructive, idempotent, openWorld bool) {
	destructive, openWorld = !a.ReadOnlyHint, true
	if a.DestructiveHint != nil {
		destructive = *a.DestructiveHint
	}
	if a.OpenWorldHint != nil {
		openWorld = *a.OpenWorldHint
	}
	return a.ReadOnlyHint, destructive, a.IdempotentHint, openWorld
}
