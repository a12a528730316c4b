package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/store/postgres"
	"github.com/lakemap/lakemap/internal/workflow"
)

func newValidateCmd(app *App) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "validate -c workflow.yaml",
		Short: "Check a workflow file without touching the network (exit 1 on any finding)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf, err := app.loadWorkflow(file)
			var findings workflow.Findings
			if errors.As(err, &findings) {
				for _, f := range findings {
					fmt.Fprintln(app.Stdout, f.Error())
				}
				fmt.Fprintf(app.Stderr, "%s: %d problem(s)\n", file, len(findings))
				return errFindings
			}
			if err != nil {
				return err
			}
			note, err := app.checkProjectOffline(cmd.Context(), wf)
			if err != nil {
				return err
			}
			for _, n := range append(wf.Notes, note...) {
				fmt.Fprintln(app.Stderr, "note:", n)
			}
			fmt.Fprintf(app.Stdout, "%s: ok (source %s, service %s)\n", file, wf.Source.Type, wf.Source.ServiceName)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "", "workflow YAML file")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

// checkProjectOffline checks the workflow's project and External ID as
// ingest will, as far as it can without the network or creating a catalog:
// against a SQLite catalog that exists, fully; otherwise only the rule that
// needs no catalog (an unbound connection may not present a project's
// External ID), or, when the workflow names a project, not at all, which
// the note returned says.
func (app *App) checkProjectOffline(ctx context.Context, wf *workflow.Workflow) ([]string, error) {
	named := ""
	if r, ok := wf.Source.Connection.(interface{ ProjectRef() string }); ok {
		named = r.ProjectRef()
	}
	switch {
	case !postgres.IsURL(app.DB) && app.catalogExists():
		return nil, app.bindProject(ctx, wf)
	case named == "" && !postgres.IsURL(app.DB):
		return nil, ingest.CheckUnbound(wf)
	case named != "":
		return []string{fmt.Sprintf("project %q is looked up in the catalog when the workflow runs (no local catalog at %s to check it against)", named, app.DB)}, nil
	}
	return []string{"the connection's project and External ID are checked against the PostgreSQL catalog when the workflow runs"}, nil
}
