package mcpserver

import (
	"github.com/lakemap/lakemap/internal/textdist"

	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
)

// CommandDeps is what the mcp command needs from the CLI around it. They
// are functions because the root command's flags (--db, --log-level) are
// parsed after the command is built.
type CommandDeps struct {
	OpenStore func(ctx context.Context) (catalog.Store, error)
	SecretBox func() (*secrets.Box, error)
	Logger    func() *slog.Logger
	// DB is the catalog location (--db), for --print-config.
	DB      func() string
	Version string
}

func (d CommandDeps) logger() *slog.Logger {
	if d.Logger != nil {
		if l := d.Logger(); l != nil {
			return l
		}
	}
	return slog.Default()
}

// NewMCPCommand builds `lakemap mcp`: the MCP server over stdio.
func NewMCPCommand(deps CommandDeps) *cobra.Command {
	var conns []string
	var readOnly, printConfig bool
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the catalog and AWS tools to an AI agent over MCP (stdio)",
		Long: `Runs an MCP server on stdin/stdout for desktop agents. Catalog tools answer from
the catalog; live tools call AWS through the connections ingest remembered;
write tools exist only when a ReadWrite connection is reachable.

lakemap mcp --print-config prints the snippet to paste into an agent's MCP
configuration (claude_desktop_config.json, .cursor/mcp.json, ...).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if printConfig {
				return printStdioConfig(cmd.OutOrStdout(), cmd.ErrOrStderr(), deps, conns, readOnly)
			}
			return runStdio(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), deps, conns, readOnly)
		},
	}
	cmd.Flags().StringArrayVar(&conns, "connection", nil, "expose only this connection (repeatable); default all")
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "no write tools, even on ReadWrite connections")
	cmd.Flags().BoolVar(&printConfig, "print-config", false, "print an MCP client configuration snippet for this command and exit")
	return cmd
}

func runStdio(ctx context.Context, in io.Reader, out io.Writer, deps CommandDeps, conns []string, readOnly bool) error {
	store, err := deps.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := checkConnections(ctx, store, conns); err != nil {
		return err
	}
	box, err := deps.SecretBox()
	if err != nil {
		return err
	}
	srv := New(Options{Store: store, Secrets: box, Logger: deps.logger(), Version: deps.Version})
	ms, err := srv.ForScope(ctx, Scope{Name: "stdio", Connections: conns, ReadOnly: readOnly})
	if err != nil {
		return err
	}
	err = ms.Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(in), Writer: nopWriteCloser{out}})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("serving MCP over stdio: %w", err)
	}
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// checkConnections refuses connection names the catalog does not know, so a
// typo does not silently leave a client without tools.
func checkConnections(ctx context.Context, store catalog.ConnectionStore, names []string) error {
	if len(names) == 0 {
		return nil
	}
	all, err := store.ListConnections(ctx)
	if err != nil {
		return fmt.Errorf("listing connections: %w", err)
	}
	known := make([]string, len(all))
	for i, c := range all {
		known[i] = c.Name
	}
	for _, n := range names {
		if slices.Contains(known, n) {
			continue
		}
		if best, ok := textdist.Nearest(n, known); ok {
			return apperr.New(apperr.NotFound, "unknown connection %q; did you mean %q?", n, best)
		}
		return apperr.New(apperr.NotFound, "unknown connection %q; known: %s", n, listOrNone(known))
	}
	return nil
}

// printStdioConfig prints the mcpServers block desktop agents read.
func printStdioConfig(out, errOut io.Writer, deps CommandDeps, conns []string, readOnly bool) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the lakemap executable: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	db := "lakemap.db"
	if deps.DB != nil {
		db = deps.DB()
	}
	if !strings.Contains(db, "://") {
		if abs, err := filepath.Abs(db); err == nil {
			db = abs
		}
	}
	args := []string{"mcp", "--db", db}
	for _, c := range conns {
		args = append(args, "--connection", c)
	}
	if readOnly {
		args = append(args, "--read-only")
	}
	snippet := map[string]any{"mcpServers": map[string]any{"lakemap": map[string]any{"command": exe, "args": args}}}
	if os.Getenv(secrets.EnvKey) != "" {
		fmt.Fprintf(errOut, "note: %s is set in this shell; add it to the snippet's \"env\" yourself (lakemap never prints secrets)\n", secrets.EnvKey)
	}
	return writeIndented(out, snippet)
}

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
