package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// `lakemap token` manages project API tokens: the tokens of the server's
// REST API and of MCP over HTTP alike (the server's
// /api/v1/projects/{project}/tokens). The MCP tokens older versions made
// (every connection, or a list of them) still open /mcp until revoked;
// `token list` shows them and `token migrate` turns them into project tokens
// with the same secret.

// tokenStore is what `lakemap token` needs of the catalog.
type tokenStore interface {
	catalog.ProjectStore
	catalog.ConnectionReader
	catalog.APITokenStore
	catalog.TokenStore
}

func (app *App) withTokens(ctx context.Context, fn func(tokenStore) error) error {
	st, err := app.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, ok := st.(tokenStore)
	if !ok {
		return apperr.New(apperr.Invalid, "catalog %s keeps no API tokens", app.catalogName())
	}
	return fn(ts)
}

func newTokenCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke project API tokens (REST and MCP over HTTP)",
	}
	cmd.AddCommand(newTokenCreateCmd(app), newTokenListCmd(app), newTokenRevokeCmd(app), newTokenMigrateCmd(app))
	return cmd
}

// tokenCreated is what `token create --json` prints: the API's answer to a
// token creation, and the MCP client configuration that uses it.
type tokenCreated struct {
	Token  catalog.APIToken `json:"token"`
	Secret string           `json:"secret"`
	Config map[string]any   `json:"config"`
}

func newTokenCreateCmd(app *App) *cobra.Command {
	var projectRef, scope, url string
	var conns []string
	var readOnly, asJSON bool
	cmd := &cobra.Command{
		Use:   "create NAME --project P [--scope read|readwrite]",
		Short: "Create a project API token (shown once; only its SHA-256 hash is stored)",
		Long: `Create an API token of one project. read (the default) reads the project's catalog and
connections; readwrite also writes (connections, scans, MCP write tools). --connection narrows
it to some of the project's connections; --read-only caps the AWS access of its live MCP tools
at ReadOnly. Neither scope manages members or tokens: that takes a person.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := catalog.ParseTokenScope(scope)
			if err != nil {
				return apperr.Wrap(apperr.Invalid, err, "--scope %q: use read or readwrite", scope)
			}
			return app.withTokens(cmd.Context(), func(st tokenStore) error {
				p, err := st.GetProject(cmd.Context(), projectRef)
				if err != nil {
					return err
				}
				if err := checkProjectConnections(cmd.Context(), st, p, conns); err != nil {
					return err
				}
				secret, hash, err := auth.NewSecret(auth.TokenPrefix)
				if err != nil {
					return err
				}
				t, err := catalog.NewAPIToken(p.ID, args[0], sc, hash, time.Now())
				if err != nil {
					return err
				}
				t.Connections, t.ReadOnly = conns, readOnly
				if err := st.CreateAPIToken(cmd.Context(), t); err != nil {
					return err
				}
				config := map[string]any{"mcpServers": map[string]any{"lakemap": map[string]any{
					"type": "http", "url": url, "headers": map[string]string{"Authorization": "Bearer " + secret}}}}
				if asJSON {
					return writeJSON(app.Stdout, tokenCreated{Token: t, Secret: secret, Config: config})
				}
				fmt.Fprintf(app.Stderr, "token %q created in project %s (%s); it is shown once, store it now:\n", t.Name, p.Name, t.Scope)
				fmt.Fprintln(app.Stdout, secret)
				fmt.Fprintln(app.Stderr, "Use it as Authorization: Bearer <token> on /api/v1, or in an MCP client (streamable HTTP):")
				return writeJSON(app.Stdout, config)
			})
		},
	}
	cmd.Flags().StringVar(&projectRef, "project", "", "the project the token belongs to (name or id)")
	cmd.Flags().StringVar(&scope, "scope", string(catalog.ScopeRead), "read or readwrite")
	cmd.Flags().StringArrayVar(&conns, "connection", nil, "limit the token to this connection of the project (repeatable); default all of them")
	cmd.Flags().BoolVar(&readOnly, "read-only", false, "no AWS write tools over MCP for this token, even on ReadWrite connections")
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8080/mcp", "the /mcp URL clients reach, for the printed configuration")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

func checkProjectConnections(ctx context.Context, st tokenStore, p catalog.Project, names []string) error {
	if len(names) == 0 {
		return nil
	}
	all, err := st.ListConnections(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.ContainsFunc(all, func(c catalog.Connection) bool { return c.Name == n && c.ProjectID == p.ID }) {
			return &apperr.Error{Kind: apperr.Invalid, Msg: fmt.Sprintf("--connection: project %s has no connection %q", p.Name, n),
				Advice: []string{"lakemap connection list shows each connection's project"}}
		}
	}
	return nil
}

// tokenListing is what `token list --json` prints. Legacy tokens are the
// MCP tokens of older versions, listed until they are revoked or migrated.
type tokenListing struct {
	Tokens       []catalog.APIToken `json:"tokens"`
	LegacyTokens []catalog.Token    `json:"legacyMcpTokens"`
}

func newTokenListCmd(app *App) *cobra.Command {
	var projectRef string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--project P]",
		Short: "List API tokens (names, scope, dates; never the tokens themselves), revoked ones too",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.withTokens(cmd.Context(), func(st tokenStore) error {
				projects, err := projectsOf(cmd.Context(), st, projectRef)
				if err != nil {
					return err
				}
				out := tokenListing{Tokens: []catalog.APIToken{}, LegacyTokens: []catalog.Token{}}
				names := map[string]string{}
				for _, p := range projects {
					names[p.ID] = p.Name
					ts, err := st.ListAPITokens(cmd.Context(), p.ID)
					if err != nil {
						return err
					}
					out.Tokens = append(out.Tokens, ts...)
				}
				if projectRef == "" {
					legacy, err := st.ListTokens(cmd.Context())
					if err != nil {
						return err
					}
					out.LegacyTokens = append(out.LegacyTokens, legacy...)
				}
				if asJSON {
					return writeJSON(app.Stdout, out)
				}
				tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tPROJECT\tSCOPE\tCONNECTIONS\tREAD-ONLY\tCREATED\tLAST USED\tREVOKED\tID")
				for _, t := range out.Tokens {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%s\t%s\t%s\t%s\n", t.Name, names[t.ProjectID], t.Scope, connsText(t.Connections), t.ReadOnly,
						stamp(&t.Created), stamp(t.LastUsed), stamp(t.Revoked), t.ID)
				}
				for _, t := range out.LegacyTokens {
					fmt.Fprintf(tw, "%s\t(legacy MCP)\t-\t%s\t%v\t%s\t-\t%s\t-\n", t.Name, connsText(t.Connections), t.ReadOnly, stamp(&t.Created), stamp(t.Revoked))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&projectRef, "project", "", "only this project's tokens (name or id)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func projectsOf(ctx context.Context, st catalog.ProjectStore, ref string) ([]catalog.Project, error) {
	if ref == "" {
		return st.ListProjects(ctx)
	}
	p, err := st.GetProject(ctx, ref)
	if err != nil {
		return nil, err
	}
	return []catalog.Project{p}, nil
}

func connsText(c []string) string {
	if len(c) == 0 {
		return "all"
	}
	return strings.Join(c, ",")
}

func stamp(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func newTokenRevokeCmd(app *App) *cobra.Command {
	var projectRef string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "revoke NAME|ID [--project P]",
		Short: "Revoke a token: its next request gets 401",
		Long: `Revoke the live token with that name or id. A name used in several projects needs --project.
A legacy MCP token (see token list) is revoked by its name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref := args[0]
			return app.withTokens(cmd.Context(), func(st tokenStore) error {
				projects, err := projectsOf(cmd.Context(), st, projectRef)
				if err != nil {
					return err
				}
				type match struct {
					t catalog.APIToken
					p catalog.Project
				}
				var found []match
				for _, p := range projects {
					ts, err := st.ListAPITokens(cmd.Context(), p.ID)
					if err != nil {
						return err
					}
					for _, t := range ts {
						if t.Revoked == nil && (t.ID == ref || t.Name == ref) {
							found = append(found, match{t, p})
						}
					}
				}
				now := time.Now().UTC()
				switch {
				case len(found) == 1:
					if err := st.RevokeAPIToken(cmd.Context(), found[0].p.ID, found[0].t.ID, now); err != nil {
						return err
					}
					if asJSON {
						t := found[0].t
						t.Revoked = &now
						return writeJSON(app.Stdout, tokenListing{Tokens: []catalog.APIToken{t}, LegacyTokens: []catalog.Token{}})
					}
					fmt.Fprintf(app.Stderr, "token %q of project %s revoked\n", found[0].t.Name, found[0].p.Name)
					return nil
				case len(found) > 1:
					e := &apperr.Error{Kind: apperr.Conflict, Msg: fmt.Sprintf("%d live tokens are named %q", len(found), ref)}
					for _, m := range found {
						e.Advice = append(e.Advice, fmt.Sprintf("lakemap token revoke %s (project %s)", m.t.ID, m.p.Name))
					}
					return e
				case projectRef != "":
					return apperr.New(apperr.NotFound, "project %s has no live token %q (lakemap token list --project %s shows them)", projects[0].Name, ref, projectRef)
				}
				if err := st.RevokeToken(cmd.Context(), ref, now); err != nil {
					if apperr.Is(err, apperr.NotFound) {
						return apperr.New(apperr.NotFound, "no live token named %q (lakemap token list shows them)", ref)
					}
					return err
				}
				if asJSON {
					return writeJSON(app.Stdout, tokenListing{Tokens: []catalog.APIToken{}, LegacyTokens: []catalog.Token{{Name: ref, Revoked: &now}}})
				}
				fmt.Fprintf(app.Stderr, "legacy MCP token %q revoked\n", ref)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&projectRef, "project", "", "the token's project (name or id)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the revoked token as JSON (the shape of token list --json)")
	return cmd
}
