// Package mcpserver serves lakemap to AI agents over the Model Context
// Protocol: catalog tools answered from the store, live read tools that call
// AWS through a remembered connection, and write tools that exist only where
// a ReadWrite connection is reachable. Each client session gets its own
// mcp.Server holding exactly the tools its scope allows.
package mcpserver

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source/all"
)

// Options configure a Server.
type Options struct {
	Store catalog.Store
	// Secrets opens the sealed secret fields of stored connections. Nil
	// leaves connections that have secrets unusable by live tools.
	Secrets *secrets.Box
	Logger  *slog.Logger
	// Version is reported to clients in the initialize handshake.
	Version string
	// AWS tunes the sessions built for live tools (HTTP client, concurrency).
	AWS awsconn.Options
	// QueryWait bounds how long athena_start_query waits for a query to
	// finish before handing back its execution id. 0 means DefaultQueryWait.
	QueryWait time.Duration
	// LiveDeadline bounds one live tool call, AWS retries included (plus
	// athena_start_query's wait). 0 means DefaultLiveDeadline.
	LiveDeadline time.Duration
	// Sources answers which IAM family a connection's source type belongs
	// to, for the live tools; nil means every source lakemap ships.
	Sources SourceServices
	// Auth lets /mcp take project API tokens (auth.Authenticator); nil
	// leaves only the MCP tokens of `lakemap token`.
	Auth Resolver
}

// DefaultQueryWait is athena_start_query's default wait.
const DefaultQueryWait = 20 * time.Second

// Server builds per-session MCP servers over one catalog.
type Server struct {
	opts     Options
	logger   *slog.Logger
	sessions *sessionCache
	schemas  *mcp.SchemaCache
	tools    []toolDef
}

// New returns a Server. It makes no call to the store or AWS.
func New(opts Options) *Server {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if opts.QueryWait <= 0 {
		opts.QueryWait = DefaultQueryWait
	}
	if opts.LiveDeadline <= 0 {
		opts.LiveDeadline = DefaultLiveDeadline
	}
	if opts.Sources == nil {
		opts.Sources = all.NewRegistry()
	}
	s := &Server{
		opts:    opts,
		logger:  logger,
		schemas: mcp.NewSchemaCache(),
	}
	s.sessions = newSessionCache(opts.Secrets, opts.AWS, logger)
	s.tools = allTools()
	return s
}

// Scope is what one client may reach.
type Scope struct {
	// Name identifies the client in logs (a token name, "stdio").
	Name string
	// Connections limits the client to these connections (serviceNames).
	// Empty means every connection, unless Exact is set.
	Connections []string
	// Exact makes Connections the whole list even when it is empty: a
	// project token whose project has no connection reaches nothing.
	Exact bool
	// ReadOnly treats every connection as ReadOnly: no write tool.
	ReadOnly bool
}

// noService is a service name no connection can have (FQN parts hold no
// NUL): the search filter of an Exact scope with no connection.
const noService = "\x00"

func (sc Scope) allows(service string) bool {
	if len(sc.Connections) == 0 {
		return !sc.Exact
	}
	return slices.Contains(sc.Connections, service)
}

// services is the search filter for the scope: nil when unrestricted.
func (sc Scope) services() []string {
	if len(sc.Connections) == 0 {
		if sc.Exact {
			return []string{noService}
		}
		return nil
	}
	return sc.Connections
}

// session is one client's view: the server, its scope and the connections
// it could reach when it connected (which decided its tool list).
type session struct {
	srv   *Server
	scope Scope
}

// ForScope builds the MCP server one client talks to. Its tool list follows
// the connections the scope reaches now: live read tools when a connection
// of the tool's family is reachable, write tools only when one of them is
// ReadWrite and the scope is not read-only.
func (s *Server) ForScope(ctx context.Context, scope Scope) (*mcp.Server, error) {
	conns, err := s.reachable(ctx, scope)
	if err != nil {
		return nil, err
	}
	ms := mcp.NewServer(&mcp.Implementation{Name: "lakemap", Title: "lakemap", Version: s.opts.Version}, &mcp.ServerOptions{
		Instructions: instructions(s.opts.LiveDeadline),
		Logger:       s.logger,
		SchemaCache:  s.schemas,
		// Tool lists are fixed per session, so no list_changed capability.
		Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
	})
	sess := &session{srv: s, scope: scope}
	registered := map[string]toolDef{}
	for _, t := range s.tools {
		if t.visible(conns, scope, s.familyOf) {
			t.add(ms, sess)
			registered[t.tool.Name] = t
		}
	}
	ms.AddReceivingMiddleware(sess.callMiddleware(registered))
	return ms, nil
}

// reachable lists the stored connections in scope.
func (s *Server) reachable(ctx context.Context, scope Scope) ([]catalog.Connection, error) {
	all, err := s.opts.Store.ListConnections(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing connections for MCP session %q: %w", scope.Name, err)
	}
	out := all[:0:0]
	for _, c := range all {
		if scope.allows(c.Name) {
			out = append(out, c)
		}
	}
	return out, nil
}

// instructions are the server's instructions to agents; d is the server's
// live-tool deadline, which they state.
func instructions(d time.Duration) string {
	return fmt.Sprintf(instructionsText, seconds(d))
}

const instructionsText = `lakemap catalogs an AWS data estate (Glue/Athena databases and tables, S3 buckets and containers).
Start with search_catalog or list_connections; read schemas with get_table_schema. FQNs look like connection.database.table; case and a missing connection part are forgiven when only one entity matches.
Catalog tools (openWorldHint false) answer from lakemap's own catalog: fast, no AWS call. Tools named s3_*, athena_* and glue_* call AWS live through a named connection (a name from list_connections): slower, billed by AWS, subject to IAM; each call ends within %s (retries included, plus athena_start_query's wait) and says what can answer instead. Write tools (readOnlyHint false) exist only for ReadWrite connections.
Every answer has one size budget: limit sets a page size, and a page that would not fit is cut with truncated=true, a total when known and a nextCursor; pass the cursor back unchanged for the next page.`
