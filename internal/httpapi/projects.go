package httpapi

import (
	"net/http"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// generatedProjectFields are chosen by lakemap, never by a caller: the
// External ID is what customers' roles trust, so nobody may pick another
// project's.
var generatedProjectFields = []string{"id", "externalId", "created", "role"}

// projectView is a project with the caller's role in it.
type projectView struct {
	catalog.Project
	Role catalog.Role `json:"role,omitempty"`
}

func view(p *auth.Principal, proj catalog.Project) projectView {
	role, _ := p.Role(proj.ID)
	return projectView{Project: proj, Role: role}
}

// project finds the project a path names (by name or id) and checks the
// caller's access. A project the caller cannot read is apperr.NotFound
// with the caller's own words, exactly as one that does not exist.
func (a *API) project(r *http.Request, ref string, need auth.Access) (catalog.Project, error) {
	p, err := principal(r)
	if err != nil {
		return catalog.Project{}, err
	}
	proj, err := a.Store.GetProject(r.Context(), ref)
	if err == nil && !p.CanRead(proj.ID) {
		err = apperr.New(apperr.NotFound, "no project %q", ref)
	}
	if apperr.Is(err, apperr.NotFound) {
		return catalog.Project{}, apperr.New(apperr.NotFound, "no project %q: GET /api/v1/projects lists yours", ref)
	}
	if err != nil {
		return catalog.Project{}, err
	}
	return proj, p.Check(proj.ID, need)
}

func (a *API) listProjects(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	all, err := a.Store.ListProjects(r.Context())
	if err != nil {
		return err
	}
	out := []projectView{}
	for _, proj := range all {
		if p.CanRead(proj.ID) {
			out = append(out, view(p, proj))
		}
	}
	return a.writeJSON(w, map[string]any{"projects": out})
}

type projectRequest struct {
	Name string `json:"name"`
}

// createProject: any signed-in user may create a project and becomes its
// owner. An API token may not: it belongs to a project already.
func (a *API) createProject(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if p.Kind != auth.KindUser {
		return apperr.New(apperr.AccessDenied, "%s may not create projects: sign in as a person", p)
	}
	var in projectRequest
	if err := decode(w, r, &in, generatedProjectFields...); err != nil {
		return err
	}
	if err := required("name", in.Name); err != nil {
		return err
	}
	now := a.now()
	proj, err := catalog.NewProject(in.Name, now)
	if err != nil {
		return inField("name", err)
	}
	if err := a.Store.CreateProject(r.Context(), proj); err != nil {
		return err
	}
	m := catalog.Membership{ProjectID: proj.ID, UserID: p.UserID, Role: catalog.RoleOwner, Created: now.UTC()}
	if err := a.Store.PutMember(r.Context(), m); err != nil {
		// A project nobody owns is of no use: take it back.
		if derr := a.Store.DeleteProject(r.Context(), proj.ID); derr != nil {
			a.logger().Error("removing a project without owner", "project", proj.ID, "err", derr)
		}
		return err
	}
	w.Header().Set("Location", "/api/v1/projects/"+proj.ID)
	return a.writeJSONStatus(w, http.StatusCreated, projectView{Project: proj, Role: catalog.RoleOwner})
}

func (a *API) getProject(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Read)
	if err != nil {
		return err
	}
	p, _ := principal(r)
	return a.writeJSON(w, view(p, proj))
}

// renameProject changes a project's name (owners); its id and External ID
// stay.
func (a *API) renameProject(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	var in projectRequest
	if err := decode(w, r, &in, generatedProjectFields...); err != nil {
		return err
	}
	if err := required("name", in.Name); err != nil {
		return err
	}
	if err := inField("name", catalog.ValidateProjectName(in.Name)); err != nil {
		return err
	}
	if err := a.Store.RenameProject(r.Context(), proj.ID, in.Name); err != nil {
		return err
	}
	proj.Name = in.Name
	p, _ := principal(r)
	return a.writeJSON(w, view(p, proj))
}

// deleteProject deletes a project with its members and tokens (owners). A
// project that still has connections is 409: delete them first.
func (a *API) deleteProject(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	if err := a.Store.DeleteProject(r.Context(), proj.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
