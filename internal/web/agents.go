package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Tool is one MCP tool as the Agents page lists it.
type Tool struct {
	Name, Title string
	Write       bool // changes something in AWS
}

// Tools lists the MCP tools a token of the project would see with that
// scope: write tools only when a ReadWrite connection is in scope.
type Tools interface {
	Tools(ctx context.Context, projectID string, scope catalog.TokenScope) ([]Tool, error)
}

type agentsData struct {
	Project   catalog.Project
	CanManage bool
	Tokens    []catalog.APIToken
	Form      form
	Secret    string // the new token's secret, shown once
	Scope     string
	MCPURL    string
	HTTPConf  string
	StdioConf string
	Tools     []Tool
	HasTools  bool
}

func (u *UI) agents(w http.ResponseWriter, r *http.Request) error {
	return u.renderAgents(w, r, http.StatusOK, form{Values: map[string]string{"scope": "read"}, Errors: map[string]string{}}, "")
}

func (u *UI) renderAgents(w http.ResponseWriter, r *http.Request, status int, f form, secret string) error {
	proj, err := u.projectFor(r, auth.Read)
	if err != nil {
		return err
	}
	p := caller(r)
	d := agentsData{Project: proj, CanManage: p.CanManage(proj.ID), Form: f, Secret: secret, Scope: f.Values["scope"]}
	if d.Scope != string(catalog.ScopeReadWrite) {
		d.Scope = string(catalog.ScopeRead)
	}
	if d.CanManage {
		if d.Tokens, err = u.opts.Store.ListAPITokens(r.Context(), proj.ID); err != nil {
			return err
		}
	}
	d.MCPURL = origin(r) + "/mcp"
	shown := secret
	if shown == "" {
		shown = "<your token>"
	}
	d.HTTPConf = clientConfig(mcpClient{Type: "http", URL: d.MCPURL, Headers: map[string]string{"Authorization": "Bearer " + shown}})
	args := []string{"mcp"}
	if d.Scope == string(catalog.ScopeRead) {
		args = append(args, "--read-only")
	}
	d.StdioConf = clientConfig(mcpClient{Command: "lakemap", Args: args})
	if u.opts.Tools != nil {
		d.HasTools = true
		if d.Tools, err = u.opts.Tools.Tools(r.Context(), proj.ID, catalog.TokenScope(d.Scope)); err != nil {
			return err
		}
	}
	return u.render(w, r, status, "agents", view{Title: "Agents (MCP)", Nav: "agents", Current: proj.Name, Data: d})
}

// agentsSubmit serves the page's two write actions, both for owners:
// create a token (the default, so a form without JavaScript works) and
// revoke one.
func (u *UI) agentsSubmit(w http.ResponseWriter, r *http.Request) error {
	proj, err := u.projectFor(r, auth.Manage)
	if err != nil {
		return err
	}
	switch r.PostFormValue("action") {
	case "", "create":
		return u.createToken(w, r, proj)
	case "revoke":
		return u.revokeToken(w, r, proj)
	}
	return apperr.New(apperr.Invalid, "unknown action %q: use create or revoke", r.PostFormValue("action"))
}

// revokeToken revokes a live token of the project; clients using it get
// 401 from the next request on.
func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request, proj catalog.Project) error {
	id := r.PostFormValue("token")
	if id == "" {
		return apperr.New(apperr.Invalid, "no token to revoke: use a Revoke button of the token list")
	}
	if err := u.opts.Store.RevokeAPIToken(r.Context(), proj.ID, id, u.opts.Now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/projects/"+pathEscape(proj.Name)+"/agents", http.StatusSeeOther)
	return nil
}

// createToken makes a project API token (owners) and shows its secret once.
func (u *UI) createToken(w http.ResponseWriter, r *http.Request, proj catalog.Project) error {
	f := newForm(r, "name", "scope")
	if !f.require("name") {
		return u.renderAgents(w, r, http.StatusUnprocessableEntity, f, "")
	}
	scope, err := catalog.ParseTokenScope(f.Values["scope"])
	if err != nil {
		if err := f.fieldError("scope", err); err != nil {
			return err
		}
		return u.renderAgents(w, r, http.StatusUnprocessableEntity, f, "")
	}
	secret, hash, err := auth.NewSecret(auth.TokenPrefix)
	if err != nil {
		return err
	}
	t, err := catalog.NewAPIToken(proj.ID, f.Values["name"], scope, hash, u.opts.Now())
	if err == nil {
		t.CreatedBy = caller(r).UserID
		err = u.opts.Store.CreateAPIToken(r.Context(), t)
	}
	if err != nil {
		if err := f.fieldError("name", err); err != nil {
			return err
		}
		return u.renderAgents(w, r, http.StatusUnprocessableEntity, f, "")
	}
	return u.renderAgents(w, r, http.StatusCreated, f, secret)
}

// origin is the address clients reach this server at, from the request
// (the Host allow-list has vetted it).
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// mcpClient is one server entry of the "mcpServers" configuration that
// Claude Desktop, Cursor and VS Code read; a struct keeps the fields in
// the order people expect to read them.
type mcpClient struct {
	Type    string            `json:"type,omitempty"`
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
}

// clientConfig is the JSON a person pastes into an MCP client. HTML
// escaping is off: html/template escapes the page, and a pasted
// "\u003cyour token\u003e" would be one more thing to puzzle over.
func clientConfig(c mcpClient) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]map[string]mcpClient{"mcpServers": {"lakemap": c}})
	return strings.TrimSpace(b.String())
}
