package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	tok := catalog.Token{Name: "agent", Hash: "h1", Connections: []string{"prod"}, ReadOnly: true, Created: now}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, catalog.Token{Name: "agent", Hash: "h2", Created: now}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second live token with the name: %v, want conflict", err)
	}
	got, err := s.TokenByHash(ctx, "h1")
	if err != nil || got.Name != "agent" || !got.ReadOnly || len(got.Connections) != 1 || !got.Created.Equal(now) || got.Revoked != nil {
		t.Fatalf("TokenByHash = %+v, %v", got, err)
	}
	if _, err := s.TokenByHash(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown hash: %v", err)
	}
	if err := s.RevokeToken(ctx, "agent", now); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, "agent", now); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("revoking twice: %v", err)
	}
	if got, _ := s.TokenByHash(ctx, "h1"); got.Revoked == nil {
		t.Error("revoked token has no revoked time")
	}
	if err := s.CreateToken(ctx, catalog.Token{Name: "agent", Hash: "h3", Created: now}); err != nil {
		t.Errorf("reusing a revoked name: %v", err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 || list[1].Connections != nil {
		t.Errorf("ListTokens = %+v, %v", list, err)
	}
}
