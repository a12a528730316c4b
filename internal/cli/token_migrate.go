package cli

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// migrated is one line of `token migrate --json`.
type migrated struct {
	Name    string            `json:"name"`
	Token   *catalog.APIToken `json:"token,omitempty"` // the project token it became
	Skipped string            `json:"skipped,omitempty"`
}

// newTokenMigrateCmd turns the MCP tokens of older versions into project
// API tokens. The stored hash moves over, so the secret agents hold keeps
// working; the legacy record is revoked once its project token exists.
func newTokenMigrateCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Turn legacy MCP tokens into project API tokens with the same secret",
		Long: `Each live legacy MCP token whose connections (all of them, when it named none) belong to one
project becomes an API token of that project with the same name, secret and connection list:
scope read when it was --read-only, else readwrite (its MCP write tools need it). The legacy
token is then revoked. A token spanning several projects, or none, is left alone and named:
create project tokens for it and revoke it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return app.withTokens(ctx, func(st tokenStore) error {
				legacy, err := st.ListTokens(ctx)
				if err != nil {
					return err
				}
				conns, err := st.ListConnections(ctx)
				if err != nil {
					return err
				}
				out := []migrated{}
				for _, old := range legacy {
					if old.Revoked != nil {
						continue
					}
					m := migrated{Name: old.Name}
					projectID, why := legacyProject(old, conns)
					if why != "" {
						m.Skipped = why
						out = append(out, m)
						continue
					}
					scope := catalog.ScopeReadWrite
					if old.ReadOnly {
						scope = catalog.ScopeRead
					}
					t, err := catalog.NewAPIToken(projectID, old.Name, scope, old.Hash, old.Created)
					if err == nil {
						t.Connections, t.ReadOnly = old.Connections, old.ReadOnly
						err = st.CreateAPIToken(ctx, t)
					}
					if err != nil {
						m.Skipped = apperr.Present(err).Message
						out = append(out, m)
						continue
					}
					if err := st.RevokeToken(ctx, old.Name, time.Now().UTC()); err != nil {
						return fmt.Errorf("revoke legacy token %q after migrating it: %w", old.Name, err)
					}
					m.Token = &t
					out = append(out, m)
				}
				if asJSON {
					return writeJSON(app.Stdout, out)
				}
				if len(out) == 0 {
					fmt.Fprintln(app.Stdout, "no live legacy MCP tokens")
				}
				for _, m := range out {
					if m.Token != nil {
						fmt.Fprintf(app.Stdout, "%s: now a %s token of project %s (id %s)\n", m.Name, m.Token.Scope, m.Token.ProjectID, m.Token.ID)
					} else {
						fmt.Fprintf(app.Stdout, "%s: left as it was: %s\n", m.Name, m.Skipped)
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// legacyProject is the one project of a legacy token's connections, or why
// there is none.
func legacyProject(t catalog.Token, conns []catalog.Connection) (string, string) {
	var projects []string
	for _, c := range conns {
		if len(t.Connections) > 0 && !slices.Contains(t.Connections, c.Name) {
			continue
		}
		if c.ProjectID == "" {
			return "", fmt.Sprintf("connection %q belongs to no project", c.Name)
		}
		if !slices.Contains(projects, c.ProjectID) {
			projects = append(projects, c.ProjectID)
		}
	}
	switch len(projects) {
	case 0:
		return "", "its connections are gone"
	case 1:
		return projects[0], ""
	}
	return "", fmt.Sprintf("its connections span %d projects", len(projects))
}
