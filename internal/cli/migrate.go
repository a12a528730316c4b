package cli

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/migrate"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/store/postgres"
)

func newMigrateCmd(app *App) *cobra.Command {
	var from, to string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate --from lakemap.db --to postgres://user@host/lakemap",
		Short: "Copy a SQLite catalog into PostgreSQL and check the copy",
		Long: "Copy every table of a SQLite catalog (entities, history, lineage, scans, projects, users and their\n" +
			"sessions, API and MCP tokens, connections with their sealed secrets) into a PostgreSQL database, then\n" +
			"count each table on both sides. Stop the servers first. The target must be empty or hold an earlier\n" +
			"copy of the same catalog: a copy cut short is finished by running the same command again.\n" +
			"Connection secrets stay sealed: start every server on PostgreSQL with " + secrets.EnvKey + " set to the\n" +
			"key in the key file beside the SQLite catalog (lakemap.key for lakemap.db).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if from == "" || to == "" {
				return apperr.New(apperr.Invalid, "lakemap migrate: give --from (the SQLite catalog file) and --to (a postgres:// URL)")
			}
			if !postgres.IsURL(to) {
				return apperr.New(apperr.Invalid, "--to %q is not a PostgreSQL URL: use postgres://user@host:5432/dbname", to)
			}
			if postgres.IsURL(from) {
				return apperr.New(apperr.Invalid, "--from must be a SQLite catalog file, not a URL")
			}
			if _, err := os.Stat(from); err != nil {
				return apperr.New(apperr.NotFound, "SQLite catalog %s does not exist: give --from the path of the lakemap.db to copy", from)
			}
			dst, err := postgres.Open(ctx, to)
			if err != nil {
				return err
			}
			defer dst.Close()
			rep, err := migrate.Copy(ctx, from, dst, migrate.Options{})
			if asJSON && err == nil {
				return writeJSON(app.Stdout, rep)
			}
			if len(rep.Tables) > 0 {
				tw := tabwriter.NewWriter(app.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintln(tw, "table\tSQLite\tcopied now\tPostgreSQL\t")
				for _, t := range rep.Tables {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", t.Table, t.Source, t.Added, t.Target)
				}
				tw.Flush()
			}
			if err != nil {
				return err
			}
			if rep.Resumed {
				fmt.Fprintln(app.Stderr, "An earlier copy of this catalog was found and completed.")
			}
			fmt.Fprintf(app.Stderr, "Copied and checked. Start the servers with --db %s and %s set to the key in %s.\n",
				(&App{DB: to}).catalogName(), secrets.EnvKey, keyFileFor(from))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the SQLite catalog file to copy")
	f.StringVar(&to, "to", "", "the PostgreSQL database to copy into: postgres://user@host:5432/dbname")
	f.BoolVar(&asJSON, "json", false, "print the counts as JSON")
	return cmd
}
