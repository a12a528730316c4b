package mcpserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

func postMCP(t *testing.T, url, authorization, sessionID string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(initializeBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if sessionID != "" {
		req.Header.Set("Mcp-Session-Id", sessionID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, readAll(t, resp.Body)
}

// TestHTTPAuth: no token, a wrong one or a revoked one get a bare 401.
func TestHTTPAuth(t *testing.T) {
	e := newCatalogEnv(t)
	url, token := e.serveHTTP(t, Scope{})
	other := e.createToken(t, Scope{})

	for _, tc := range []struct {
		name, auth string
	}{
		{"no header", ""},
		{"not bearer", "Basic " + token},
		{"empty bearer", "Bearer "},
		{"wrong token", "Bearer lkm_wrongwrongwrong"},
		{"token with a suffix", "Bearer " + token + "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := postMCP(t, url, tc.auth, "")
			if resp.StatusCode != http.StatusUnauthorized || body != "" {
				t.Errorf("status %d, body %q; want 401 and nothing else", resp.StatusCode, body)
			}
		})
	}

	t.Run("valid token", func(t *testing.T) {
		resp, body := postMCP(t, url, "Bearer "+token, "")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "lakemap") {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
		// Another valid token cannot drive this session.
		sid := resp.Header.Get("Mcp-Session-Id")
		if resp, _ := postMCP(t, url, "Bearer "+other, sid); resp.StatusCode != http.StatusForbidden {
			t.Errorf("session driven by another token: status %d", resp.StatusCode)
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		tok := e.createToken(t, Scope{})
		cs := connectHTTPWith(t, url, tok)
		mustCall(t, cs, "list_connections", nil, nil)
		var name string
		toks, err := e.tokens.ListTokens(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range toks {
			if rec.Hash == HashToken(tok) {
				name = rec.Name
			}
		}
		if err := e.tokens.RevokeToken(e.ctx, name, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		// The open session dies with its token...
		if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "list_connections"}); err == nil {
			t.Error("a revoked token's session still answers")
		}
		// ...and a new one cannot start.
		if resp, body := postMCP(t, url, "Bearer "+tok, ""); resp.StatusCode != http.StatusUnauthorized || body != "" {
			t.Errorf("revoked: status %d body %q", resp.StatusCode, body)
		}
	})
}

// TestTokensStoredAsHashes: the store holds the SHA-256, never the token.
func TestTokensStoredAsHashes(t *testing.T) {
	e := newCatalogEnv(t)
	tok := e.createToken(t, Scope{Connections: []string{connGlueRO}, ReadOnly: true})
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) < 40 {
		t.Fatalf("token %q", tok)
	}
	rec, err := e.tokens.TokenByHash(e.ctx, HashToken(tok))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Hash != HashToken(tok) || rec.Hash == tok || !rec.ReadOnly || len(rec.Connections) != 1 {
		t.Errorf("record = %+v", rec)
	}
	toks, err := e.tokens.ListTokens(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(toks)
	if strings.Contains(string(b), tok) || strings.Contains(string(b), rec.Hash) {
		t.Errorf("token list shows the token or its hash: %s", b)
	}
}
