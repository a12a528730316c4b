package web

import (
	"net/http"
	"net/url"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

type projectsData struct {
	Projects  []projectRow
	Form      form
	CanCreate bool
}

type projectRow struct {
	Project catalog.Project
	Role    catalog.Role
}

func (u *UI) projects(w http.ResponseWriter, r *http.Request) error {
	return u.renderProjects(w, r, http.StatusOK, form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (u *UI) renderProjects(w http.ResponseWriter, r *http.Request, status int, f form) error {
	p := caller(r)
	d := projectsData{Form: f, CanCreate: p.Kind == auth.KindUser}
	for _, proj := range u.readableProjects(r) {
		role, _ := p.Role(proj.ID)
		d.Projects = append(d.Projects, projectRow{proj, role})
	}
	return u.render(w, r, status, "projects", view{Title: "Projects", Nav: "projects", Data: d})
}

// createProject: any signed-in person may create a project and owns it.
func (u *UI) createProject(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	if p.Kind != auth.KindUser {
		return apperr.New(apperr.AccessDenied, "%s may not create projects: sign in as a person", p)
	}
	f := newForm(r, "name")
	if f.require("name") {
		now := u.opts.Now()
		proj, err := catalog.NewProject(f.Values["name"], now)
		if err == nil {
			err = u.opts.Store.CreateProject(r.Context(), proj)
		}
		if err == nil {
			m := catalog.Membership{ProjectID: proj.ID, UserID: p.UserID, Role: catalog.RoleOwner, Created: now.UTC()}
			if err := u.opts.Store.PutMember(r.Context(), m); err != nil {
				return err
			}
			http.Redirect(w, r, "/projects/"+url.PathEscape(proj.Name), http.StatusSeeOther)
			return nil
		}
		if err := f.fieldError("name", err); err != nil {
			return err
		}
	}
	return u.renderProjects(w, r, http.StatusUnprocessableEntity, f)
}

// switchProject is the switcher's target: it works without JavaScript as a
// GET form, and the script submits it on change.
func (u *UI) switchProject(w http.ResponseWriter, r *http.Request) error {
	name := r.URL.Query().Get("project")
	if name == "" {
		http.Redirect(w, r, "/projects", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/projects/"+url.PathEscape(name), http.StatusSeeOther)
	return nil
}

// projectFor finds the project of a path by name or id and checks access:
// one the caller cannot read is NotFound, as a missing one.
func (u *UI) projectFor(r *http.Request, need auth.Access) (catalog.Project, error) {
	ref := r.PathValue("project")
	p := caller(r)
	proj, err := u.opts.Store.GetProject(r.Context(), ref)
	if err == nil && !p.CanRead(proj.ID) {
		err = apperr.New(apperr.NotFound, "no project %q", ref)
	}
	if apperr.Is(err, apperr.NotFound) {
		return catalog.Project{}, &apperr.Error{Kind: apperr.NotFound, Msg: "no project " + quote(ref),
			Advice: []string{"Projects lists those you belong to."}}
	}
	if err != nil {
		return catalog.Project{}, err
	}
	return proj, p.Check(proj.ID, need)
}

func quote(s string) string { return `"` + s + `"` }

type projectData struct {
	Project   catalog.Project
	Role      catalog.Role
	Members   []catalog.Membership
	CanManage bool
	CanWrite  bool
	Roles     []catalog.Role
	Form      form
}

func (u *UI) project(w http.ResponseWriter, r *http.Request) error {
	return u.renderProject(w, r, http.StatusOK, form{Values: map[string]string{}, Errors: map[string]string{}})
}

func (u *UI) renderProject(w http.ResponseWriter, r *http.Request, status int, f form) error {
	proj, err := u.projectFor(r, auth.Read)
	if err != nil {
		return err
	}
	p := caller(r)
	ms, err := u.opts.Store.ListMembers(r.Context(), proj.ID)
	if err != nil {
		return err
	}
	role, _ := p.Role(proj.ID)
	d := projectData{Project: proj, Role: role, Members: ms, CanManage: p.CanManage(proj.ID), CanWrite: p.CanWrite(proj.ID),
		Roles: []catalog.Role{catalog.RoleViewer, catalog.RoleEditor, catalog.RoleOwner}, Form: f}
	return u.render(w, r, status, "project", view{Title: proj.Name, Nav: "projects", Current: proj.Name, Data: d})
}

// putMember adds a member or changes a role (owners). It keeps a project
// from losing its last owner, as the API does.
func (u *UI) putMember(w http.ResponseWriter, r *http.Request) error {
	proj, err := u.projectFor(r, auth.Manage)
	if err != nil {
		return err
	}
	f := newForm(r, "username", "role")
	if f.require("username", "role") {
		err := u.setMember(r, proj, f.Values["username"], f.Values["role"])
		if err == nil {
			http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
			return nil
		}
		field := "username"
		if apperr.Is(err, apperr.Invalid) {
			field = "role"
		}
		if err := f.fieldError(field, err); err != nil {
			return err
		}
	}
	return u.renderProject(w, r, http.StatusUnprocessableEntity, f)
}

func (u *UI) setMember(r *http.Request, proj catalog.Project, username, roleName string) error {
	role, err := catalog.ParseRole(roleName)
	if err != nil {
		return err
	}
	usr, err := u.opts.Store.GetUser(r.Context(), username)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "no user %q: an administrator creates users with `lakemap user add`", username)
	}
	if err != nil {
		return err
	}
	ms, err := u.opts.Store.ListMembers(r.Context(), proj.ID)
	if err != nil {
		return err
	}
	owners, wasOwner := 0, false
	m := catalog.Membership{ProjectID: proj.ID, UserID: usr.ID, Role: role, Created: u.opts.Now().UTC()}
	for _, old := range ms {
		if old.Role == catalog.RoleOwner {
			owners++
		}
		if old.UserID == usr.ID {
			wasOwner, m.Created = old.Role == catalog.RoleOwner, old.Created
		}
	}
	if wasOwner && role != catalog.RoleOwner && owners == 1 {
		return apperr.New(apperr.Conflict, "project %q would have no owner: make someone else owner first", proj.Name)
	}
	return u.opts.Store.PutMember(r.Context(), m)
}
