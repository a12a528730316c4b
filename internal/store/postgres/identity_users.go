package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

const userColumns = `id, username, display_name, password_hash, admin, disabled, created`

// CreateUser implements catalog.UserStore.
func (s *Store) CreateUser(ctx context.Context, u catalog.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return insertUser(ctx, s.pool, u)
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func insertUser(ctx context.Context, db execer, u catalog.User) error {
	_, err := db.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		u.ID, u.Username, u.DisplayName, u.PasswordHash, u.Admin, u.Disabled, nanos(u.Created))
	if isUnique(err) {
		return apperr.New(apperr.Conflict, "a user named %q already exists", u.Username)
	}
	if err != nil {
		return fmt.Errorf("save user %q: %w", u.Username, err)
	}
	return nil
}

func scanUser(r pgx.Row) (catalog.User, error) {
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
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1 OR id = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "no user %q (list them with: lakemap user list)", idOrUsername)
	}
	if err != nil {
		return u, fmt.Errorf("read user %q: %w", idOrUsername, err)
	}
	return u, nil
}

// ListUsers implements catalog.UserStore.
func (s *Store) ListUsers(ctx context.Context) ([]catalog.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
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
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPassword implements catalog.UserStore.
func (s *Store) SetPassword(ctx context.Context, userID, passwordHash string) error {
	if passwordHash == "" {
		return apperr.New(apperr.Invalid, "a password hash is required")
	}
	return s.updateUserEndingSessions(ctx, userID, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID)
}

// SetDisabled implements catalog.UserStore.
func (s *Store) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.updateUserEndingSessions(ctx, userID, `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, userID)
}

// updateUserEndingSessions runs one update of a user and deletes their
// sessions in the same transaction, so no request sees the new state with
// an old session.
func (s *Store) updateUserEndingSessions(ctx context.Context, userID, query string, args ...any) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("update user %s: %w", userID, err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.New(apperr.NotFound, "no user with id %q", userID)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
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
	return s.inTx(ctx, func(tx pgx.Tx) error {
		for _, c := range []struct{ table, id, what string }{{"projects", m.ProjectID, "project"}, {"users", m.UserID, "user"}} {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+c.table+` WHERE id = $1`, c.id).Scan(&n); err != nil {
				return fmt.Errorf("add member: read %s: %w", c.what, err)
			}
			if n == 0 {
				return apperr.New(apperr.NotFound, "no %s with id %q", c.what, c.id)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO memberships (project_id, user_id, role, created) VALUES ($1, $2, $3, $4)
			ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`,
			m.ProjectID, m.UserID, string(m.Role), nanos(m.Created))
		if isForeignKey(err) {
			// Deleted by another replica since the check above.
			return apperr.New(apperr.NotFound, "no project %q or user %q", m.ProjectID, m.UserID)
		}
		if err != nil {
			return fmt.Errorf("add member %s to project %s: %w", m.UserID, m.ProjectID, err)
		}
		return nil
	})
}

// RemoveMember implements catalog.MembershipStore.
func (s *Store) RemoveMember(ctx context.Context, projectID, userID string) error {
	return s.updateOne(ctx, fmt.Sprintf("remove member %s from project %s", userID, projectID),
		fmt.Sprintf("user %q is not a member of project %q", userID, projectID),
		`DELETE FROM memberships WHERE project_id = $1 AND user_id = $2`, projectID, userID)
}

// ListMembers implements catalog.MembershipStore.
func (s *Store) ListMembers(ctx context.Context, projectID string) ([]catalog.Membership, error) {
	return s.memberships(ctx, membershipSelect+` WHERE m.project_id = $1 ORDER BY u.username`, projectID)
}

// Memberships implements catalog.MembershipStore.
func (s *Store) Memberships(ctx context.Context, userID string) ([]catalog.Membership, error) {
	return s.memberships(ctx, membershipSelect+` WHERE m.user_id = $1 ORDER BY p.name`, userID)
}

func (s *Store) memberships(ctx context.Context, query string, arg string) ([]catalog.Membership, error) {
	rows, err := s.pool.Query(ctx, query, arg)
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
