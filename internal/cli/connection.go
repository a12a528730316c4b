package cli

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/workflow"
)

func newConnectionCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "connection", Short: "Test and list AWS connections"}
	cmd.AddCommand(newConnectionTestCmd(app), newConnectionListCmd(app))
	return cmd
}

func newConnectionTestCmd(app *App) *cobra.Command {
	var file string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test -c workflow.yaml",
		Short: "Assume the workflow's role and prove each permission group of its access level, one line per check",
		Long: `Assumes the workflow's role, then proves each permission group (statement) of the policy
lakemap onboard generates for the connection's service and access level with harmless calls.
Each line is PASS, FAIL (with the IAM actions to add) or UNPROVEN (what could not be shown
without writing, when the role may not call iam:SimulatePrincipalPolicy). Nothing is created,
changed or deleted. When the workflow names a project, the role is assumed with the project's
External ID. Exits non-zero when any check fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf, err := app.loadWorkflow(file)
			if err != nil {
				return err
			}
			if err := app.bindProject(cmd.Context(), wf); err != nil {
				return err
			}
			rep := conntest.Report{Connection: wf.Source.ServiceName}
			p, err := ingest.Params(cmd.Context(), wf, ingest.Options{Logger: app.Logger})
			if err != nil {
				rep.Results = []conntest.Result{{Check: "build AWS session", Status: conntest.Fail, Error: err.Error(), Advice: apperr.AdviceOf(err)}}
			} else {
				rep = conntest.RunSource(cmd.Context(), wf.Source.ServiceName, wf.Source.Spec, wf.Source.Connection, p.AWS)
			}
			if asJSON {
				if err := writeJSON(app.Stdout, rep); err != nil {
					return err
				}
			} else {
				rep.Print(app.Stdout)
			}
			if n := rep.Count(conntest.Fail); n > 0 {
				return apperr.New(apperr.AccessDenied, "%d of %d connection checks failed for %q", n, len(rep.Results), wf.Source.ServiceName)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "", "workflow YAML file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

// bindProject gives the workflow its project's External ID, as ingest does.
// The catalog is opened only when the workflow names a project or already
// exists (a registered connection may belong to one): testing a connection
// must not leave a new catalog file behind.
func (app *App) bindProject(ctx context.Context, wf *workflow.Workflow) error {
	named := false
	if r, ok := wf.Source.Connection.(interface{ ProjectRef() string }); ok {
		named = r.ProjectRef() != ""
	}
	if !named {
		if !app.catalogExists() {
			return ingest.CheckUnbound(wf)
		}
	}
	store, err := app.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	_, _, err = ingest.BindProject(ctx, store, wf)
	return err
}

func newConnectionListCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the connections workflows have registered (secrets never shown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			conns, err := store.ListConnections(cmd.Context())
			if err != nil {
				return err
			}
			for i := range conns {
				conns[i].EndpointURL = redactURL(conns[i].EndpointURL)
			}
			if asJSON {
				return writeJSON(app.Stdout, conns)
			}
			projects, err := store.ListProjects(cmd.Context())
			if err != nil {
				return err
			}
			projectName := map[string]string{}
			for _, p := range projects {
				projectName[p.ID] = p.Name
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSOURCE\tACCESS\tREGION\tPROJECT\tROLE")
			for _, c := range conns {
				project := cmp.Or(projectName[c.ProjectID], c.ProjectID, "-")
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.SourceType, c.AccessLevel, c.Region, project, c.RoleARN)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// redactURL drops the user name and password of an endpoint URL. Workflows
// may no longer write them (awsconn refuses userinfo), but connections
// remembered before that may hold them.
func redactURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil && strings.Contains(s, "@"):
		return "REDACTED (not a valid URL)"
	case err != nil || u.User == nil:
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}
