package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

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
			for _, n := range wf.Notes {
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
