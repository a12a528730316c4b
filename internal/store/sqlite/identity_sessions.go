package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/sqlitedb"
)

// CreateSession implements catalog.SessionStore.
func (s *Store) CreateSession(ctx context.Context, ses catalog.Session) error {
	if len(ses.Hash) != 64 || ses.UserID == "" {
		return apperr.New(apperr.Invalid, "a session needs a hex SHA-256 hash and a user")
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created, expires, last_seen) VALUES (?, ?, ?, ?, ?)`,
		ses.Hash, ses.UserID, nanos(ses.Created), nanos(ses.Expires), nanos(ses.LastSeen))
	switch {
	case sqlitedb.IsUniqueViolation(err):
		return apperr.New(apperr.Conflict, "that session exists already")
	case sqlitedb.IsForeignKeyViolation(err):
		return apperr.New(apperr.NotFound, "no user with id %q", ses.UserID)
	case err != nil:
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// SessionByHash implements catalog.SessionStore.
func (s *Store) SessionByHash(ctx context.Context, hash string) (catalog.Session, error) {
	var ses catalog.Session
	var created, expires, lastSeen int64
	err := s.stmts.queryRow(ctx, `SELECT hash, user_id, created, expires, last_seen FROM sessions WHERE hash = ?`, hash).
		Scan(&ses.Hash, &ses.UserID, &created, &expires, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return ses, apperr.New(apperr.NotFound, "no such session")
	}
	if err != nil {
		return ses, fmt.Errorf("read session: %w", err)
	}
	ses.Created, ses.Expires, ses.LastSeen = fromNanos(created), fromNanos(expires), fromNanos(lastSeen)
	return ses, nil
}

// TouchSession implements catalog.SessionStore.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	return s.updateOne(ctx, "touch session", "no such session", `UPDATE sessions SET last_seen = ? WHERE hash = ?`, nanos(at), hash)
}

// DeleteSession implements catalog.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.updateOne(ctx, "delete session", "no such session", `DELETE FROM sessions WHERE hash = ?`, hash)
}

// updateOne runs a statement that must change exactly one row; none is
// apperr.NotFound with the given message.
func (s *Store) updateOne(ctx context.Context, doing, notFound, query string, args ...any) error {
	res, err := s.write.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "%s", notFound)
	}
	return nil
}

// DeleteExpiredSessions implements catalog.SessionStore.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires < ?`, nanos(before))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// ReplaceSetupCode implements catalog.SetupCodeStore.
func (s *Store) ReplaceSetupCode(ctx context.Context, c catalog.SetupCode) error {
	if len(c.Hash) != 64 || !c.Expires.After(c.Created) {
		return apperr.New(apperr.Invalid, "a setup code needs a hex SHA-256 hash and an expiry after its creation")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := noUsersYet(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_codes WHERE used IS NULL`); err != nil {
			return fmt.Errorf("drop earlier setup codes: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO setup_codes (hash, created, expires) VALUES (?, ?, ?)`,
			c.Hash, nanos(c.Created), nanos(c.Expires)); err != nil {
			return fmt.Errorf("save setup code: %w", err)
		}
		return nil
	})
}

func noUsersYet(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "this catalog has users already: sign in, or ask an administrator (lakemap user create)")
	}
	return nil
}

// RedeemSetupCode implements catalog.SetupCodeStore.
func (s *Store) RedeemSetupCode(ctx context.Context, hash string, at time.Time, admin catalog.User) error {
	admin.Admin, admin.Disabled = true, false
	if err := admin.Validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE setup_codes SET used = ? WHERE hash = ? AND used IS NULL AND expires > ?`, nanos(at), hash, nanos(at))
		if err != nil {
			return fmt.Errorf("burn setup code: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "this setup code is unknown, used or expired: restart lakemap serve to print a new one, or run lakemap user create")
		}
		if err := noUsersYet(ctx, tx); err != nil {
			return err
		}
		return insertUser(ctx, tx, admin)
	})
}
