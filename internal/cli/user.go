package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// identityStore is what `lakemap user` needs of the catalog.
type identityStore interface {
	catalog.ProjectStore
	catalog.IdentityStore
}

// withIdentity opens the catalog for `lakemap user` and closes it after fn.
func (app *App) withIdentity(ctx context.Context, fn func(identityStore) error) error {
	st, err := app.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ids, ok := st.(identityStore)
	if !ok {
		return apperr.New(apperr.Invalid, "catalog %s keeps no users: use a SQLite catalog", app.DB)
	}
	return fn(ids)
}

func newUserCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Create and manage the people who sign in to lakemap serve, and their project roles",
	}
	cmd.AddCommand(newUserCreateCmd(app), newUserListCmd(app), newUserPasswdCmd(app),
		newUserDisableCmd(app, true), newUserDisableCmd(app, false), newUserAddMemberCmd(app))
	return cmd
}

func newUserCreateCmd(app *App) *cobra.Command {
	var displayName string
	var admin, fromStdin, asJSON bool
	cmd := &cobra.Command{
		Use:   "create USERNAME",
		Short: "Create a user (an email address or a handle); the first user is always an administrator",
		Long: "Create a user. The password is asked for on the terminal, or read from the first line of standard\n" +
			"input with --password-stdin; it is never a flag, so it stays out of shell history.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			u, err := catalog.NewUser(args[0], displayName, "pending", admin, time.Now())
			if err != nil {
				return err
			}
			pw, err := app.readNewPassword(fromStdin)
			if err != nil {
				return err
			}
			if u.PasswordHash, err = auth.HashPassword(pw, auth.DefaultArgon2()); err != nil {
				return err
			}
			first := false
			err = app.withIdentity(ctx, func(st identityStore) error {
				n, err := st.CountUsers(ctx)
				if err != nil {
					return err
				}
				// An empty catalog's first user is its administrator, as
				// the setup link would have made them.
				if first = n == 0; first {
					u.Admin = true
				}
				return st.CreateUser(ctx, u)
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, u)
			}
			role := "user"
			if u.Admin {
				role = "administrator"
			}
			fmt.Fprintf(w, "created %s %s (%s)\n", role, u.Username, u.ID)
			if first && !admin {
				fmt.Fprintln(w, "It is the catalog's first user, so it is an administrator.")
			}
			if !u.Admin {
				fmt.Fprintf(w, "Give them a project: lakemap user add-member PROJECT %s viewer|editor|owner\n", u.Username)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&displayName, "display-name", "", "the name shown for the user")
	cmd.Flags().BoolVar(&admin, "admin", false, "make the user an administrator of every project")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newUserListCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var users []catalog.User
			err := app.withIdentity(cmd.Context(), func(st identityStore) (err error) {
				users, err = st.ListUsers(cmd.Context())
				return err
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, users)
			}
			if len(users) == 0 {
				fmt.Fprintln(w, "no users yet: lakemap user create USERNAME, or open the setup link lakemap serve prints")
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tDISPLAY NAME\tADMIN\tDISABLED\tCREATED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, yesNo(u.Admin), yesNo(u.Disabled), u.Created.Format(time.DateOnly))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newUserPasswdCmd(app *App) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "passwd USERNAME",
		Short: "Set a user's password; it signs them out everywhere",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return app.withIdentity(ctx, func(st identityStore) error {
				u, err := st.GetUser(ctx, args[0])
				if err != nil {
					return err
				}
				pw, err := app.readNewPassword(fromStdin)
				if err != nil {
					return err
				}
				hash, err := auth.HashPassword(pw, auth.DefaultArgon2())
				if err != nil {
					return err
				}
				if err := st.SetPassword(ctx, u.ID, hash); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "password of %s changed; their sessions are ended\n", u.Username)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func newUserDisableCmd(app *App, disable bool) *cobra.Command {
	use, short, done := "disable USERNAME", "Disable a user: they can no longer sign in, and their sessions end", "disabled"
	if !disable {
		use, short, done = "enable USERNAME", "Enable a disabled user again", "enabled"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return app.withIdentity(ctx, func(st identityStore) error {
				u, err := st.GetUser(ctx, args[0])
				if err != nil {
					return err
				}
				if err := st.SetDisabled(ctx, u.ID, disable); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", done, u.Username)
				return nil
			})
		},
	}
}

func newUserAddMemberCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add-member PROJECT USER ROLE",
		Short: "Give a user a role in a project (owner, editor or viewer); run again to change it",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			role, err := catalog.ParseRole(args[2])
			if err != nil {
				return err
			}
			var m catalog.Membership
			err = app.withIdentity(ctx, func(st identityStore) error {
				p, err := st.GetProject(ctx, args[0])
				if err != nil {
					return err
				}
				u, err := st.GetUser(ctx, args[1])
				if err != nil {
					return err
				}
				m = catalog.Membership{ProjectID: p.ID, UserID: u.ID, Role: role, Created: time.Now().UTC(), Username: u.Username, ProjectName: p.Name}
				return st.PutMember(ctx, m)
			})
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), m)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s now has the role %s in project %s\n", m.Username, m.Role, m.ProjectName)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// readNewPassword reads a new password: the first line of standard input
// with --password-stdin, else twice from the terminal without echo. There
// is no flag for it, so it never lands in shell history or ps.
func (app *App) readNewPassword(fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(app.Stdin, auth.MaxPassword+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		return pw, auth.ValidatePassword(pw)
	}
	f, ok := app.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", apperr.New(apperr.Invalid, "no password: run this in a terminal, or pipe it in with --password-stdin")
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(app.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(app.Stderr)
		if err != nil {
			return "", fmt.Errorf("read the password from the terminal: %w", err)
		}
		return string(b), nil
	}
	pw, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	if err := auth.ValidatePassword(pw); err != nil {
		return "", err
	}
	again, err := ask("Password again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", apperr.New(apperr.Invalid, "the two passwords differ")
	}
	return pw, nil
}
