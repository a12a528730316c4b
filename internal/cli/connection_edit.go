package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/secrets"
)

// `lakemap connection create|edit|delete` write through the connections
// service, with the API's validation: a bad field is exit 2 naming it, and
// nothing is saved.

// connFlags are the fields create and edit share.
type connFlags struct {
	roleARN, region, access, endpoint string
	scanOptions, connOptions          string
	credType, profile, accessKeyID    string
	secretStdin                       bool
	cron, interval                    string
	noSchedule                        bool
}

func (f *connFlags) add(fs *pflag.FlagSet, edit bool) {
	fs.StringVar(&f.roleARN, "role-arn", "", "the customer role lakemap assumes (with the project's External ID)")
	fs.StringVar(&f.region, "region", "", "AWS region (default us-east-1)")
	fs.StringVar(&f.access, "access", "", "access level: ReadOnly (default) or ReadWrite")
	fs.StringVar(&f.endpoint, "endpoint-url", "", "AWS endpoint URL (an emulator or a VPC endpoint)")
	fs.StringVar(&f.scanOptions, "scan-options", "", `scan options as JSON: the workflow's sourceConfig.config, e.g. '{"includeAthena":false}'`)
	fs.StringVar(&f.connOptions, "connection-options", "", `the source's own connection options as JSON, e.g. '{"bucketNames":["raw"]}'`)
	fs.StringVar(&f.credType, "credentials", "", "base credentials: default (the AWS chain of whoever scans), static or profile")
	fs.StringVar(&f.profile, "profile", "", "with --credentials profile: the named profile")
	fs.StringVar(&f.accessKeyID, "access-key-id", "", "with --credentials static: the access key id")
	fs.BoolVar(&f.secretStdin, "secret-access-key-stdin", false, "with --credentials static: read the secret access key from the first line of standard input (stored sealed, never shown)")
	fs.StringVar(&f.cron, "schedule-cron", "", "scan on this 5-field cron schedule (UTC), e.g. '0 3 * * *'")
	fs.StringVar(&f.interval, "schedule-interval", "", "scan this often, e.g. 6h (at least 1m)")
	if edit {
		fs.BoolVar(&f.noSchedule, "no-schedule", false, "take the connection off its schedule")
	}
}

func jsonObject(flag, s string) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, apperr.New(apperr.Invalid, "--%s: give a JSON object such as '{\"key\":\"value\"}'", flag)
	}
	return m, nil
}

// credentials reads the credential flags; the secret comes from stdin.
func (f *connFlags) credentials(app *App) (connections.Credentials, error) {
	c := connections.Credentials{Type: connections.CredentialType(f.credType), Profile: f.profile, AccessKeyID: f.accessKeyID}
	if f.secretStdin {
		line, err := bufio.NewReader(app.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return c, apperr.New(apperr.Invalid, "--secret-access-key-stdin: standard input is empty (%v)", err)
		}
		c.SecretAccessKey = line
	}
	return c, nil
}

// box opens the secret key when the connection needs it; otherwise a
// missing PostgreSQL key does not stop a connection without secrets.
func (app *App) boxFor(static bool) (*secrets.Box, error) {
	box, err := app.secretBox()
	if err != nil && !static {
		return nil, nil
	}
	return box, err
}

func scheduleNote(app *App, f *connFlags) {
	if f.cron != "" || f.interval != "" || f.noSchedule {
		fmt.Fprintln(app.Stderr, "note: a running lakemap serve takes up a schedule changed here within 30 seconds")
	}
}

func newConnectionCreateCmd(app *App) *cobra.Command {
	var f connFlags
	var projectRef, source string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create NAME --project P --source glue|s3|datazone --role-arn ARN",
		Short: "Add a connection to a project (validated as the API and workflows are)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := connections.Input{Name: args[0], SourceType: source, RoleARN: f.roleARN, Region: f.region,
				AccessLevel: catalog.AccessLevel(f.access), EndpointURL: f.endpoint,
				Schedule: connections.Schedule{Cron: f.cron, Interval: f.interval}}
			var err error
			if f.scanOptions != "" {
				if in.SourceConfig, err = jsonObject("scan-options", f.scanOptions); err != nil {
					return err
				}
			}
			if f.connOptions != "" {
				if in.ConnectionConfig, err = jsonObject("connection-options", f.connOptions); err != nil {
					return err
				}
			}
			if in.Credentials, err = f.credentials(app); err != nil {
				return err
			}
			box, err := app.boxFor(in.Credentials.Type == connections.StaticKeys)
			if err != nil {
				return err
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			p, err := store.GetProject(cmd.Context(), projectRef)
			if err != nil {
				return err
			}
			v, err := connections.New(store, app.Registry, box).Create(cmd.Context(), p.ID, in)
			if err != nil {
				return err
			}
			scheduleNote(app, &f)
			if asJSON {
				return writeJSON(app.Stdout, v)
			}
			fmt.Fprintf(app.Stdout, "created connection %s in project %s\n", v.Name, p.Name)
			return printConnection(app.Stdout, v, p.Name)
		},
	}
	cmd.Flags().StringVar(&projectRef, "project", "", "the project the connection belongs to (name or id)")
	cmd.Flags().StringVar(&source, "source", "", "the source type: glue, s3, athena, datazone")
	f.add(cmd.Flags(), false)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("project")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}

func newConnectionEditCmd(app *App) *cobra.Command {
	var f connFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "edit NAME [flags]",
		Short: "Change some fields of a connection; the others, secrets included, keep their value",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			var p connections.Patch
			str := func(flag, v string) *string {
				if fs.Changed(flag) {
					return &v
				}
				return nil
			}
			p.RoleARN, p.Region, p.EndpointURL = str("role-arn", f.roleARN), str("region", f.region), str("endpoint-url", f.endpoint)
			if fs.Changed("access") {
				a := catalog.AccessLevel(f.access)
				p.AccessLevel = &a
			}
			var err error
			if fs.Changed("scan-options") {
				if p.SourceConfig, err = jsonObject("scan-options", f.scanOptions); err != nil {
					return err
				}
			}
			if fs.Changed("connection-options") {
				if p.ConnectionConfig, err = jsonObject("connection-options", f.connOptions); err != nil {
					return err
				}
			}
			if fs.Changed("credentials") || fs.Changed("profile") || fs.Changed("access-key-id") || f.secretStdin {
				c, err := f.credentials(app)
				if err != nil {
					return err
				}
				p.Credentials = &c
			}
			switch {
			case f.noSchedule && (f.cron != "" || f.interval != ""):
				return apperr.New(apperr.Invalid, "--no-schedule with --schedule-cron or --schedule-interval: give one")
			case f.noSchedule:
				p.Schedule = &connections.Schedule{}
			case fs.Changed("schedule-cron") || fs.Changed("schedule-interval"):
				p.Schedule = &connections.Schedule{Cron: f.cron, Interval: f.interval}
			}
			if js, _ := json.Marshal(p); string(js) == "{}" {
				return apperr.New(apperr.Invalid, "nothing to change: give at least one field flag (lakemap connection edit --help lists them)")
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			old, err := store.GetConnection(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			box, err := app.boxFor(len(old.Secrets) > 0 || f.credType == string(connections.StaticKeys))
			if err != nil {
				return err
			}
			v, err := connections.New(store, app.Registry, box).Update(cmd.Context(), old.ProjectID, old.Name, p)
			if err != nil {
				return err
			}
			scheduleNote(app, &f)
			if asJSON {
				return writeJSON(app.Stdout, v)
			}
			names, err := projectNames(cmd.Context(), store)
			if err != nil {
				return err
			}
			fmt.Fprintf(app.Stdout, "updated connection %s\n", v.Name)
			return printConnection(app.Stdout, v, names[v.ProjectID])
		},
	}
	f.add(cmd.Flags(), true)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newConnectionDeleteCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a connection; what it scanned stays in the catalog",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			c, err := store.GetConnection(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if c.ProjectID == "" {
				err = store.DeleteConnection(cmd.Context(), c.Name)
			} else {
				err = connections.New(store, app.Registry, nil).Delete(cmd.Context(), c.ProjectID, c.Name)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, map[string]string{"deleted": c.Name, "projectId": c.ProjectID})
			}
			fmt.Fprintf(app.Stdout, "deleted connection %s (its catalog entries stay; a running lakemap serve drops its schedule within 30 seconds)\n", c.Name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
