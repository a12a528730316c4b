// Package project holds `lakemap project`: projects own the External ID
// (lakemap-<uuid>) that their connections assume roles with.
package project

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Opener opens the catalog; the command closes what it opens.
type Opener func(ctx context.Context) (catalog.Store, error)

// NewCommand builds `lakemap project` and its subcommands.
func NewCommand(open func(ctx context.Context) (catalog.Store, error)) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "project",
		Short: "Create and list projects, each with the External ID its customer roles require",
	}
	cmd.AddCommand(newCreateCmd(open), newListCmd(open), newShowCmd(open))
	return cmd
}

func newCreateCmd(open Opener) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a project with a new UUID and its External ID lakemap-<uuid>",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := catalog.NewProject(args[0], time.Now())
			if err != nil {
				return err
			}
			err = withStore(cmd.Context(), open, func(st catalog.Store) error {
				return st.CreateProject(cmd.Context(), p)
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, p)
			}
			fmt.Fprintf(w, "created project %s\n", p.Name)
			printProject(w, p)
			fmt.Fprintf(w, "\nThe customer's role must trust lakemap with this External ID, for example:\n")
			fmt.Fprintf(w, "  lakemap onboard --service glue --access ReadOnly --external-id %s --format checklist\n", p.ExternalID)
			fmt.Fprintf(w, "Name the project in workflows (serviceConnection.config.project: %s); lakemap then always assumes roles with it.\n", p.Name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newListCmd(open Opener) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List projects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var list []catalog.Project
			err := withStore(cmd.Context(), open, func(st catalog.Store) (err error) {
				list, err = st.ListProjects(cmd.Context())
				return err
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, list)
			}
			tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tID\tEXTERNAL ID\tCREATED")
			for _, p := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.ID, p.ExternalID, p.Created.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// shown is `project show --json`: the project and its connections' names.
type shown struct {
	catalog.Project
	Connections []string `json:"connections"`
}

func newShowCmd(open Opener) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME|ID",
		Short: "Show a project, its External ID and its connections",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out shown
			err := withStore(cmd.Context(), open, func(st catalog.Store) error {
				p, err := st.GetProject(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				conns, err := st.ListConnections(cmd.Context())
				if err != nil {
					return err
				}
				out = shown{Project: p, Connections: []string{}}
				for _, c := range conns {
					if c.ProjectID == p.ID {
						out.Connections = append(out.Connections, c.Name)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, out)
			}
			fmt.Fprintf(w, "project %s\n", out.Name)
			printProject(w, out.Project)
			if len(out.Connections) == 0 {
				fmt.Fprintln(w, "  connections  none yet (run a workflow naming this project)")
			}
			for i, c := range out.Connections {
				label := ""
				if i == 0 {
					label = "connections"
				}
				fmt.Fprintf(w, "  %-11s  %s\n", label, c)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printProject(w io.Writer, p catalog.Project) {
	fmt.Fprintf(w, "  id           %s\n", p.ID)
	fmt.Fprintf(w, "  External ID  %s\n", p.ExternalID)
	fmt.Fprintf(w, "  created      %s\n", p.Created.Format(time.RFC3339))
}

func withStore(ctx context.Context, open Opener, fn func(catalog.Store) error) error {
	st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
