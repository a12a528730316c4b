package auth

import (
	"context"
	"slices"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// PrincipalKind says how a caller authenticated.
type PrincipalKind string

// The two kinds of caller.
const (
	KindUser  PrincipalKind = "user"  // a session cookie
	KindToken PrincipalKind = "token" // an API token
)

// Principal is the authenticated caller of one request. Handlers of every
// door (REST, UI, MCP) read it from the context and ask it what the caller
// may do; the store then filters by the project ids it allows.
type Principal struct {
	Kind PrincipalKind
	// User: the signed-in user. Token: the user who created the token,
	// if any (for audit only: the token's rights are its own).
	UserID   string
	Username string
	Admin    bool // users only: every project, every action

	// Token only.
	TokenID     string
	TokenName   string
	Scope       catalog.TokenScope
	Connections []string // empty: every connection of the project
	ReadOnly    bool     // AWS access capped at ReadOnly

	// roles maps project id to the user's role there (users), or the
	// token's one project to the role its scope stands for (tokens).
	roles map[string]catalog.Role
}

// NewUserPrincipal builds the principal of a signed-in user from their
// memberships.
func NewUserPrincipal(u catalog.User, memberships []catalog.Membership) *Principal {
	p := &Principal{Kind: KindUser, UserID: u.ID, Username: u.Username, Admin: u.Admin, roles: map[string]catalog.Role{}}
	for _, m := range memberships {
		if m.UserID == u.ID {
			p.roles[m.ProjectID] = m.Role
		}
	}
	return p
}

// NewTokenPrincipal builds the principal of an API token: a read token acts
// as a viewer of its one project, a read-write token as an editor. No token
// is an owner: managing members and tokens takes a person.
func NewTokenPrincipal(t catalog.APIToken) *Principal {
	role := catalog.RoleViewer
	if t.Scope == catalog.ScopeReadWrite {
		role = catalog.RoleEditor
	}
	return &Principal{
		Kind: KindToken, UserID: t.CreatedBy, TokenID: t.ID, TokenName: t.Name, Scope: t.Scope,
		Connections: slices.Clone(t.Connections), ReadOnly: t.ReadOnly,
		roles: map[string]catalog.Role{t.ProjectID: role},
	}
}

// Role returns the caller's role in a project; administrators are owners
// everywhere.
func (p *Principal) Role(projectID string) (catalog.Role, bool) {
	if p == nil || projectID == "" {
		return "", false
	}
	if p.Admin {
		return catalog.RoleOwner, true
	}
	r, ok := p.roles[projectID]
	return r, ok
}

func (p *Principal) has(projectID string, need catalog.Role) bool {
	r, ok := p.Role(projectID)
	return ok && r.AtLeast(need)
}

// CanRead reports whether the caller may read the project's data.
func (p *Principal) CanRead(projectID string) bool { return p.has(projectID, catalog.RoleViewer) }

// CanWrite reports whether the caller may change the project's connections,
// scans and schedules.
func (p *Principal) CanWrite(projectID string) bool { return p.has(projectID, catalog.RoleEditor) }

// CanManage reports whether the caller may manage the project's members and
// API tokens.
func (p *Principal) CanManage(projectID string) bool { return p.has(projectID, catalog.RoleOwner) }

// Projects lists the project ids the caller may read, for the store's
// project filter. all is true for an administrator, whose filter is none.
func (p *Principal) Projects() (ids []string, all bool) {
	if p == nil {
		return nil, false
	}
	if p.Admin {
		return nil, true
	}
	ids = make([]string, 0, len(p.roles))
	for id := range p.roles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, false
}

// Access is what a request needs of a project.
type Access int

// Access levels, matching the three roles.
const (
	Read Access = iota
	Write
	Manage
)

// Check returns nil when the caller has the access. A project the caller
// cannot read is apperr.NotFound, exactly as a project that does not exist,
// so ids of other tenants reveal nothing; a project the caller reads but
// may not change is apperr.AccessDenied.
func (p *Principal) Check(projectID string, need Access) error {
	if !p.CanRead(projectID) {
		return apperr.New(apperr.NotFound, "no project %q", projectID)
	}
	switch {
	case need == Write && !p.CanWrite(projectID):
		return apperr.New(apperr.AccessDenied, "%s may read this project but not change it: ask an owner for the editor role", p)
	case need == Manage && !p.CanManage(projectID):
		return apperr.New(apperr.AccessDenied, "%s may not manage this project's members and tokens: that takes its owner", p)
	}
	return nil
}

// String names the caller in messages and logs; it never holds a secret.
func (p *Principal) String() string {
	if p == nil {
		return "anonymous"
	}
	if p.Kind == KindToken {
		return "token " + p.TokenName
	}
	return "user " + p.Username
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal; ok is false for an
// unauthenticated context.
func FromContext(ctx context.Context) (p *Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
