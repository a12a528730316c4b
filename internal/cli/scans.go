package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
)

func newScansCmd(app *App) *cobra.Command {
	var service string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "scans",
		Short: "List recent scans with their status and counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := catalog.SurfaceCLI.ParseRead(catalog.ReadScans, catalog.ReadArgs{Services: []string{service}, Limit: limit}, time.Now())
			if err != nil {
				return err
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			scans, err := store.ListScans(cmd.Context(), req.Service(), req.Limit)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, scans)
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSERVICE\tSOURCE\tSTATUS\tSTARTED\tDURATION\tERRORS\tWARNINGS")
			for _, s := range scans {
				dur := "-"
				if s.Finished != nil {
					dur = s.Finished.Sub(s.Started).Round(time.Millisecond).String()
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", s.ID, s.Service, s.SourceType, s.Status, s.Started.Format(time.RFC3339), dur, len(s.Errors), len(s.Warnings))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service")
	cmd.Flags().IntVar(&limit, "limit", catalog.SurfaceCLI.DefaultPageSize(catalog.ReadScans), "scans to list")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
