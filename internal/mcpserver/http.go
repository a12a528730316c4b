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
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/apperr"
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

type tokenKey struct{}

// HTTPHandler serves MCP over streamable HTTP (lakemap mounts it at /mcp).
// Every request needs a live bearer token from the catalog; anything else
// gets a bare 401. Each MCP session is built for its token's scope and bound to
// that token, so another token cannot drive it.
func (s *Server) HTTPHandler() http.Handler {
	streamable := mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server {
		tok, _ := r.Context().Value(tokenKey{}).(catalog.Token)
		ms, err := s.ForScope(r.Context(), Scope{Name: "token " + tok.Name, Connections: tok.Connections, ReadOnly: tok.ReadOnly})
		if err != nil {
			s.logger.Error("building MCP session", "token", tok.Name, "err", err)
			return nil
		}
		return ms
	}, &mcp.StreamableHTTPOptions{Logger: s.logger, SessionTimeout: SessionIdleTimeout})

	// The SDK's bearer middleware puts the token's identity where the
	// streamable handler checks it on every request of a session. By the
	// time it runs, the token is verified.
	bind := auth.RequireBearerToken(func(ctx context.Context, _ string, _ *http.Request) (*auth.TokenInfo, error) {
		tok, ok := ctx.Value(tokenKey{}).(catalog.Token)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: tok.Hash}, nil
	}, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(streamable)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := s.authenticate(r)
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
		bind.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
	})
}

// authenticate finds the live token a request carries. Failure messages go
// to the log only and never hold the token.
func (s *Server) authenticate(r *http.Request) (catalog.Token, error) {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) != 2 || !strings.EqualFold(fields[0], "Bearer") {
		return catalog.Token{}, apperr.New(apperr.Unauthenticated, "no bearer token")
	}
	hash := HashToken(fields[1])
	tok, err := s.opts.Store.TokenByHash(r.Context(), hash)
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
