package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

var _ catalog.IdentityStore = (*Store)(nil)

const userColumns = `id, username, display_name, password_hash, admin, disabled, created`

// CreateUser implements catalog.UserStore.
func (s *Store) CreateUser(ctx context.Context, u catalog.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return insertUser(ctx, s.write, u)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func insertUser(ctx context.Context, db execer, u catalog.User) error {
	_, err := db.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Admin, u.Disabled, nanos(u.Created))
	if sqlitedb.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "a user named %q already exists", u.Username)
	}
	if err != nil {
		return fmt.Errorf("save user %q: %w", u.Username, err)
	}
	return nil
}

func scanUser(r rowScanner) (catalog.User, error) {
	var u catalog.User
	var created int64
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Admin, &u.Disabled, &created)
	u.Created = fromNanos(created)
	return u, err
}

// GetUser implements catalog.UserStore. Usernames never parse as UUIDs
// (catalog.ValidateUsername), so id and username cannot both match.
func (s *Store) GetUser(ctx context.Context, idOrUsername string) (catalog.User, error) {
	key := catalog.NormalizeUsername(idOrUsername)
	u, err := scanUser(s.stmts.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ? OR id = ?`, key, key))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "no user %q (list them with: lakemap user list)", idOrUsername)
	}
	if err != nil {
		return u, fmt.Errorf("read user %q: %w", idOrUsername, err)
	}
	return u, nil
}

// ListUsers implements catalog.UserStore.
func (s *Store) ListUsers(ctx context.Context) ([]catalog.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []catalog.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers implements catalog.UserStore.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPassword implements catalog.UserStore.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string) error {
	if passwordHash == "" {
		return apperr.New(apperr.Invalid, "a password hash is required")
	}
	return s.updateUserEndingSessions(ctx, userID, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
}

// SetDisabled implements catalog.UserStore.
func (s *Store) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.updateUserEndingSessions(ctx, userID, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, userID)
}

// updateUserEndingSessions runs one update of a user and deletes their
// sessions in the same transaction, so no request sees the new state with
// an old session.
func (s *Store) updateUserEndingSessions(ctx context.Context, userID, query string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("update user %s: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "no user with id %q", userID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("end sessions of user %s: %w", userID, err)
		}
		return nil
	})
}

const membershipSelect = `SELECT m.project_id, m.user_id, m.role, m.created, u.username, p.name
FROM memberships m JOIN users u ON u.id = m.user_id JOIN projects p ON p.id = m.project_id`

// PutMember implements catalog.MembershipStore.
func (s *Store) PutMember(ctx context.Context, m catalog.Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range []struct{ table, id, what string }{{"projects", m.ProjectID, "project"}, {"users", m.UserID, "user"}} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+c.table+` WHERE id = ?`, c.id).Scan(&n); err != nil {
				return fmt.Errorf("add member: read %s: %w", c.what, err)
			}
			if n == 0 {
				return apperr.New(apperr.NotFound, "no %s with id %q", c.what, c.id)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (project_id, user_id, role, created) VALUES (?, ?, ?, ?)
			ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`,
			m.ProjectID, m.UserID, string(m.Role), nanos(m.Created))
		if err != nil {
			return fmt.Errorf("add member %s to project %s: %w", m.UserID, m.ProjectID, err)
		}
		return nil
	})
}

// RemoveMember implements catalog.MembershipStore.
func (s *Store) RemoveMember(ctx context.Context, projectID, userID string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM memberships WHERE project_id = ? AND user_id = ?`, projectID, userID)
	if err != nil {
		return fmt.Errorf("remove member %s from project %s: %w", userID, projectID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "user %q is not a member of project %q", userID, projectID)
	}
	return nil
}

// ListMembers implements catalog.MembershipStore.
func (s *Store) ListMembers(ctx context.Context, projectID string) ([]catalog.Membership, error) {
	return s.memberships(ctx, membershipSelect+` WHERE m.project_id = ? ORDER BY u.username`, projectID)
}

// Memberships implements catalog.MembershipStore.
func (s *Store) Memberships(ctx context.Context, userID string) ([]catalog.Membership, error) {
	return s.memberships(ctx, membershipSelect+` WHERE m.user_id = ? ORDER BY p.name`, userID)
}

func (s *Store) memberships(ctx context.Context, query string, arg string) ([]catalog.Membership, error) {
	rows, err := s.stmts.query(ctx, query, arg)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	defer rows.Close()
	out := []catalog.Membership{}
	for rows.Next() {
		var m catalog.Membership
		var role string
		var created int64
		if err := rows.Scan(&m.ProjectID, &m.UserID, &role, &created, &m.Username, &m.ProjectName); err != nil {
			return nil, fmt.Errorf("list memberships: %w", err)
		}
		m.Role, m.Created = catalog.Role(role), fromNanos(created)
		out = append(out, m)
	}
	return out, rows.Err()
}
