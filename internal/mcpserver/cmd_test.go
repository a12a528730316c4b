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

// TestTokenCommands: create prints the token once, list never does, revoke
// marks it.
func TestTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "catalog.db")
	st := openStore(t, db)
	e := &env{t: t, ctx: context.Background(), store: st}
	e.box, _ = secrets.NewBox("test key for mcpserver")
	e.putConnections("http://127.0.0.1:9", "arn:aws:iam::111111111111:role/x")
	deps := cmdDeps(db)

	out, _, err := runCmd(t, NewTokenCommand(deps), "create", "ci-agent", "--connection", connGlueRO, "--read-only", "--url", "http://lakemap.internal:8080/mcp")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.SplitN(out, "\n", 2)[0]
	if !strings.HasPrefix(token, TokenPrefix) || !strings.Contains(out, `"Authorization": "Bearer `+token+`"`) || !strings.Contains(out, "http://lakemap.internal:8080/mcp") {
		t.Fatalf("create printed %q", out)
	}
	if _, _, err := runCmd(t, NewTokenCommand(deps), "create", "ci-agent"); err == nil || !strings.Contains(err.Error(), "ci-agent") {
		t.Errorf("duplicate name: %v", err)
	}
	for _, bad := range []struct{ args []string }{{[]string{"create", "bad name"}}, {[]string{"create", "x", "--connection", "nope"}}} {
		if _, _, err := runCmd(t, NewTokenCommand(deps), bad.args...); err == nil {
			t.Errorf("%v: no error", bad.args)
		}
	}

	out, _, err = runCmd(t, NewTokenCommand(deps), "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ci-agent") || !strings.Contains(out, connGlueRO) || strings.Contains(out, token) || strings.Contains(out, HashToken(token)) {
		t.Errorf("list = %q", out)
	}
	if _, _, err := runCmd(t, NewTokenCommand(deps), "revoke", "ci-agent"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, NewTokenCommand(deps), "revoke", "nobody"); err == nil {
		t.Error("revoking an unknown token: no error")
	}
	out, _, err = runCmd(t, NewTokenCommand(deps), "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var toks []catalog.Token
	if err := json.Unmarshal([]byte(out), &toks); err != nil || len(toks) != 1 || toks[0].Revoked == nil {
		t.Errorf("list --json after revoke = %s (%v)", out, err)
	}
	// A revoked name may be used again.
	if _, _, err := runCmd(t, NewTokenCommand(deps), "create", "ci-agent"); err != nil {
		t.Errorf("re-creating a revoked name: %v", err)
	}
}
