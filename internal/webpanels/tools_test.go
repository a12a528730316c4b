package webpanels

import (
	"context"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/web"
)

// TestTools: the Agents page's list is the MCP server's own: catalog
// tools for every token, write tools only for a readwrite token of a
// project with a ReadWrite connection.
func TestTools(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	now := time.Now()
	alpha, _ := catalog.NewProject("alpha", now)
	beta, _ := catalog.NewProject("beta", now)
	for _, p := range []catalog.Project{alpha, beta} {
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutConnection(ctx, catalog.Connection{Name: "lake", ProjectID: alpha.ID, SourceType: "glue", Region: "us-east-1",
		AccessLevel: catalog.ReadWrite, Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	tl := &Tools{Store: st, MCP: mcpserver.New(mcpserver.Options{Store: st, Version: "test"})}
	list := func(projectID string, scope catalog.TokenScope) (names map[string]bool, writes int) {
		t.Helper()
		tools, err := tl.Tools(ctx, projectID, scope)
		if err != nil {
			t.Fatal(err)
		}
		names = map[string]bool{}
		for _, x := range tools {
			names[x.Name] = true
			if x.Write {
				writes++
			}
		}
		return names, writes
	}
	for _, tc := range []struct {
		name       string
		project    string
		scope      catalog.TokenScope
		wantWrites bool
	}{
		{"read token", alpha.ID, catalog.ScopeRead, false},
		{"readwrite token, ReadWrite connection", alpha.ID, catalog.ScopeReadWrite, true},
		{"readwrite token, project without connections", beta.ID, catalog.ScopeReadWrite, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names, writes := list(tc.project, tc.scope)
			if !names["search_catalog"] {
				t.Errorf("no search_catalog in %v", names)
			}
			if (writes > 0) != tc.wantWrites {
				t.Errorf("%d write tools, want some: %v", writes, tc.wantWrites)
			}
		})
	}
	var _ web.Tools = tl
}
