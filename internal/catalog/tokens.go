package catalog

import (
	"context"
	"time"
)

// TokenStore keeps the bearer tokens of the MCP HTTP endpoint. Only a token's
// SHA-256 hash is stored: the token itself is shown once, when it is created,
// and cannot be read back. It is part of Store: every backend keeps tokens,
// so the MCP endpoint never runs without them.
//
// Errors: an unknown name or hash is apperr.NotFound; a second live token
// with the same name is apperr.Conflict.
type TokenStore interface {
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token with that hash, revoked or not: the
	// caller decides what a revoked token means.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// ListTokens returns every token, revoked ones included, by name.
	ListTokens(ctx context.Context) ([]Token, error)
	// RevokeToken marks the live token with that name revoked at the given
	// time. Revoked tokens stay listed, so an audit can tell who had access.
	RevokeToken(ctx context.Context, name string, at time.Time) error
}

// Token is one MCP bearer token's record.
type Token struct {
	Name string `json:"name"`
	// Hash is the hex SHA-256 of the token.
	Hash string `json:"-"`
	// Connections limits the token to these connections (serviceNames);
	// empty means every connection, present and future.
	Connections []string `json:"connections,omitempty"`
	// ReadOnly caps every connection at ReadOnly for this token, whatever
	// the connection's own access level.
	ReadOnly bool       `json:"readOnly"`
	Created  time.Time  `json:"created"`
	Revoked  *time.Time `json:"revoked,omitempty"`
}
