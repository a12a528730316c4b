package catalog

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/lakemap/lakemap/internal/apperr"
)

// IdentityStore keeps who may use the server and what they may do: users,
// their memberships in projects, browser sessions, the one-time setup code
// of an empty catalog, and project-scoped API tokens.
//
// Secrets are never stored: sessions, setup codes and API tokens are kept as
// the hex SHA-256 of a random value shown once, passwords as a slow salted
// hash made by internal/auth.
//
// Tenancy: every method that reads or changes project data takes the project
// id and filters on it in the query itself, so a caller holding the id of
// another project's token or member gets apperr.NotFound, never its row.
//
// Errors: an unknown id, name or hash is apperr.NotFound; a bad record is
// apperr.Invalid; a duplicate (username, live token name in a project) or a
// state clash (a setup code once a user exists) is apperr.Conflict.
type IdentityStore interface {
	UserStore
	MembershipStore
	SessionStore
	SetupCodeStore
	APITokenStore
}

// UserStore keeps user accounts. Users are disabled, never deleted, so the
// created-by of tokens and the audit of who had access stay readable.
type UserStore interface {
	CreateUser(ctx context.Context, u User) error
	// GetUser finds a user by id or by username (case-insensitive).
	GetUser(ctx context.Context, idOrUsername string) (User, error)
	// ListUsers returns every user, by username.
	ListUsers(ctx context.Context) ([]User, error)
	// CountUsers counts users, disabled ones included: a catalog with none
	// is waiting for its first administrator.
	CountUsers(ctx context.Context) (int, error)
	// SetPassword replaces a user's password hash and ends every session
	// of that user, so a changed password signs out a stolen cookie.
	SetPassword(ctx context.Context, userID, passwordHash string) error
	// SetDisabled disables or enables a user. Disabling ends every
	// session of that user in the same transaction.
	SetDisabled(ctx context.Context, userID string, disabled bool) error
}

// MembershipStore keeps who belongs to which project with which role.
type MembershipStore interface {
	// PutMember adds a user to a project or changes their role there. An
	// unknown project or user is apperr.NotFound.
	PutMember(ctx context.Context, m Membership) error
	// RemoveMember takes a user out of a project.
	RemoveMember(ctx context.Context, projectID, userID string) error
	// ListMembers returns the members of one project, by username.
	ListMembers(ctx context.Context, projectID string) ([]Membership, error)
	// Memberships returns the projects a user belongs to, by project name.
	Memberships(ctx context.Context, userID string) ([]Membership, error)
}

// SessionStore keeps browser sessions, by the hash of their cookie value.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash returns the session with that hash, expired or not:
	// the caller decides what expiry means.
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// TouchSession records that the session was used at the given time.
	TouchSession(ctx context.Context, hash string, at time.Time) error
	// DeleteSession ends one session (sign-out).
	DeleteSession(ctx context.Context, hash string) error
	// DeleteExpiredSessions removes sessions that expired before the given
	// time and returns how many it removed.
	DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error)
}

// SetupCodeStore keeps the one-time code that creates the first
// administrator of an empty catalog.
type SetupCodeStore interface {
	// ReplaceSetupCode stores a new setup code and drops every unused
	// earlier one: only the last code printed works. It is apperr.Conflict
	// once any user exists.
	ReplaceSetupCode(ctx context.Context, c SetupCode) error
	// RedeemSetupCode creates admin as the first user (always an
	// administrator) and burns the code, in one transaction. A code that is
	// unknown, used or expired at the given time is apperr.NotFound; a
	// catalog that already has a user is apperr.Conflict.
	RedeemSetupCode(ctx context.Context, hash string, at time.Time, admin User) error
}

// APITokenStore keeps bearer tokens scoped to one project.
type APITokenStore interface {
	// CreateAPIToken saves a token. An unknown project is apperr.NotFound;
	// a live token of the same name in the project is apperr.Conflict.
	CreateAPIToken(ctx context.Context, t APIToken) error
	// APITokenByHash returns the token with that hash, revoked or not.
	// It is the one lookup not filtered by project: the hash is the
	// credential, and the token it finds names its project.
	APITokenByHash(ctx context.Context, hash string) (APIToken, error)
	// ListAPITokens returns one project's tokens, revoked ones included,
	// by name.
	ListAPITokens(ctx context.Context, projectID string) ([]APIToken, error)
	// RevokeAPIToken revokes the live token with that id in that project.
	// A token of another project is apperr.NotFound.
	RevokeAPIToken(ctx context.Context, projectID, tokenID string, at time.Time) error
	// TouchAPIToken records that the token was used at the given time.
	TouchAPIToken(ctx context.Context, tokenID string, at time.Time) error
}

// User is one person who signs in.
type User struct {
	ID string `json:"id"` // a UUID
	// Username signs in: an email address or a handle, kept lower-case.
	Username    string `json:"username"`
	DisplayName string `json:"displayName,omitempty"`
	// PasswordHash is an encoded slow hash (internal/auth); never
	// serialised.
	PasswordHash string `json:"-"`
	// Admin may do everything in every project, and manage users.
	Admin    bool      `json:"admin"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created"`
}

// Limits of user fields.
const (
	MaxUsername    = 254 // the longest email address
	MaxDisplayName = 128
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@+-]*$`)

// NormalizeUsername is the form under which a username is stored and
// looked up: trimmed and lower-case, so "Ana@Example.com" signs in as
// "ana@example.com".
func NormalizeUsername(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// NewUser gives a user a fresh random id. The username is normalised.
func NewUser(username, displayName, passwordHash string, admin bool, created time.Time) (User, error) {
	u := User{
		ID: uuid.NewString(), Username: NormalizeUsername(username), DisplayName: strings.TrimSpace(displayName),
		PasswordHash: passwordHash, Admin: admin, Created: created.UTC(),
	}
	return u, u.Validate()
}

// ValidateUsername checks a normalised username. Names shaped like a UUID
// are refused so that "id or username" lookups are never ambiguous.
func ValidateUsername(name string) error {
	switch {
	case name == "":
		return apperr.New(apperr.Invalid, "username is empty: give an email address or a handle")
	case len(name) > MaxUsername:
		return apperr.New(apperr.Invalid, "username is %d characters long; the limit is %d", len(name), MaxUsername)
	case !usernamePattern.MatchString(name):
		return apperr.New(apperr.Invalid, "username %q: use lower-case letters, digits, '.', '_', '@', '+' and '-', starting with a letter or digit", name)
	}
	if _, err := uuid.Parse(name); err == nil {
		return apperr.New(apperr.Invalid, "username %q looks like a user id: choose another", name)
	}
	return nil
}

// ValidateDisplayName checks a display name: free text, one line.
func ValidateDisplayName(name string) error {
	if len(name) > MaxDisplayName {
		return apperr.New(apperr.Invalid, "display name is %d characters long; the limit is %d", len(name), MaxDisplayName)
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return apperr.New(apperr.Invalid, "display name holds a control character: give one line of text")
	}
	return nil
}

// Validate checks a whole user record, as a store does before saving it.
func (u User) Validate() error {
	if _, err := uuid.Parse(u.ID); err != nil {
		return apperr.New(apperr.Invalid, "user %q: id %q is not a UUID", u.Username, u.ID)
	}
	if err := ValidateUsername(u.Username); err != nil {
		return err
	}
	if err := ValidateDisplayName(u.DisplayName); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return apperr.New(apperr.Invalid, "user %q has no password hash", u.Username)
	}
	return nil
}

// Role is what a member may do in a project.
type Role string

// Roles, weakest first: viewers read, editors also write (connections,
// scans, schedules), owners also manage members and API tokens.
const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
	RoleOwner  Role = "owner"
)

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.rank() == 0 {
		return "", apperr.New(apperr.Invalid, "role %q: use owner, editor or viewer", s)
	}
	return r, nil
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleOwner:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything need grants. An invalid role
// grants nothing, and nothing satisfies an invalid need: a typo fails closed.
func (r Role) AtLeast(need Role) bool {
	return r.rank() > 0 && need.rank() > 0 && r.rank() >= need.rank()
}

// Membership puts a user in a project with a role.
type Membership struct {
	ProjectID string    `json:"projectId"`
	UserID    string    `json:"userId"`
	Role      Role      `json:"role"`
	Created   time.Time `json:"created"`
	// Filled in on reads, for listings: the user's name and the project's.
	Username    string `json:"username,omitempty"`
	ProjectName string `json:"projectName,omitempty"`
}

// Validate checks a membership before it is saved.
func (m Membership) Validate() error {
	if m.ProjectID == "" || m.UserID == "" {
		return apperr.New(apperr.Invalid, "a membership needs a project and a user")
	}
	if !m.Role.Valid() {
		return apperr.New(apperr.Invalid, "role %q: use owner, editor or viewer", m.Role)
	}
	return nil
}

// Session is one signed-in browser. The cookie holds a random value; the
// store keeps only its hash.
type Session struct {
	Hash     string    `json:"-"` // hex SHA-256 of the cookie value
	UserID   string    `json:"userId"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastSeen time.Time `json:"lastSeen"`
}

// SetupCode lets whoever reads the server's first start-up output create
// the first administrator, once, before it expires.
type SetupCode struct {
	Hash    string     `json:"-"` // hex SHA-256 of the code
	Created time.Time  `json:"created"`
	Expires time.Time  `json:"expires"`
	Used    *time.Time `json:"used,omitempty"`
}

// TokenScope is what an API token may do in its project.
type TokenScope string

// Token scopes. Neither manages members or tokens: that takes a person.
const (
	ScopeRead      TokenScope = "read"
	ScopeReadWrite TokenScope = "readwrite"
)

// ParseTokenScope reads a scope name.
func ParseTokenScope(s string) (TokenScope, error) {
	switch sc := TokenScope(strings.ToLower(strings.TrimSpace(s))); sc {
	case ScopeRead, ScopeReadWrite:
		return sc, nil
	}
	return "", apperr.New(apperr.Invalid, "token scope %q: use read or readwrite", s)
}

// APIToken is a bearer token for REST and MCP over HTTP, scoped to one
// project. Connections and ReadOnly carry the limits of today's MCP tokens
// (catalog.Token), so those become API tokens with the same meaning.
type APIToken struct {
	ID        string     `json:"id"` // a UUID
	Name      string     `json:"name"`
	ProjectID string     `json:"projectId"`
	Scope     TokenScope `json:"scope"`
	Hash      string     `json:"-"` // hex SHA-256 of the token
	// Connections limits the token to these connections (serviceNames) of
	// its project; empty means all of them, present and future.
	Connections []string `json:"connections,omitempty"`
	// ReadOnly caps every connection at the AWS access level ReadOnly for
	// this token's live calls, whatever the connection's own level. Scope
	// governs lakemap's own data; ReadOnly governs what it asks of AWS.
	ReadOnly  bool       `json:"readOnly"`
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"createdBy,omitempty"` // user id; empty from the CLI
	LastUsed  *time.Time `json:"lastUsed,omitempty"`
	Revoked   *time.Time `json:"revoked,omitempty"`
}

// MaxTokenName bounds a token name.
const MaxTokenName = 64

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// NewAPIToken gives a token a fresh random id. hash is the hex SHA-256 of
// the secret the caller shows once.
func NewAPIToken(projectID, name string, scope TokenScope, hash string, created time.Time) (APIToken, error) {
	t := APIToken{ID: uuid.NewString(), Name: name, ProjectID: projectID, Scope: scope, Hash: hash, Created: created.UTC()}
	return t, t.Validate()
}

// Validate checks a token before it is saved.
func (t APIToken) Validate() error {
	switch {
	case t.Name == "":
		return apperr.New(apperr.Invalid, "token name is empty: give 1-%d letters, digits, '.', '_' or '-'", MaxTokenName)
	case len(t.Name) > MaxTokenName:
		return apperr.New(apperr.Invalid, "token name is %d characters long; the limit is %d", len(t.Name), MaxTokenName)
	case !tokenNamePattern.MatchString(t.Name):
		return apperr.New(apperr.Invalid, "token name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", t.Name)
	case t.ProjectID == "":
		return apperr.New(apperr.Invalid, "token %q has no project: every API token belongs to one", t.Name)
	case t.Scope != ScopeRead && t.Scope != ScopeReadWrite:
		return apperr.New(apperr.Invalid, "token %q: scope %q: use read or readwrite", t.Name, t.Scope)
	case len(t.Hash) != 64:
		return apperr.New(apperr.Invalid, "token %q: hash must be a hex SHA-256", t.Name)
	}
	if _, err := uuid.Parse(t.ID); err != nil {
		return apperr.New(apperr.Invalid, "token %q: id %q is not a UUID", t.Name, t.ID)
	}
	return nil
}

// String names the token in messages; it never holds the secret.
func (t APIToken) String() string { return fmt.Sprintf("token %s (%s)", t.Name, t.Scope) }
