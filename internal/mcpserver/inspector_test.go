package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/secrets"
)

// The third-party client: the MCP Inspector CLI, run with Node.js 22 from
// the npm registry's node package (the machine's own Node may be older).
// Both are installed once per version into the temp dir, unless
// LAKEMAP_INSPECTOR_DIR names an install made beforehand.
const (
	// 2.x: the first line with --strict (tool-schema portability check).
	inspectorPackage = "@modelcontextprotocol/inspector@2.12.0"
	nodePackage      = "node@22.23.3"
	// stdioHelperEnv makes the test binary run `lakemap mcp` instead of
	// tests, so the Inspector has a real stdio server to start.
	stdioHelperEnv = "LAKEMAP_MCP_TEST_STDIO_DB"
)

// runStdioHelper serves `lakemap mcp` on the catalog named by the env.
func runStdioHelper(db string) int {
	cmd := NewMCPCommand(cmdDeps(db))
	cmd.SetArgs([]string{})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "lakemap mcp:", err)
		return 1
	}
	return 0
}

// inspectorDir installs the Inspector and Node 22 with npm, or reuses an
// earlier install. Without npm the test skips, except in CI.
func inspectorDir(t *testing.T) string {
	t.Helper()
	// A build may install them beforehand (npm install --prefix DIR
	// node@... @modelcontextprotocol/inspector@...) and say where.
	if dir := os.Getenv("LAKEMAP_INSPECTOR_DIR"); dir != "" {
		return dir
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("npm is not on PATH; the MCP Inspector test needs it (install Node.js and npm)")
		}
		t.Skip("npm is not on PATH; install Node.js and npm to run the MCP Inspector test")
	}
	name := strings.NewReplacer("@", "", "/", "-").Replace(inspectorPackage + "-" + nodePackage)
	dir := filepath.Join(os.TempDir(), "lakemap-test-"+name)
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefix", dir, nodePackage, inspectorPackage)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("npm install %s %s: %v\n%s", nodePackage, inspectorPackage, err, out.String())
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMCPInspector lists the tools of the widest session (Glue, S3 and
// DataZone connections, ReadWrite) with the MCP Inspector CLI's --strict
// portability check, which must find nothing, and calls search_catalog and
// get_table_schema through it against `lakemap mcp`.
func TestMCPInspector(t *testing.T) {
	dir := inspectorDir(t)
	nodeBin := filepath.Join(dir, "node_modules", "node", "bin")
	if out, err := exec.Command(filepath.Join(nodeBin, "node"), "--version").Output(); err != nil || !strings.HasPrefix(string(out), "v22.") {
		t.Fatalf("Node 22 from %s: %q, %v", nodePackage, out, err)
	}
	db := filepath.Join(t.TempDir(), "catalog.db")
	e := &env{t: t, ctx: context.Background(), store: openStore(t, db), db: db}
	e.box, _ = secrets.NewBox("test key for mcpserver")
	seedCatalog(t, e.store)
	// Connections of every family: the Inspector sees every tool. Listing
	// makes no AWS call, so they point nowhere.
	e.putConnections("http://127.0.0.1:9", "arn:aws:iam::111111111111:role/x")
	e.putDataZoneConnection("dz", "http://127.0.0.1:9")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(dir, "node_modules", "@modelcontextprotocol", "inspector", "clients", "cli", "build", "index.js")
	var stderr bytes.Buffer
	inspect := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		// The test binary turns into `lakemap mcp` through the helper
		// variable, which the Inspector passes on to the server it starts
		// (-e; it gives servers a minimal environment otherwise).
		cmd := exec.CommandContext(ctx, filepath.Join(nodeBin, "node"), append([]string{cli, "-e", stdioHelperEnv + "=" + db, self}, args...)...)
		// The Inspector starts its own node from PATH: Node 22 first.
		cmd.Env = append(os.Environ(), "PATH="+nodeBin+string(os.PathListSeparator)+os.Getenv("PATH"))
		stderr.Reset()
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("inspector %v: %v\nstdout: %s\nstderr: %s", args, err, out, stderr.String())
		}
		return out
	}

	var list struct {
		Tools []struct {
			Name        string         `json:"name"`
			Annotations map[string]any `json:"annotations"`
		} `json:"tools"`
	}
	listed := inspect("--method", "tools/list", "--strict")
	if err := json.Unmarshal(listed, &list); err != nil {
		t.Fatal(err)
	}
	// --strict prints each finding ("Warning: tool ...", "Error: tool ...")
	// and a count on stderr; a portable tool list prints none.
	if strings.Contains(stderr.String(), "Warning:") || strings.Contains(stderr.String(), "Error:") || strings.Contains(stderr.String(), "portability") {
		t.Errorf("Inspector --strict findings:\n%s", stderr.String())
	}
	names := map[string]bool{}
	for _, tool := range list.Tools {
		names[tool.Name] = true
		// A read says it is read-only; a write says whether it destroys.
		_, stated := tool.Annotations["destructiveHint"]
		if tool.Annotations["readOnlyHint"] != true && !stated {
			t.Errorf("%s: neither readOnlyHint nor destructiveHint seen by the Inspector: %v", tool.Name, tool.Annotations)
		}
	}
	if !names["search_catalog"] || !names["get_table_schema"] || !names["datazone_write_asset"] || !names["s3_put_object"] {
		t.Fatalf("Inspector tools/list: %v", names)
	}

	type callResult struct {
		IsError           bool            `json:"isError"`
		StructuredContent json.RawMessage `json:"structuredContent"`
	}
	var search callResult
	if err := json.Unmarshal(inspect("--method", "tools/call", "--tool-name", "search_catalog", "--tool-arg", "query=orders"), &search); err != nil {
		t.Fatal(err)
	}
	if search.IsError || !strings.Contains(string(search.StructuredContent), "prod.sales.orders") {
		t.Errorf("search_catalog via the Inspector: %s", search.StructuredContent)
	}
	var schema callResult
	if err := json.Unmarshal(inspect("--method", "tools/call", "--tool-name", "get_table_schema", "--tool-arg", "fqn=prod.sales.orders"), &schema); err != nil {
		t.Fatal(err)
	}
	if schema.IsError || !strings.Contains(string(schema.StructuredContent), `"decimal(10,2)"`) {
		t.Errorf("get_table_schema via the Inspector: %s", schema.StructuredContent)
	}
}
