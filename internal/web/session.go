package web

import (
	"net/http"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
)

// form is a posted form's values and its errors per field, re-rendered
// into the same page.
type form struct {
	Values map[string]string
	Errors map[string]string
	// Error is a failure that belongs to no one field.
	Error string
}

func newForm(r *http.Request, fields ...string) form {
	f := form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(r.PostFormValue(name))
	}
	return f
}

// require marks empty fields.
func (f form) require(fields ...string) bool {
	ok := true
	for _, name := range fields {
		if f.Values[name] == "" {
			f.Errors[name] = "Required."
			ok = false
		}
	}
	return ok
}

// fieldError puts a user error (apperr.Invalid and the like) on a field;
// anything else is returned for the error page.
func (f *form) fieldError(field string, err error) error {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.NotFound, apperr.Unauthenticated:
		p := apperr.Present(err)
		msg := p.Detail
		if len(p.Advice) > 0 {
			msg += " " + strings.Join(p.Advice, " ")
		}
		if field == "" {
			f.Error = msg
		} else {
			f.Errors[field] = msg
		}
		return nil
	}
	return err
}

type setupData struct {
	Code string
	Form form
}

func (u *UI) setupPage(w http.ResponseWriter, r *http.Request) error {
	n, err := u.opts.Store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	if n > 0 {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	return u.render(w, r, http.StatusOK, "setup", view{Title: "Set up lakemap",
		Data: setupData{Code: r.URL.Query().Get("code"), Form: form{Values: map[string]string{}, Errors: map[string]string{}}}})
}

// setupSubmit creates the first administrator and signs them in.
func (u *UI) setupSubmit(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "code", "username", "displayName")
	pw := r.PostFormValue("password")
	ok := f.require("code", "username")
	if pw == "" {
		f.Errors["password"], ok = "Required.", false
	} else if pw != r.PostFormValue("confirm") {
		f.Errors["confirm"], ok = "The two passwords differ.", false
	}
	if ok {
		usr, err := u.opts.Auth.RedeemSetupCode(r.Context(), f.Values["code"], f.Values["username"], f.Values["displayName"], pw)
		if err == nil {
			if err := u.opts.Auth.StartSession(w, r, usr); err != nil {
				return err
			}
			http.Redirect(w, r, "/projects", http.StatusSeeOther)
			return nil
		}
		field := "username"
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Conflict) {
			field = ""
		} else if strings.Contains(err.Error(), "password") {
			field = "password"
		}
		if err := f.fieldError(field, err); err != nil {
			return err
		}
	}
	return u.render(w, r, http.StatusUnprocessableEntity, "setup", view{Title: "Set up lakemap",
		Data: setupData{Code: f.Values["code"], Form: f}})
}

type signInData struct {
	Next string
	Form form
}

func (u *UI) signInPage(w http.ResponseWriter, r *http.Request) error {
	if caller(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return u.render(w, r, http.StatusOK, "signin", view{Title: "Sign in",
		Data: signInData{Next: localPath(r.URL.Query().Get("next")), Form: form{Values: map[string]string{}, Errors: map[string]string{}}}})
}

func (u *UI) signInSubmit(w http.ResponseWriter, r *http.Request) error {
	f := newForm(r, "username", "next")
	pw := r.PostFormValue("password")
	next := localPath(f.Values["next"])
	ok := f.require("username")
	if pw == "" {
		f.Errors["password"], ok = "Required.", false
	}
	status := http.StatusUnprocessableEntity
	if ok {
		usr, err := u.opts.Auth.Login(r.Context(), f.Values["username"], pw, auth.ClientIP(r))
		if err == nil {
			if err := u.opts.Auth.StartSession(w, r, usr); err != nil {
				return err
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
		if apperr.Is(err, apperr.Unavailable) {
			// Too many attempts: the error page says when to retry.
			return err
		}
		if err := f.fieldError("", err); err != nil {
			return err
		}
		status = http.StatusUnauthorized
	}
	return u.render(w, r, status, "signin", view{Title: "Sign in", Data: signInData{Next: next, Form: f}})
}

func (u *UI) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := u.opts.Auth.EndSession(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}
