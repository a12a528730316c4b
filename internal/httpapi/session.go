package httpapi

import (
	"net/http"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// principal is the caller of an authenticated route.
func principal(r *http.Request) (*auth.Principal, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return nil, apperr.New(apperr.Unauthenticated, "sign in, or send an API token as Authorization: Bearer")
	}
	return p, nil
}

// meView is who the caller is: a user with their memberships, or a token.
type meView struct {
	User        *catalog.User        `json:"user,omitempty"`
	Memberships []catalog.Membership `json:"memberships"`
	Token       *tokenView           `json:"token,omitempty"`
}

// tokenView is a token as its holder sees it: what it may do, never its
// secret or hash.
type tokenView struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	ProjectID   string             `json:"projectId"`
	Scope       catalog.TokenScope `json:"scope"`
	Connections []string           `json:"connections,omitempty"`
	ReadOnly    bool               `json:"readOnly"`
}

type setupRequest struct {
	Code        string `json:"code"`
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	Password    string `json:"password"`
}

// setup creates the first administrator with the one-time code `lakemap
// serve` printed, and signs them in.
func (a *API) setup(w http.ResponseWriter, r *http.Request) error {
	var in setupRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	for _, f := range []struct{ name, value string }{{"code", in.Code}, {"username", in.Username}, {"password", in.Password}} {
		if err := required(f.name, f.value); err != nil {
			return err
		}
	}
	u, err := a.Auth.RedeemSetupCode(r.Context(), in.Code, in.Username, in.DisplayName, in.Password)
	if err != nil {
		return err
	}
	if err := a.Auth.StartSession(w, r, u); err != nil {
		return err
	}
	return a.writeJSONStatus(w, http.StatusCreated, meView{User: &u, Memberships: []catalog.Membership{}})
}

type signInRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// signIn checks a username and password (rate-limited) and sets the
// session cookie.
func (a *API) signIn(w http.ResponseWriter, r *http.Request) error {
	var in signInRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := required("username", in.Username); err != nil {
		return err
	}
	if err := required("password", in.Password); err != nil {
		return err
	}
	u, err := a.Auth.Login(r.Context(), in.Username, in.Password, auth.ClientIP(r))
	if err != nil {
		return err
	}
	if err := a.Auth.StartSession(w, r, u); err != nil {
		return err
	}
	ms, err := a.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return a.writeJSON(w, meView{User: &u, Memberships: ms})
}

// signOut ends the request's session, if any. It is open to anonymous
// callers: it only ever ends the session its own cookie names.
func (a *API) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := a.Auth.EndSession(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if p.Kind == auth.KindToken {
		projects, _ := p.Projects()
		tv := &tokenView{ID: p.TokenID, Name: p.TokenName, Scope: p.Scope, Connections: p.Connections, ReadOnly: p.ReadOnly}
		if len(projects) == 1 {
			tv.ProjectID = projects[0]
		}
		return a.writeJSON(w, meView{Token: tv, Memberships: []catalog.Membership{}})
	}
	u, err := a.Store.GetUser(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	ms, err := a.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return a.writeJSON(w, meView{User: &u, Memberships: ms})
}
