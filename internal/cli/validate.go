package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

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
// as ingest would against a SQLite catalog that exists, and against none
// the rule that needs no catalog (an unbound connection may not present a
// project's External ID). What it cannot check, a project named with no
// catalog to look it up in or a PostgreSQL catalog, the notes returned say.
func (app *App) checkProjectOffline(ctx context.Context, wf *workflow.Workflow) ([]string, error) {
	if postgres.IsURL(app.DB) {
		return []string{"the connection's project and External ID are checked against the PostgreSQL catalog when the workflow runs"}, nil
	}
	if name := projectNamed(wf); name != "" && !app.catalogExists() {
		return []string{fmt.Sprintf("project %q is looked up in the catalog when the workflow runs (there is no catalog at %s yet)", name, app.DB)}, nil
	}
	return nil, app.bindProject(ctx, wf)
}
