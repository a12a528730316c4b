package httpapi

import (
	"net/http"
	"slices"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// API tokens: owners and administrators list, create and revoke them. A
// token's secret is in the creation response only.

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	ts, err := a.Store.ListAPITokens(r.Context(), proj.ID)
	if err != nil {
		return err
	}
	return a.writeJSON(w, map[string]any{"tokens": ts})
}

type tokenRequest struct {
	Name string `json:"name"`
	// Scope is read (the default) or readwrite.
	Scope string `json:"scope"`
	// Connections narrows the token to some of the project's connections.
	Connections []string `json:"connections"`
	ReadOnly    bool     `json:"readOnly"`
}

// createdToken is the one response that holds a token's secret.
type createdToken struct {
	Token  catalog.APIToken `json:"token"`
	Secret string           `json:"secret"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	var in tokenRequest
	if err := decode(w, r, &in, "id", "projectId", "hash", "secret", "created", "createdBy", "lastUsed", "revoked"); err != nil {
		return err
	}
	if err := required("name", in.Name); err != nil {
		return err
	}
	if in.Scope == "" {
		in.Scope = string(catalog.ScopeRead)
	}
	scope, err := catalog.ParseTokenScope(in.Scope)
	if err != nil {
		return inField("scope", err)
	}
	if len(in.Connections) > 0 {
		conns, err := a.Store.ListConnections(r.Context())
		if err != nil {
			return err
		}
		for _, name := range in.Connections {
			if !slices.ContainsFunc(conns, func(c catalog.Connection) bool { return c.Name == name && c.ProjectID == proj.ID }) {
				return apperr.New(apperr.Invalid, "field \"connections\": project %q has no connection %q", proj.Name, name)
			}
		}
	}
	secret, hash, err := auth.NewSecret(auth.TokenPrefix)
	if err != nil {
		return err
	}
	t, err := catalog.NewAPIToken(proj.ID, in.Name, scope, hash, a.now())
	if err != nil {
		return inField("name", err)
	}
	t.Connections, t.ReadOnly = in.Connections, in.ReadOnly
	if p, _ := principal(r); p != nil {
		t.CreatedBy = p.UserID
	}
	if err := a.Store.CreateAPIToken(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/projects/"+proj.ID+"/tokens/"+t.ID)
	return a.writeJSONStatus(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	proj, err := a.project(r, r.PathValue("project"), auth.Manage)
	if err != nil {
		return err
	}
	if err := a.Store.RevokeAPIToken(r.Context(), proj.ID, r.PathValue("id"), a.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
