package httpapi

import (
	"net/http"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Members: every member may see who else is in the project; only owners
// and administrators add, change or remove members.

func (a *API) listMembers(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Read)
	if err != nil {
		return err
	}
	ms, err := a.Store.ListMembers(r.Context(), proj.ID)
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"members": ms})
}

// member finds a user (by id or username) and their membership, if any.
func (a *API) member(r *http.Request, proj catalog.Project) (catalog.User, *catalog.Membership, []catalog.Membership, error) {
	ref := r.PathValue("user")
	u, err := a.Store.GetUser(r.Context(), ref)
	if apperr.Is(err, apperr.NotFound) {
		return u, nil, nil, apperr.New(apperr.NotFound, "no user %q", ref)
	}
	if err != nil {
		return u, nil, nil, err
	}
	ms, err := a.Store.ListMembers(r.Context(), proj.ID)
	if err != nil {
		return u, nil, nil, err
	}
	for i := range ms {
		if ms[i].UserID == u.ID {
			return u, &ms[i], ms, nil
		}
	}
	return u, nil, ms, nil
}

func (a *API) getMember(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Read)
	if err != nil {
		return err
	}
	u, m, _, err := a.member(r, proj)
	if err != nil {
		return err
	}
	if m == nil {
		return apperr.New(apperr.NotFound, "user %q is not a member of project %q", u.Username, proj.Name)
	}
	return a.writeJSON(w, m)
}

type memberRequest struct {
	Role string `json:"role"`
}

// putMember adds a user to the project or changes their role.
func (a *API) putMember(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	var in memberRequest
	if err := decode(w, r, &in, "projectId", "userId", "created"); err != nil {
		return err
	}
	if err := required("role", in.Role); err != nil {
		return err
	}
	role, err := catalog.ParseRole(in.Role)
	if err != nil {
		return inField("role", err)
	}
	u, old, ms, err := a.member(r, proj)
	if err != nil {
		return err
	}
	if old != nil && old.Role == catalog.RoleOwner && role != catalog.RoleOwner && owners(ms) == 1 {
		return lastOwner(proj)
	}
	m := catalog.Membership{ProjectID: proj.ID, UserID: u.ID, Role: role, Created: a.now().UTC(), Username: u.Username, ProjectName: proj.Name}
	if old != nil {
		m.Created = old.Created
	}
	if err := a.Store.PutMember(r.Context(), m); err != nil {
		return err
	}
	status := http.StatusOK
	if old == nil {
		status = http.StatusCreated
	}
	return a.writeJSONStatus(w, status, m)
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	u, old, ms, err := a.member(r, proj)
	if err != nil {
		return err
	}
	if old == nil {
		return apperr.New(apperr.NotFound, "user %q is not a member of project %q", u.Username, proj.Name)
	}
	if old.Role == catalog.RoleOwner && owners(ms) == 1 {
		return lastOwner(proj)
	}
	if err := a.Store.RemoveMember(r.Context(), proj.ID, u.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func owners(ms []catalog.Membership) int {
	n := 0
	for _, m := range ms {
		if m.Role == catalog.RoleOwner {
			n++
		}
	}
	return n
}

// lastOwner refuses to leave a project without owner: nobody but an
// administrator could manage it any more.
func lastOwner(proj catalog.Project) error {
	return apperr.New(apperr.Conflict, "project %q would have no owner: make someone else owner first", proj.Name)
}
