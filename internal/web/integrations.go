package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/onboard"
)

// ConnectRequest is the Connect form of Integrations > AWS > <service>.
type ConnectRequest struct {
	ProjectID   string
	Service     string // glue, s3 or datazone
	Name        string
	RoleARN     string
	Region      string
	AccessLevel string // ReadOnly or ReadWrite
	EndpointURL string // optional, under "advanced"
	// Options are the scan options by the form's field names: include,
	// exclude, partitions, statistics, athenaWorkgroup, s3StagingDir, and
	// schedule (a 5-field cron expression or an interval such as 6h; empty
	// for none).
	Options map[string]string
}

// Connections is the connection service as the UI needs it. An invalid
// field is apperr.Invalid whose message starts with `field "<name>"` (the
// REST API's convention), so the form shows it beside that field.
type Connections interface {
	List(ctx context.Context, projectID string) ([]catalog.Connection, error)
	Save(ctx context.Context, p *auth.Principal, req ConnectRequest) error
	Test(ctx context.Context, p *auth.Principal, projectID, name string) (conntest.Report, error)
}

// Scans runs and lists a connection's scans.
type Scans interface {
	History(ctx context.Context, projectID, name string, limit int) ([]catalog.Scan, error)
	Start(ctx context.Context, p *auth.Principal, projectID, name string) (scanID int64, err error)
	// Cancel stops a running scan of the project's connection name; a
	// scan of another connection is apperr.NotFound.
	Cancel(ctx context.Context, p *auth.Principal, projectID, name string, scanID int64) error
	// EventsURL is the server-sent events stream of a running scan, for
	// the progress bar; "" when there is none.
	EventsURL(projectID string, scanID int64) string
}

// awsServices are the pages of Integrations > AWS, in menu order.
var awsServices = []struct{ Name, Title, SourceTypes string }{
	{onboard.Glue, "Glue", "glue athena"},
	{onboard.S3, "S3", "s3"},
	{onboard.DataZone, "DataZone", "datazone"},
}

// regions offered by the Connect form.
var regions = []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2",
	"eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
	"ap-southeast-2", "sa-east-1"}

type policyDoc struct{ Name, File, JSON string }

type awsData struct {
	Project       catalog.Project
	Service       string
	Title         string
	Services      []navItem
	Access        string
	Region        string
	Regions       []string
	VendorMissing bool
	ConsoleURL    string
	StackName     string
	RoleName      string
	TrustPolicy   string
	Policies      []policyDoc
	Commands      []string
	CanWrite      bool
	HasService    bool // Connections is wired
	HasScans      bool
	Connections   []catalog.Connection
	Form          form
	Report        *conntest.Report
	// Statements are the permission policies' statements by Sid: a
	// failed group's statement to add.
	Statements     map[string]string
	Tested         string
	Scans          []catalog.Scan
	ScanStarted    int64
	ScanConnection string
	EventsURL      string
	// ScansOf is the connection whose scans are listed.
	ScansOf string
	// OnboardOpen unfolds the onboarding steps on a page that lists
	// connections already: the person is choosing a level or region, or
	// the Connect form has something to correct.
	OnboardOpen bool
}

type navItem struct {
	Name, Title, URL string
	Current          bool
}

func (u *UI) integrations(w http.ResponseWriter, r *http.Request) error {
	proj, err := u.projectFor(r, auth.Read)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/projects/"+pathEscape(proj.Name)+"/integrations/aws/glue", http.StatusSeeOther)
	return nil
}

// awsPage gathers the page of one service: the onboarding material from
// internal/onboard and the project's connections of that service.
func (u *UI) awsPage(r *http.Request, proj catalog.Project, service string) (awsData, error) {
	d := awsData{Project: proj, Service: service, Regions: regions, HasService: u.opts.Connections != nil, HasScans: u.opts.Scans != nil,
		Form: form{Values: map[string]string{}, Errors: map[string]string{}}}
	found := false
	for _, s := range awsServices {
		url := "/projects/" + pathEscape(proj.Name) + "/integrations/aws/" + s.Name
		d.Services = append(d.Services, navItem{s.Name, s.Title, url, s.Name == service})
		if s.Name == service {
			d.Title, found = s.Title, true
		}
	}
	if !found {
		return d, apperr.New(apperr.NotFound, "no AWS integration %q: choose glue, s3 or datazone", service)
	}
	q := r.URL.Query()
	d.Access = q.Get("access")
	if d.Access != onboard.ReadWrite {
		d.Access = onboard.ReadOnly
	}
	d.Region = q.Get("region")
	if !validRegion(d.Region) {
		d.Region = "us-east-1"
	}
	d.CanWrite = caller(r).CanWrite(proj.ID)
	opts := onboard.Options{Service: service, Access: d.Access, VendorAccount: u.opts.VendorAccount, ExternalID: proj.ExternalID, Region: d.Region}.WithDefaults()
	d.StackName, d.RoleName = opts.StackName, opts.RoleName
	levels := []string{onboard.ReadOnly}
	if d.Access == onboard.ReadWrite {
		levels = append(levels, onboard.ReadWrite)
	}
	for _, level := range levels {
		doc, err := onboard.PermissionPolicy(service, level, nil)
		if err != nil {
			return d, err
		}
		d.Policies = append(d.Policies, policyDoc{Name: d.Title + level + "Access", File: onboard.PermissionsFile(service, level), JSON: string(doc)})
	}
	if u.opts.VendorAccount == "" {
		d.VendorMissing = true
	} else {
		var err error
		if d.ConsoleURL, err = onboard.ConsoleURL(opts); err != nil {
			return d, err
		}
		trust, err := onboard.TrustPolicy(opts.VendorAccount, opts.ExternalID)
		if err != nil {
			return d, err
		}
		d.TrustPolicy = string(trust)
		if d.Commands, err = cliCommands(opts); err != nil {
			return d, err
		}
	}
	if u.opts.Connections != nil {
		conns, err := u.opts.Connections.List(r.Context(), proj.ID)
		if err != nil {
			return d, err
		}
		for _, c := range conns {
			if strings.Contains(sourceTypesOf(service), c.SourceType) {
				d.Connections = append(d.Connections, c)
			}
		}
	}
	d.Form.Values["region"], d.Form.Values["accessLevel"] = d.Region, d.Access
	return d, nil
}

func sourceTypesOf(service string) string {
	for _, s := range awsServices {
		if s.Name == service {
			return s.SourceTypes
		}
	}
	return ""
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

func validRegion(s string) bool { return regionPattern.MatchString(s) }

// cliCommands are the Manual method's commands. onboard.CLI writes the
// policy files it names; here they go to a scratch directory, and the
// commands name them relative to where the user saves the files shown.
func cliCommands(opts onboard.Options) ([]string, error) {
	dir, err := os.MkdirTemp("", "lakemap-onboard-")
	if err != nil {
		return nil, fmt.Errorf("preparing the CLI commands: %w", err)
	}
	defer os.RemoveAll(dir)
	cmds, err := onboard.CLI(opts, dir)
	if err != nil {
		return nil, err
	}
	for i, c := range cmds {
		cmds[i] = strings.ReplaceAll(c, dir+"/", "")
	}
	return cmds, nil
}

func (u *UI) awsService(w http.ResponseWriter, r *http.Request) error {
	proj, err := u.projectFor(r, auth.Read)
	if err != nil {
		return err
	}
	d, err := u.awsPage(r, proj, r.PathValue("service"))
	if err != nil {
		return err
	}
	if d.HasScans {
		if err := u.loadScans(r, &d, r.URL.Query().Get("connection")); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	d.OnboardOpen = q.Has("access") || q.Has("region")
	return u.renderAWS(w, r, http.StatusOK, d)
}

func (u *UI) renderAWS(w http.ResponseWriter, r *http.Request, status int, d awsData) error {
	return u.render(w, r, status, "aws", view{Title: "AWS " + d.Title, Nav: "integrations", Current: d.Project.Name, Data: d})
}

func (u *UI) loadScans(r *http.Request, d *awsData, name string) error {
	if name == "" && len(d.Connections) > 0 {
		name = d.Connections[0].Name
	}
	if name == "" {
		return nil
	}
	scans, err := u.opts.Scans.History(r.Context(), d.Project.ID, name, 10)
	d.Scans, d.ScansOf = scans, name
	return err
}

// awsServiceSubmit serves the page's write actions: connect, test, scan
// and cancel. Each needs the editor role; a viewer's forged post is 403.
func (u *UI) awsServiceSubmit(w http.ResponseWriter, r *http.Request) error {
	proj, err := u.projectFor(r, auth.Write)
	if err != nil {
		return err
	}
	d, err := u.awsPage(r, proj, r.PathValue("service"))
	if err != nil {
		return err
	}
	p := caller(r)
	switch r.PostFormValue("action") {
	case "connect":
		if u.opts.Connections == nil {
			return notWired("connecting from the web")
		}
		f := newForm(r, "name", "roleArn", "region", "accessLevel", "endpointUrl", "include", "exclude", "partitions", "statistics", "athenaWorkgroup", "s3StagingDir", "schedule")
		d.Form = f
		if f.require("name", "roleArn", "region", "accessLevel") {
			req := ConnectRequest{ProjectID: proj.ID, Service: d.Service, Name: f.Values["name"], RoleARN: f.Values["roleArn"],
				Region: f.Values["region"], AccessLevel: f.Values["accessLevel"], EndpointURL: f.Values["endpointUrl"], Options: map[string]string{}}
			for _, k := range []string{"include", "exclude", "partitions", "statistics", "athenaWorkgroup", "s3StagingDir", "schedule"} {
				if f.Values[k] != "" {
					req.Options[k] = f.Values[k]
				}
			}
			err := u.opts.Connections.Save(r.Context(), p, req)
			if err == nil {
				http.Redirect(w, r, r.URL.Path+"?connection="+pathEscape(req.Name), http.StatusSeeOther)
				return nil
			}
			if err := d.Form.fieldError(fieldOf(err), err); err != nil {
				return err
			}
		}
		d.OnboardOpen = true
		return u.renderAWS(w, r, http.StatusUnprocessableEntity, d)
	case "test":
		if u.opts.Connections == nil {
			return notWired("testing a connection from the web")
		}
		name := r.PostFormValue("connection")
		rep, err := u.opts.Connections.Test(r.Context(), p, proj.ID, name)
		if err != nil {
			return err
		}
		d.Report, d.Tested = &rep, name
		if d.Statements, err = statementsOf(d.Service); err != nil {
			return err
		}
		if d.HasScans {
			if err := u.loadScans(r, &d, name); err != nil {
				return err
			}
		}
		return u.renderAWS(w, r, http.StatusOK, d)
	case "scan":
		if u.opts.Scans == nil {
			return notWired("scanning from the web")
		}
		name := r.PostFormValue("connection")
		id, err := u.opts.Scans.Start(r.Context(), p, proj.ID, name)
		if err != nil {
			return err
		}
		d.ScanStarted, d.ScanConnection, d.EventsURL = id, name, u.opts.Scans.EventsURL(proj.ID, id)
		if err := u.loadScans(r, &d, name); err != nil {
			return err
		}
		return u.renderAWS(w, r, http.StatusAccepted, d)
	case "cancel":
		if u.opts.Scans == nil {
			return notWired("cancelling a scan from the web")
		}
		name := r.PostFormValue("connection")
		id, err := strconv.ParseInt(r.PostFormValue("scan"), 10, 64)
		if err != nil || id <= 0 {
			return apperr.New(apperr.Invalid, "scan %q is not a scan number: use a Cancel button of the scans list", r.PostFormValue("scan"))
		}
		if err := u.opts.Scans.Cancel(r.Context(), p, proj.ID, name, id); err != nil {
			return err
		}
		http.Redirect(w, r, r.URL.Path+"?connection="+pathEscape(name), http.StatusSeeOther)
		return nil
	}
	return apperr.New(apperr.Invalid, "unknown action %q: use connect, test, scan or cancel", r.PostFormValue("action"))
}

var fieldPattern = regexp.MustCompile(`field "([A-Za-z]+)"`)

// fieldOf reads the field an Invalid error names, "" for none.
func fieldOf(err error) string {
	if m := fieldPattern.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

func notWired(what string) error {
	return &apperr.Error{Kind: apperr.Unavailable, Msg: what + " is not available on this server yet",
		Advice: []string{"Add the connection to a workflow file and run `lakemap ingest -c workflow.yaml`; `lakemap connection test -c workflow.yaml` tests it."}}
}

// awsTemplate downloads the service's CloudFormation template.
func (u *UI) awsTemplate(w http.ResponseWriter, r *http.Request) error {
	if _, err := u.projectFor(r, auth.Read); err != nil {
		return err
	}
	service := r.PathValue("service")
	if sourceTypesOf(service) == "" {
		return apperr.New(apperr.NotFound, "no AWS integration %q: choose glue, s3 or datazone", service)
	}
	doc, err := onboard.CloudFormation(service)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="lakemap-`+service+`-crossaccount.yaml"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(doc)
	return err
}

// scanDuration is how long a scan ran, "running" until it ends.
func scanDuration(sc catalog.Scan) string {
	if sc.Finished == nil {
		return "running"
	}
	return sc.Finished.Sub(sc.Started).Round(time.Second / 10).String()
}

// scanCounts sums a scan's writes per kind, "1 × Glue database, 2 × Glue
// table (3 added, 0 deleted)", kinds in name order.
func scanCounts(st catalog.WriteStats) string {
	var parts []string
	var added, deleted int64
	for _, spec := range catalog.Kinds() {
		k := spec.Kind
		c := st[k]
		if c == nil {
			continue
		}
		n := c.Added + c.Updated + c.Unchanged
		added, deleted = added+c.Added, deleted+c.Deleted
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d × %s", n, kindTitle(k)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return fmt.Sprintf("%s (%d added, %d deleted)", strings.Join(parts, ", "), added, deleted)
}

// statementsOf indexes the service's permission policy statements, both
// access levels, by Sid: a failed group of a connection test is the Sid of
// the statement the role lacks.
func statementsOf(service string) (map[string]string, error) {
	out := map[string]string{}
	for _, level := range []string{onboard.ReadOnly, onboard.ReadWrite} {
		doc, err := onboard.PermissionPolicy(service, level, nil)
		if err != nil {
			return nil, err
		}
		var p struct {
			Statement []json.RawMessage
		}
		if err := json.Unmarshal(doc, &p); err != nil {
			return nil, fmt.Errorf("reading the %s %s permission policy: %w", service, level, err)
		}
		for _, raw := range p.Statement {
			var st struct{ Sid string }
			if err := json.Unmarshal(raw, &st); err != nil || st.Sid == "" {
				continue
			}
			var b bytes.Buffer
			if err := json.Indent(&b, raw, "", "  "); err != nil {
				return nil, fmt.Errorf("reading the %s %s permission policy: %w", service, level, err)
			}
			out[st.Sid] = b.String()
		}
	}
	return out, nil
}

// scheduleText shows a connection's scan schedule.
func scheduleText(s catalog.Schedule) string {
	switch {
	case s.Cron != "":
		return "cron " + s.Cron
	case s.Interval > 0:
		return "every " + s.Interval.String()
	}
	return "none"
}
