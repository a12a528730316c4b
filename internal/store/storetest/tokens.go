package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// testTokens: a token is found by its hash, revoked tokens stay listed
// and free their name, and a name is live at most once.
func testTokens(t *testing.T, s catalog.Store) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tok := catalog.Token{Name: "agent", Hash: "h1", Connections: []string{"prod"}, ReadOnly: true, Created: now}
	must(t, s.CreateToken(ctx, tok))

	t.Run("by hash", func(t *testing.T) {
		got, err := s.TokenByHash(ctx, "h1")
		if err != nil || got.Name != "agent" || got.Hash != "h1" || !got.ReadOnly || len(got.Connections) != 1 || got.Connections[0] != "prod" || !got.Created.Equal(now) || got.Revoked != nil {
			t.Errorf("TokenByHash = %+v, %v", got, err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			tok  catalog.Token
			kind apperr.Kind
			want string
		}{
			{"no name", catalog.Token{Hash: "h9", Created: now}, apperr.Invalid, "needs a name"},
			{"no hash", catalog.Token{Name: "x", Created: now}, apperr.Invalid, "needs a name and a hash"},
			{"live name twice", catalog.Token{Name: "agent", Hash: "h2", Created: now}, apperr.Conflict, `"agent" already exists`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				err := s.CreateToken(ctx, tt.tok)
				if !apperr.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("CreateToken = %v (kind %v), want %v containing %q", err, apperr.KindOf(err), tt.kind, tt.want)
				}
			})
		}
	})
	t.Run("unknown hash", func(t *testing.T) {
		if _, err := s.TokenByHash(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("TokenByHash(nope) = %v, want NotFound", err)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		revoked := now.Add(time.Hour)
		must(t, s.RevokeToken(ctx, "agent", revoked))
		if err := s.RevokeToken(ctx, "agent", revoked); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoking twice: %v, want NotFound", err)
		}
		if err := s.RevokeToken(ctx, "nobody", revoked); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoking an unknown name: %v, want NotFound", err)
		}
		// A revoked token is still found: the caller decides what it means.
		if got, err := s.TokenByHash(ctx, "h1"); err != nil || got.Revoked == nil || !got.Revoked.Equal(revoked) {
			t.Errorf("revoked token = %+v, %v", got, err)
		}
		// Its name is free again.
		must(t, s.CreateToken(ctx, catalog.Token{Name: "agent", Hash: "h3", Created: now}))
	})
	t.Run("list by name, revoked included", func(t *testing.T) {
		must(t, s.CreateToken(ctx, catalog.Token{Name: "a-first", Hash: "h4", Created: now}))
		list, err := s.ListTokens(ctx)
		must(t, err)
		var got []string
		for _, tk := range list {
			got = append(got, tk.Name+":"+tk.Hash+":"+map[bool]string{true: "revoked", false: "live"}[tk.Revoked != nil])
		}
		if want := "a-first:h4:live agent:h1:revoked agent:h3:live"; strings.Join(got, " ") != want {
			t.Errorf("ListTokens = %s, want %s", strings.Join(got, " "), want)
		}
		for _, tk := range list {
			if tk.Hash == "h3" && tk.Connections != nil {
				t.Errorf("a token for every connection lists %v", tk.Connections)
			}
		}
	})
}
