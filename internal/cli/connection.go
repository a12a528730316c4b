package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/workflow"
)

func newConnectionCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "connection", Short: "Create, edit, delete, test, list, show and export AWS connections"}
	cmd.AddCommand(newConnectionCreateCmd(app), newConnectionEditCmd(app), newConnectionDeleteCmd(app),
		newConnectionTestCmd(app), newConnectionListCmd(app), newConnectionShowCmd(app), newConnectionExportCmd(app))
	return cmd
}

func newConnectionTestCmd(app *App) *cobra.Command {
	var file string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test (-c workflow.yaml | NAME)",
		Short: "Assume the workflow's role and prove each permission group of its access level, one line per check",
		Long: `Assumes the workflow's role, then proves each permission group (statement) of the policy
lakemap onboard generates for the connection's service and access level with harmless calls.
Each line is PASS, FAIL (with the IAM actions to add) or UNPROVEN (what could not be shown
without writing, when the role may not call iam:SimulatePrincipalPolicy). Nothing is created,
changed or deleted. When the workflow names a project, the role is assumed with the project's
External ID. NAME tests a stored connection instead of a workflow file. Exits non-zero
when any check fails.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (file == "") == (len(args) == 0) {
				return apperr.New(apperr.Invalid, "give a workflow file (-c) or the name of a stored connection, not both")
			}
			var wf *workflow.Workflow
			var err error
			if len(args) == 1 {
				wf, err = app.storedWorkflow(cmd.Context(), args[0])
			} else {
				wf, err = app.loadWorkflow(file)
				if err == nil {
					err = app.bindProject(cmd.Context(), wf)
				}
			}
			if err != nil {
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
	return cmd
}

// storedWorkflow rebuilds the runnable workflow of a stored connection,
// opening its sealed secrets only when it has some.
func (app *App) storedWorkflow(ctx context.Context, name string) (*workflow.Workflow, error) {
	store, err := app.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	conn, err := store.GetConnection(ctx, name)
	if err != nil {
		return nil, err
	}
	var box *secrets.Box
	if len(conn.Secrets) > 0 {
		if box, err = app.secretBox(); err != nil {
			return nil, err
		}
	}
	return connections.New(store, app.Registry, box).Workflow(ctx, conn)
}

// projectNamed is the project the workflow's connection names, "" for none.
func projectNamed(wf *workflow.Workflow) string {
	if r, ok := wf.Source.Connection.(interface{ ProjectRef() string }); ok {
		return r.ProjectRef()
	}
	return ""
}

// bindProject gives the workflow its project's External ID, as ingest does.
// The catalog is opened only when the workflow names a project or already
// exists (a registered connection may belong to one): testing a connection
// must not leave a new catalog file behind.
func (app *App) bindProject(ctx context.Context, wf *workflow.Workflow) error {
	if projectNamed(wf) == "" && !app.catalogExists() {
		return ingest.CheckUnbound(wf)
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
		Short: "List the connections of every project (secrets never shown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			conns, err := connections.New(store, app.Registry, nil).All(cmd.Context())
			if err != nil {
				return err
			}
			for i := range conns {
				conns[i].EndpointURL = redactURL(conns[i].EndpointURL)
			}
			if asJSON {
				return writeJSON(app.Stdout, conns)
			}
			projectName, err := projectNames(cmd.Context(), store)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tSOURCE\tACCESS\tREGION\tPROJECT\tCREDENTIALS\tSCHEDULE\tROLE")
			for _, c := range conns {
				project := cmp.Or(projectName[c.ProjectID], c.ProjectID, "-")
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.SourceType, c.AccessLevel, c.Region, project,
					c.Credentials.Type, scheduleText(c.Schedule), cmp.Or(c.RoleARN, "-"))
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

func projectNames(ctx context.Context, store catalog.ProjectStore) (map[string]string, error) {
	projects, err := store.ListProjects(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range projects {
		out[p.ID] = p.Name
	}
	return out, nil
}

func scheduleText(s *connections.Schedule) string {
	switch {
	case s == nil:
		return "-"
	case s.Cron != "":
		return "cron " + s.Cron
	}
	return "every " + s.Interval
}

func newConnectionShowCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one connection: role, External ID, scan options, schedule (secrets never shown)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			conn, err := connections.New(store, app.Registry, nil).Find(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			v, err := connections.ViewOf(conn)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, v)
			}
			projectName, err := projectNames(cmd.Context(), store)
			if err != nil {
				return err
			}
			return printConnection(app.Stdout, v, projectName[v.ProjectID])
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printConnection(w io.Writer, v connections.View, project string) error {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, val)
		}
	}
	row("Name", v.Name)
	row("Source", v.SourceType)
	if v.ProjectID != "" {
		row("Project", cmp.Or(project, "?")+" ("+v.ProjectID+")")
	}
	row("Role", v.RoleARN)
	row("External ID", v.ExternalID)
	row("Region", v.Region)
	row("Access", string(v.AccessLevel))
	row("Endpoint", v.EndpointURL)
	creds := string(v.Credentials.Type)
	switch {
	case v.Credentials.Type == connections.StaticKeys:
		creds += " (keys stored sealed"
		if v.Credentials.SessionToken != "" {
			creds += ", with a session token"
		}
		creds += ")"
	case v.Credentials.Profile != "":
		creds += " " + v.Credentials.Profile
	}
	row("Credentials", creds)
	if v.Schedule != nil {
		row("Schedule", scheduleText(v.Schedule))
	}
	for _, part := range []struct {
		name string
		m    map[string]any
	}{{"Connection options", v.ConnectionConfig}, {"Scan options", v.SourceConfig}} {
		if len(part.m) > 0 {
			js, err := json.Marshal(part.m)
			if err != nil {
				return err
			}
			row(part.name, string(js))
		}
	}
	if len(v.SourceConfigSecrets) > 0 {
		row("Sealed scan options", strings.Join(v.SourceConfigSecrets, ", "))
	}
	row("Created", v.Created.Format(time.RFC3339))
	row("Updated", v.Updated.Format(time.RFC3339))
	return tw.Flush()
}

func newConnectionExportCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME",
		Short: "Print a connection as a workflow YAML that lakemap ingest -c runs (secrets left out)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			svc := connections.New(store, app.Registry, nil)
			conn, err := svc.Find(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			y, err := svc.ExportYAML(conn)
			if err != nil {
				return err
			}
			_, err = app.Stdout.Write(y)
			return err
		},
	}
}
