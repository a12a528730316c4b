package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
)

func newSearchCmd(app *App) *cobra.Command {
	var kinds, services []string
	var limit, offset int
	var asJSON, deleted bool
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search the catalog by name, description, column name or comment",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := catalog.SurfaceCLI.ParseRead(catalog.ReadSearch, catalog.ReadArgs{Text: strings.Join(args, " "), Kinds: kinds,
				Services: services, Limit: limit, Offset: offset, Deleted: deleted}, time.Now())
			if err != nil {
				return err
			}
			q := req.Search()
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			res, err := store.Search(cmd.Context(), q)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, res)
			}
			if len(res.Hits) == 0 {
				fmt.Fprintf(app.Stdout, "no matches for %q\n", q.Text)
				return nil
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tFQN\tDESCRIPTION")
			for _, h := range res.Hits {
				fqn := h.FQN
				if h.Deleted {
					fqn += " (deleted)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Kind, fqn, oneLine(h.Description, 80))
			}
			tw.Flush()
			shown := q.Offset + len(res.Hits)
			if res.NextOffset > 0 {
				fmt.Fprintf(app.Stdout, "%d of %d matches; more with --offset %d\n", shown, res.Total, res.NextOffset)
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds (repeatable): table, column, database, bucket...")
	cmd.Flags().StringSliceVar(&services, "service", nil, "only these services (serviceName)")
	cmd.Flags().IntVar(&limit, "limit", catalog.SurfaceCLI.DefaultPageSize(catalog.ReadSearch), fmt.Sprintf("results per page (max %d)", catalog.MaxLimit))
	cmd.Flags().IntVar(&offset, "offset", 0, fmt.Sprintf("skip this many results (at most %d)", catalog.MaxOffset))
	cmd.Flags().BoolVar(&deleted, "include-deleted", false, "include entities marked deleted")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
