package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// CreateSession implements catalog.SessionStore.
func (s *Store) CreateSession(ctx context.Context, ses catalog.Session) error {
	if len(ses.Hash) != 64 || ses.UserID == "" {
		return apperr.New(apperr.Invalid, "a session needs a hex SHA-256 hash and a user")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (hash, user_id, created, expires, last_seen) VALUES ($1, $2, $3, $4, $5)`,
		ses.Hash, ses.UserID, nanos(ses.Created), nanos(ses.Expires), nanos(ses.LastSeen))
	switch {
	case isUnique(err):
		return apperr.New(apperr.Conflict, "that session exists already")
	case isForeignKey(err):
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
	err := s.pool.QueryRow(ctx, `SELECT hash, user_id, created, expires, last_seen FROM sessions WHERE hash = $1`, hash).
		Scan(&ses.Hash, &ses.UserID, &created, &expires, &lastSeen)
	if errors.Is(err, pgx.ErrNoRows) {
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
	return s.updateOne(ctx, "touch session", "no such session", `UPDATE sessions SET last_seen = $1 WHERE hash = $2`, nanos(at), hash)
}

// DeleteSession implements catalog.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.updateOne(ctx, "delete session", "no such session", `DELETE FROM sessions WHERE hash = $1`, hash)
}

// DeleteExpiredSessions implements catalog.SessionStore.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires < $1`, nanos(before))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// setupLock serialises setup-code changes with the first user's creation
// across replicas: "no user exists yet" must still hold when the code is
// stored or redeemed.
const setupLock int64 = 0x6c616b656d6171

// ReplaceSetupCode implements catalog.SetupCodeStore.
func (s *Store) ReplaceSetupCode(ctx context.Context, c catalog.SetupCode) error {
	if len(c.Hash) != 64 || !c.Expires.After(c.Created) {
		return apperr.New(apperr.Invalid, "a setup code needs a hex SHA-256 hash and an expiry after its creation")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := noUsersYet(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM setup_codes WHERE used IS NULL`); err != nil {
			return fmt.Errorf("drop earlier setup codes: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO setup_codes (hash, created, expires) VALUES ($1, $2, $3)`,
			c.Hash, nanos(c.Created), nanos(c.Expires)); err != nil {
			return fmt.Errorf("save setup code: %w", err)
		}
		return nil
	})
}

// noUsersYet takes the setup lock for the transaction and checks that no
// user exists.
func noUsersYet(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, setupLock); err != nil {
		return fmt.Errorf("lock setup: %w", err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
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
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE setup_codes SET used = $1 WHERE hash = $2 AND used IS NULL AND expires > $1`, nanos(at), hash)
		if err != nil {
			return fmt.Errorf("burn setup code: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return apperr.New(apperr.NotFound, "this setup code is unknown, used or expired: restart lakemap serve to print a new one, or run lakemap user create")
		}
		if err := noUsersYet(ctx, tx); err != nil {
			return err
		}
		return insertUser(ctx, tx, admin)
	})
}
