package webpanels

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/web"
)

// Tools lists, for the Agents page, the MCP tools a project token of a
// scope would see: it asks the MCP server itself, over an in-memory
// session built with the scope a project token gets (the project's
// connections, read-only unless the token is readwrite), so the page
// cannot disagree with /mcp.
type Tools struct {
	Store catalog.ConnectionReader
	MCP   *mcpserver.Server
}

var _ web.Tools = (*Tools)(nil)

// Tools implements web.Tools.
func (t *Tools) Tools(ctx context.Context, projectID string, scope catalog.TokenScope) ([]web.Tool, error) {
	conns, err := t.Store.ListConnections(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the project's connections: %w", err)
	}
	sc := mcpserver.Scope{Name: "agents page", Exact: true, ReadOnly: scope != catalog.ScopeReadWrite}
	for _, c := range conns {
		if c.ProjectID == projectID {
			sc.Connections = append(sc.Connections, c.Name)
		}
	}
	ms, err := t.MCP.ForScope(ctx, sc)
	if err != nil {
		return nil, err
	}
	st, ct := mcp.NewInMemoryTransports()
	ss, err := ms.Connect(ctx, st, nil)
	if err != nil {
		return nil, fmt.Errorf("listing MCP tools: %w", err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "lakemap-web", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		return nil, fmt.Errorf("listing MCP tools: %w", err)
	}
	defer cs.Close()
	var out []web.Tool
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("listing MCP tools: %w", err)
		}
		write := tool.Annotations != nil && !tool.Annotations.ReadOnlyHint
		out = append(out, web.Tool{Name: tool.Name, Title: toolSummary(tool), Write: write})
	}
	return out, nil
}

// toolSummary is what a person reads beside a tool's name: its title, or
// the first sentence of the description the agent reads.
func toolSummary(t *mcp.Tool) string {
	if t.Title != "" {
		return t.Title
	}
	if t.Annotations != nil && t.Annotations.Title != "" {
		return t.Annotations.Title
	}
	d := t.Description
	if i := strings.Index(d, ". "); i >= 0 {
		d = d[:i+1]
	}
	return strings.TrimSpace(d)
}
