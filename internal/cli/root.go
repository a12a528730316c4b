// Package cli holds lakemap's commands. Each command is a thin layer over the
// packages that do the work; errors end up as a message, the advice that
// goes with it, and an exit code (see apperr.ExitCode).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/onboard"
	"github.com/lakemap/lakemap/internal/project"
	"github.com/lakemap/lakemap/internal/schemahist"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/all"
)

// DefaultDB is the embedded catalog used when neither --db nor LAKEMAP_DB is set.
const DefaultDB = "lakemap.db"

// App is what every command shares: flags, streams and the source registry.
type App struct {
	DB       string
	LogLevel string
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	Registry *source.Registry
	Logger   *slog.Logger
}

// errFindings marks a command that ran and found problems it already printed
// (validate): exit 1, no further message.
var errFindings = errors.New("findings reported")

// Main runs the CLI and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr, Registry: all.NewRegistry()}
	root := NewRootCommand(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if errors.Is(err, errFindings) {
		return 1
	}
	printError(stderr, err)
	if isUsageError(err) {
		return 2
	}
	return apperr.ExitCode(err)
}

func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %v\n", err)
	for _, a := range apperr.AdviceOf(err) {
		fmt.Fprintf(w, "  - %s\n", a)
	}
}

// isUsageError recognises cobra's own argument and flag errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "accepts ", "requires at least", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// NewRootCommand builds the command tree.
func NewRootCommand(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:           "lakemap",
		Short:         "Metadata catalog and MCP gateway for AWS data estates",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return app.setup()
		},
	}
	root.PersistentFlags().StringVar(&app.DB, "db", envOr("LAKEMAP_DB", DefaultDB), "catalog: a SQLite file path (env LAKEMAP_DB)")
	root.PersistentFlags().StringVar(&app.LogLevel, "log-level", envOr("LAKEMAP_LOG_LEVEL", "warn"), "log level: debug, info, warn, error")
	root.AddCommand(
		newServeCmd(app),
		newIngestCmd(app),
		newValidateCmd(app),
		newSearchCmd(app),
		newShowCmd(app),
		newConnectionCmd(app),
		newScansCmd(app),
		newVersionCmd(app),
		newUserCmd(app),
		onboard.NewCommand(),
		mcpserver.NewMCPCommand(app.mcpDeps()),
		mcpserver.NewTokenCommand(app.mcpDeps()),
		lineage.NewCommand(func(ctx context.Context) (lineage.Stores, error) { return app.openStore(ctx) }, app.Registry),
		schemahist.NewCommand(func(ctx context.Context) (schemahist.Store, error) { return app.openStore(ctx) }),
		project.NewCommand(func(ctx context.Context) (catalog.Store, error) { return app.openStore(ctx) }),
	)
	return root
}

func (app *App) setup() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(app.LogLevel)); err != nil {
		return apperr.New(apperr.Invalid, "--log-level %q: use debug, info, warn or error", app.LogLevel)
	}
	app.Logger = slog.New(slog.NewTextHandler(app.Stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func (app *App) mcpDeps() mcpserver.CommandDeps {
	return mcpserver.CommandDeps{
		OpenStore: func(ctx context.Context) (catalog.Store, error) { return app.openStore(ctx) },
		SecretBox: app.secretBox,
		Logger:    func() *slog.Logger { return app.Logger },
		DB:        func() string { return app.DB },
		Version:   version(),
	}
}
