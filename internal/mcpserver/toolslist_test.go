package mcpserver

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxToolsListBytes bounds tools/list for every session, the widest (Glue,
// S3 and DataZone, ReadWrite) included: every agent pays for it before its
// first question (issue 16: under 15k characters).
const maxToolsListBytes = 15_000

// TestToolsListSize: the widest session's tools/list stays small, and no
// schema uses a type array (the Inspector's strict check flags nullable
// type arrays as not portable).
func TestToolsListSize(t *testing.T) {
	e := newCatalogEnv(t)
	cs := connectInMemory(t, e, Scope{Name: "all"})
	var tools []*mcp.Tool
	for tool, err := range cs.Tools(e.ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		tools = append(tools, tool)
	}
	b, _ := json.Marshal(map[string]any{"tools": tools})
	t.Logf("tools/list: %d tools, %d bytes", len(tools), len(b))
	if testing.Verbose() {
		t.Logf("%s", b)
	}
	if len(b) > maxToolsListBytes {
		t.Errorf("tools/list is %d bytes, over %d", len(b), maxToolsListBytes)
	}
	for _, tool := range tools {
		for what, schema := range map[string]any{"input": tool.InputSchema, "output": tool.OutputSchema} {
			sb, _ := json.Marshal(schema)
			if strings.Contains(string(sb), `"type":[`) {
				t.Errorf("%s %s schema has a type array: %s", tool.Name, what, sb)
			}
		}
	}
}
