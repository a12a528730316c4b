package mcpserver

import (
	"net/http"
	"testing"
	"time"

	lauth "github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// identityStore is the part of the SQLite catalog the project tokens need.
type identityStore interface {
	catalog.Store
	catalog.IdentityStore
}

// TestHTTPProjectTokens: /mcp takes project API tokens; a token reaches
// its project's connections only, write tools need a readwrite token on a
// ReadWrite connection, a revoked token is refused, and the MCP tokens of
// `lakemap token` keep working beside them.
func TestHTTPProjectTokens(t *testing.T) {
	e := newCatalogEnv(t)
	st, ok := e.store.(identityStore)
	if !ok {
		t.Skip("the catalog keeps no identities")
	}
	now := time.Now()
	proj, _ := catalog.NewProject("alpha", now)
	empty, _ := catalog.NewProject("empty", now)
	for _, p := range []catalog.Project{proj, empty} {
		if err := st.CreateProject(e.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// alpha holds lake (ReadWrite S3) and prod-ro (ReadOnly Glue).
	for _, name := range []string{connS3, connGlueRO} {
		c, err := st.GetConnection(e.ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		c.ProjectID = proj.ID
		if err := st.PutConnection(e.ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	token := func(p catalog.Project, name string, scope catalog.TokenScope, conns ...string) (string, catalog.APIToken) {
		secret, hash, err := lauth.NewSecret(lauth.TokenPrefix)
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := catalog.NewAPIToken(p.ID, name, scope, hash, now)
		tok.Connections = conns
		if err := st.CreateAPIToken(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
		return secret, tok
	}
	e.srv = New(Options{Store: st, Secrets: e.box, Version: "test", Logger: quietLogger(), Auth: lauth.New(st, lauth.Options{})})
	url, legacy := e.serveHTTP(t, Scope{})

	rw, rwTok := token(proj, "rw", catalog.ScopeReadWrite)
	ro, _ := token(proj, "ro", catalog.ScopeRead)
	narrow, _ := token(proj, "narrow", catalog.ScopeReadWrite, connGlueRO)
	none, _ := token(empty, "none", catalog.ScopeReadWrite)

	for _, tc := range []struct {
		name, secret   string
		conns          []string
		write, noWrite string
	}{
		{"readwrite token", rw, []string{connGlueRO, connS3}, "s3_put_object", "glue_write_column_statistics"},
		{"read token", ro, []string{connGlueRO, connS3}, "", "s3_put_object"},
		{"token narrowed to one connection", narrow, []string{connGlueRO}, "", "s3_put_object"},
		{"token of a project without connections", none, nil, "", "s3_list_objects"},
		{"MCP token", legacy, []string{connGlue, connGlueRO, connS3, connS3RO}, "s3_put_object", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := connectHTTPWith(t, url, tc.secret)
			tools := listTools(t, cs)
			if tc.write != "" && tools[tc.write] == nil {
				t.Errorf("write tool %s missing", tc.write)
			}
			if tc.noWrite != "" && tools[tc.noWrite] != nil {
				t.Errorf("tool %s offered", tc.noWrite)
			}
			var out struct {
				Connections []struct{ Name string } `json:"connections"`
			}
			call(t, cs, "list_connections", map[string]any{}, &out)
			var got []string
			for _, c := range out.Connections {
				got = append(got, c.Name)
			}
			if len(got) != len(tc.conns) {
				t.Fatalf("connections %v, want %v", got, tc.conns)
			}
			var hits struct {
				Hits []struct{ Connection string } `json:"hits"`
			}
			call(t, cs, "search_catalog", map[string]any{"query": "orders"}, &hits)
			if len(tc.conns) > 0 && len(hits.Hits) == 0 {
				t.Error("search found nothing: prod-ro holds orders")
			}
			for _, h := range hits.Hits {
				if !contains(tc.conns, h.Connection) {
					t.Errorf("search found %s, outside %v", h.Connection, tc.conns)
				}
			}
		})
	}

	if err := st.RevokeAPIToken(e.ctx, proj.ID, rwTok.ID, now); err != nil {
		t.Fatal(err)
	}
	if resp, _ := postMCP(t, url, "Bearer "+rw, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked project token: %d, want 401", resp.StatusCode)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
