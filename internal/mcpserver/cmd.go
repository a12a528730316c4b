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
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
)

// CommandDeps is what the mcp and token commands need from the CLI around
// them. They are functions because the root command's flags (--db,
// --log-level) are parsed after the commands are built.
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

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// NewTokenCommand builds `lakemap token`: create, list and revoke the bearer
// tokens of the HTTP MCP endpoint.
func NewTokenCommand(deps CommandDeps) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke bearer tokens for MCP over HTTP (/mcp)"}
	cmd.AddCommand(newTokenCreate(deps), newTokenList(deps), newTokenRevoke(deps))
	return cmd
}

// createdToken is what `token create --json` prints.
type createdToken struct {
	catalog.Token
	Secret string         `json:"token"`
	Config map[string]any `json:"config"`
}

func newTokenCreate(deps CommandDeps) *cobra.Command {
	var conns []string
	var readOnly, asJSON bool
	var url string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a token (shown once; only its SHA-256 hash is stored)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !tokenNamePattern.MatchString(name) {
				return apperr.New(apperr.Invalid, "token name %q: use 1-64 letters, digits and _.@- starting with a letter or digit", name)
			}
			store, err := deps.OpenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			if err := checkConnections(cmd.Context(), store, conns); err != nil {
				return err
			}
			secret, hash, err := NewToken()
			if err != nil {
				return err
			}
			rec := catalog.Token{Name: name, Hash: hash, Connections: conns, ReadOnly: readOnly, Created: time.Now().UTC()}
			if err := store.CreateToken(cmd.Context(), rec); err != nil {
				return err
			}
			config := map[string]any{"mcpServers": map[string]any{"lakemap": map[string]any{
				"type": "http", "url": url, "headers": map[string]string{"Authorization": "Bearer " + secret}}}}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeIndented(out, createdToken{Token: rec, Secret: secret, Config: config})
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %q created for %s%s; it is shown once, store it now:\n", name, scopeText(conns), readOnlyText(readOnly))
			fmt.Fprintln(out, secret)
			fmt.Fprintln(cmd.ErrOrStderr(), "MCP client configuration (streamable HTTP):")
			return writeIndented(out, config)
		},
	}
	cmd.Flags().StringArrayVar(&conns, "connection", nil, "limit the token to this connection (repeatable); default all connections")
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "no write tools for this token, even on ReadWrite connections")
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8080/mcp", "the /mcp URL clients reach, for the printed configuration")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func scopeText(conns []string) string {
	if len(conns) == 0 {
		return "every connection"
	}
	return "connections " + strings.Join(conns, ", ")
}

func readOnlyText(ro bool) string {
	if ro {
		return " (read-only)"
	}
	return ""
}

func newTokenList(deps CommandDeps) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tokens (names, scope, dates; never the tokens themselves)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := deps.OpenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			toks, err := store.ListTokens(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				if toks == nil {
					toks = []catalog.Token{}
				}
				return writeIndented(cmd.OutOrStdout(), toks)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCONNECTIONS\tREAD-ONLY\tCREATED\tREVOKED")
			for _, t := range toks {
				conns := "all"
				if len(t.Connections) > 0 {
					conns = strings.Join(t.Connections, ",")
				}
				revoked := "-"
				if t.Revoked != nil {
					revoked = t.Revoked.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", t.Name, conns, t.ReadOnly, t.Created.UTC().Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newTokenRevoke(deps CommandDeps) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a token: its next request gets 401",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := deps.OpenStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			if err := store.RevokeToken(cmd.Context(), args[0], time.Now().UTC()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %q revoked\n", args[0])
			return nil
		},
	}
}
