package mcpserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
	lauth "github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// TokenPrefix starts every lakemap token, so secret scanners and people can
// recognise one.
const TokenPrefix = "lkm_"

// SessionIdleTimeout closes HTTP sessions a client abandoned.
const SessionIdleTimeout = 30 * time.Minute

// NewToken returns a fresh random token and its hash.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("generating a token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the hex SHA-256 under which a token is stored. Tokens are
// 256 random bits, so a fast unsalted hash is enough: there is nothing to
// guess from it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Resolver authenticates a request into a principal: auth.Authenticator.
// With one set (Options.Auth), /mcp takes the project API tokens of the
// server's identity model besides the older `lakemap token` MCP tokens.
type Resolver interface {
	Resolve(r *http.Request) (*lauth.Principal, error)
}

// caller is who an MCP request comes from: its scope, built when a session
// starts, and the identity the session is bound to.
type caller struct {
	name string
	// bind is the identity the SDK binds a session to, so that another
	// token cannot drive it.
	bind  string
	scope func(ctx context.Context) (Scope, error)
}

type callerKey struct{}

// HTTPHandler serves MCP over streamable HTTP (lakemap mounts it at /mcp).
// Every request needs a live bearer token: a project API token (when
// Options.Auth is set) or an MCP token from `lakemap token`; anything else
// gets a bare 401. Each MCP session is built for its token's scope and bound
// to that token, and each request is checked again, so a revoked token
// stops at its next request.
func (s *Server) HTTPHandler() http.Handler {
	streamable := mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server {
		c, _ := r.Context().Value(callerKey{}).(caller)
		if c.scope == nil {
			return nil
		}
		scope, err := c.scope(r.Context())
		if err == nil {
			var ms *mcp.Server
			if ms, err = s.ForScope(r.Context(), scope); err == nil {
				return ms
			}
		}
		s.logger.Error("building MCP session", "client", c.name, "err", err)
		return nil
	}, &mcp.StreamableHTTPOptions{Logger: s.logger, SessionTimeout: SessionIdleTimeout})

	// The SDK's bearer middleware puts the token's identity where the
	// streamable handler checks it on every request of a session. By the
	// time it runs, the token is verified.
	bind := auth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
		c, ok := ctx.Value(callerKey{}).(caller)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: c.bind}, nil
	}, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(streamable)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if err != nil {
			if apperr.Is(err, apperr.Unauthenticated) {
				s.logger.Info("mcp request refused", "remote", r.RemoteAddr, "reason", err.Error())
				w.Header().Set("WWW-Authenticate", "Bearer")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			s.logger.Error("checking an MCP token", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		bind.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	})
}

// authenticate finds who a request comes from: a project API token first,
// then an MCP token. Failure messages go to the log only and never hold
// the token. Cookies are not read: MCP clients send bearer tokens, and a
// browser session has no business driving tools.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) != 2 || !strings.EqualFold(fields[0], "Bearer") {
		return caller{}, apperr.New(apperr.Unauthenticated, "no bearer token")
	}
	if s.opts.Auth != nil {
		p, err := s.opts.Auth.Resolve(r)
		if err == nil && p.Kind == lauth.KindToken {
			return s.projectCaller(p), nil
		}
		if err != nil && !apperr.Is(err, apperr.Unauthenticated) {
			return caller{}, err
		}
	}
	tok, err := s.mcpToken(r.Context(), fields[1])
	if err != nil {
		return caller{}, err
	}
	scope := Scope{Name: "token " + tok.Name, Connections: tok.Connections, ReadOnly: tok.ReadOnly}
	return caller{name: scope.Name, bind: "mcp:" + tok.Hash, scope: func(context.Context) (Scope, error) { return scope, nil }}, nil
}

// projectCaller is a project API token's MCP view: the connections of its
// project (narrowed by the token's own list), write tools only for a
// readwrite token that is not capped at ReadOnly.
func (s *Server) projectCaller(p *lauth.Principal) caller {
	name := p.String()
	projects, _ := p.Projects()
	return caller{name: name, bind: "api:" + p.TokenID, scope: func(ctx context.Context) (Scope, error) {
		conns, err := s.opts.Store.ListConnections(ctx)
		if err != nil {
			return Scope{}, fmt.Errorf("listing connections for %s: %w", name, err)
		}
		sc := Scope{Name: name, Exact: true, ReadOnly: p.ReadOnly || p.Scope != catalog.ScopeReadWrite}
		for _, c := range conns {
			if slices.Contains(projects, c.ProjectID) && (len(p.Connections) == 0 || slices.Contains(p.Connections, c.Name)) {
				sc.Connections = append(sc.Connections, c.Name)
			}
		}
		return sc, nil
	}}
}

// mcpToken finds the live MCP token with that secret.
func (s *Server) mcpToken(ctx context.Context, secret string) (catalog.Token, error) {
	hash := HashToken(secret)
	tok, err := s.opts.Store.TokenByHash(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return catalog.Token{}, apperr.New(apperr.Unauthenticated, "unknown token")
	}
	if err != nil {
		return catalog.Token{}, err
	}
	if subtle.ConstantTimeCompare([]byte(tok.Hash), []byte(hash)) != 1 {
		return catalog.Token{}, apperr.New(apperr.Unauthenticated, "unknown token")
	}
	if tok.Revoked != nil {
		return catalog.Token{}, apperr.New(apperr.Unauthenticated, "revoked token %q", tok.Name)
	}
	return tok, nil
}
