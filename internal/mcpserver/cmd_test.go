package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
)

// cmdDeps opens the catalog file at db for each command, as the CLI does.
func cmdDeps(db string) CommandDeps {
	return CommandDeps{
		OpenStore: func(ctx context.Context) (catalog.Store, error) { return openCatalog(ctx, db) },
		SecretBox: func() (*secrets.Box, error) { return secrets.NewBox("test key for mcpserver") },
		DB:        func() string { return db },
		Logger:    quietLogger,
		Version:   "test",
	}
}

func runCmd(t *testing.T, cmd *cobra.Command, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestStdioCommand runs `lakemap mcp` on pipes and drives it with the SDK
// client: the stdio transport desktop agents use.
func TestStdioCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "catalog.db")
	st := openStore(t, db)
	seedCatalog(t, st)

	serverIn, clientOut := io.Pipe()
	clientIn, serverOut := io.Pipe()
	cmd := NewMCPCommand(cmdDeps(db))
	cmd.SetArgs([]string{"--read-only"})
	cmd.SetIn(serverIn)
	cmd.SetOut(serverOut)
	cmd.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() {
		done <- cmd.ExecuteContext(context.Background())
		serverOut.Close()
	}()

	cs, err := newClient().Connect(context.Background(), &mcp.IOTransport{Reader: clientIn, Writer: clientOut}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := listTools(t, cs)
	if tools["search_catalog"] == nil || tools["s3_put_object"] != nil {
		t.Errorf("stdio --read-only tools: %v", tools)
	}
	var s SearchOutput
	mustCall(t, cs, "search_catalog", map[string]any{"query": "orders"}, &s)
	if len(s.Hits) == 0 {
		t.Error("no hits over stdio")
	}
	var schema SchemaOutput
	mustCall(t, cs, "get_table_schema", map[string]any{"fqn": "prod.sales.orders"}, &schema)
	if schema.ColumnsTotal != 5 {
		t.Errorf("schema over stdio: %+v", schema)
	}
	cs.Close()
	clientOut.Close()
	if err := <-done; err != nil {
		t.Errorf("lakemap mcp ended with %v", err)
	}
}

func TestMCPCommandErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "catalog.db")
	st := openStore(t, db)
	seedCatalog(t, st)
	e := &env{t: t, ctx: context.Background(), store: st}
	e.box, _ = secrets.NewBox("test key for mcpserver")
	e.putConnections("http://127.0.0.1:9", "arn:aws:iam::111111111111:role/x")

	_, _, err := runCmd(t, NewMCPCommand(cmdDeps(db)), "--connection", "prdo")
	if err == nil || !strings.Contains(err.Error(), `unknown connection "prdo"; did you mean "prod"?`) {
		t.Errorf("unknown --connection: %v", err)
	}
	// Nothing near: the error lists the connections there are.
	_, _, err = runCmd(t, NewMCPCommand(cmdDeps(db)), "--connection", "zzzzzzzzzzzz")
	if err == nil || !strings.Contains(err.Error(), `unknown connection "zzzzzzzzzzzz"; known: `) || !strings.Contains(err.Error(), "prod") {
		t.Errorf("unknown --connection, nothing near: %v", err)
	}

	out, _, err := runCmd(t, NewMCPCommand(cmdDeps(db)), "--print-config", "--connection", "prod", "--read-only")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		MCPServers map[string]struct {
			Command string   `json:"command"`
			Args    []string `json:"args"`
		} `json:"mcpServers"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatalf("--print-config is not JSON: %v\n%s", err, out)
	}
	l := cfg.MCPServers["lakemap"]
	if !filepath.IsAbs(l.Command) || strings.Join(l.Args, " ") != "mcp --db "+db+" --connection prod --read-only" {
		t.Errorf("config = %+v", l)
	}
}
