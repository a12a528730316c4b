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
	var status *exitStatus
	if errors.As(err, &status) {
		_, _ = io.WriteString(stderr, "error: "+status.Error()+"\n")
		return status.code
	}
	p := apperr.Present(err)
	_, _ = io.WriteString(stderr, p.CLIText())
	return p.ExitCode
}

// tagUsageErrors marks cobra's own usage errors apperr.Invalid (exit 2)
// where cobra makes them: flag parsing (SetFlagErrorFunc, inherited by
// every subcommand), argument validators, required flags and flag groups.
// The tree is complete when this runs, so commands of other packages are
// covered too.
func tagUsageErrors(c *cobra.Command) {
	if args := c.Args; args != nil {
		c.Args = func(cmd *cobra.Command, a []string) error {
			return apperr.WithKind(apperr.Invalid, args(cmd, a))
		}
	}
	if c.Runnable() {
		preE, pre := c.PreRunE, c.PreRun
		// cobra checks required flags after PreRun; checking them first
		// changes nothing else and lets the error carry its kind.
		c.PreRunE = func(cmd *cobra.Command, a []string) error {
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return apperr.WithKind(apperr.Invalid, err)
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return apperr.WithKind(apperr.Invalid, err)
			}
			if preE != nil {
				return preE(cmd, a)
			}
			if pre != nil {
				pre(cmd, a)
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		tagUsageErrors(sub)
	}
}

// unknownCommand is the root's argument validator. cobra reports an
// unknown command only for roots without one, as a plain error; with it
// the error has its kind and the suggestions become advice.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	e := &apperr.Error{Kind: apperr.Invalid, Msg: fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())}
	for _, s := range cmd.SuggestionsFor(args[0]) {
		e.Advice = append(e.Advice, fmt.Sprintf("did you mean %s %s?", cmd.CommandPath(), s))
	}
	e.Advice = append(e.Advice, fmt.Sprintf("run %s --help for the commands", cmd.CommandPath()))
	return e
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
		// Runnable, so that its Args validator runs: without arguments it
		// prints help as before.
		Args:                       unknownCommand,
		SuggestionsMinimumDistance: 2, // cobra's own default, which SuggestionsFor does not apply
		RunE:                       func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return apperr.WithKind(apperr.Invalid, err)
	})
	root.PersistentFlags().StringVar(&app.DB, "db", envOr("LAKEMAP_DB", DefaultDB), "catalog: a SQLite file path or a postgres://user@host/db URL (env LAKEMAP_DB)")
	root.PersistentFlags().StringVar(&app.LogLevel, "log-level", envOr("LAKEMAP_LOG_LEVEL", "warn"), "log level: debug, info, warn, error")
	root.AddCommand(
		newServeCmd(app),
		newIngestCmd(app),
		newValidateCmd(app),
		newSearchCmd(app),
		newShowCmd(app),
		newConnectionCmd(app),
		newScanCmd(app),
		newScansCmd(app),
		newMigrateCmd(app),
		newVersionCmd(app),
		newUserCmd(app),
		onboard.NewCommand(),
		mcpserver.NewMCPCommand(app.mcpDeps()),
		newTokenCmd(app),
		lineage.NewCommand(func(ctx context.Context) (lineage.Stores, error) { return app.openStore(ctx) }, app.Registry),
		schemahist.NewCommand(func(ctx context.Context) (schemahist.Store, error) { return app.openStore(ctx) }),
		project.NewCommand(func(ctx context.Context) (catalog.Store, error) { return app.openStore(ctx) }),
	)
	tagUsageErrors(root)
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
