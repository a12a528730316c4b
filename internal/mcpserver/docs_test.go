package mcpserver

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite TOOLS.md")

// TestToolsDoc keeps TOOLS.md, the tool table the README shows, in step
// with the declarations.
func TestToolsDoc(t *testing.T) {
	got := ToolsMarkdown()
	if *update {
		if err := os.WriteFile("TOOLS.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("TOOLS.md")
	if err != nil || string(want) != got {
		t.Errorf("TOOLS.md is stale; run go test ./internal/mcpserver -run TestToolsDoc -update")
	}
}
