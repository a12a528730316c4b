// Package connections is the one model of a connection that every door
// uses: the REST API, the web UI, the CLI and the YAML workflow. A
// connection is validated by building the workflow it stands for and
// parsing it with the workflow's own rules (internal/workflow), so a field
// the YAML refuses the API refuses too, named by its JSON path. Static keys
// are write-only: sealed with internal/secrets, never in a read model, a
// log or an export.
package connections

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/workflow"
)

// Store is what the service keeps connections in.
type Store interface {
	catalog.ConnectionStore
	catalog.ProjectStore
}

// Service creates, changes, reads and deletes connections. Every method
// that takes a projectID reads and writes that project's connections only:
// another project's is apperr.NotFound.
type Service struct {
	store    Store
	registry *source.Registry
	box      *secrets.Box
	now      func() time.Time
}

// New returns a service. box seals and opens static keys; with a nil box a
// connection with static keys cannot be saved or turned into a workflow.
// registry resolves source types; Save alone works without one.
func New(store Store, registry *source.Registry, box *secrets.Box) *Service {
	return &Service{store: store, registry: registry, box: box, now: func() time.Time { return time.Now().UTC() }}
}

// Create adds a connection to a project. The role is assumed with the
// project's External ID; a name another connection has is apperr.Conflict.
func (s *Service) Create(ctx context.Context, projectID string, in Input) (View, error) {
	project, err := s.project(ctx, projectID)
	if err != nil {
		return View{}, err
	}
	wf, schedule, err := s.validate(in, project)
	if err != nil {
		return View{}, err
	}
	switch _, err := s.store.GetConnection(ctx, in.Name); {
	case err == nil:
		return View{}, &apperr.Error{Kind: apperr.Conflict, Msg: fmt.Sprintf("name: a connection named %q already exists", in.Name),
			Advice: []string{"choose another name: it is the first part of the FQN of everything the connection scans"}}
	case !apperr.Is(err, apperr.NotFound):
		return View{}, fmt.Errorf("create connection %q: %w", in.Name, err)
	}
	rec, err := record(wf, project.ID, s.box)
	if err != nil {
		return View{}, err
	}
	rec.Schedule = schedule
	rec.Created = s.now()
	rec.Updated = rec.Created
	if err := s.store.PutConnection(ctx, rec); err != nil {
		return View{}, fmt.Errorf("create connection %q: %w", in.Name, err)
	}
	return ViewOf(rec)
}

// Update changes a project's connection. Fields the patch omits keep their
// value, secrets included (see Patch).
func (s *Service) Update(ctx context.Context, projectID, name string, p Patch) (View, error) {
	old, err := s.store.GetProjectConnection(ctx, projectID, name)
	if err != nil {
		return View{}, err
	}
	project, err := s.project(ctx, old.ProjectID)
	if err != nil {
		return View{}, err
	}
	if len(old.Secrets) > 0 && s.box == nil {
		return View{}, noKey(name)
	}
	in, sourceSecrets, err := stored(old, s.box)
	if err != nil {
		return View{}, err
	}
	next := p.apply(in, sourceSecrets)
	wf, schedule, err := s.validate(next, project)
	if err != nil {
		return View{}, err
	}
	rec, err := record(wf, project.ID, s.box)
	if err != nil {
		return View{}, err
	}
	rec.Schedule = schedule
	rec.Created = old.Created
	rec.Updated = s.now()
	if err := s.store.PutConnection(ctx, rec); err != nil {
		return View{}, fmt.Errorf("update connection %q: %w", name, err)
	}
	return ViewOf(rec)
}

// Get returns a project's connection.
func (s *Service) Get(ctx context.Context, projectID, name string) (View, error) {
	c, err := s.store.GetProjectConnection(ctx, projectID, name)
	if err != nil {
		return View{}, err
	}
	return ViewOf(c)
}

// List returns a project's connections, by name.
func (s *Service) List(ctx context.Context, projectID string) ([]View, error) {
	conns, err := s.store.ListProjectConnections(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return views(conns)
}

// Delete removes a project's connection. What it scanned stays in the
// catalog.
func (s *Service) Delete(ctx context.Context, projectID, name string) error {
	return s.store.DeleteProjectConnection(ctx, projectID, name)
}

// Record is a project's connection as stored, for Workflow and ExportYAML.
func (s *Service) Record(ctx context.Context, projectID, name string) (catalog.Connection, error) {
	return s.store.GetProjectConnection(ctx, projectID, name)
}

// Find is any connection by name, whatever its project. It is for the
// local CLI, whose user owns the catalog file; the server uses the
// project-scoped methods.
func (s *Service) Find(ctx context.Context, name string) (catalog.Connection, error) {
	return s.store.GetConnection(ctx, name)
}

// All lists every connection of every project, for the local CLI as Find.
func (s *Service) All(ctx context.Context) ([]View, error) {
	conns, err := s.store.ListConnections(ctx)
	if err != nil {
		return nil, err
	}
	return views(conns)
}

func views(conns []catalog.Connection) ([]View, error) {
	out := make([]View, 0, len(conns))
	for _, c := range conns {
		v, err := ViewOf(c)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Save stores the connection of a parsed workflow: the workflow door, used
// by ingest.Remember once ingest.BindProject has bound the workflow to its
// project (projectID, "" for none) and checked its External ID. It creates
// the connection or replaces it, keeping its creation time and schedule,
// which a workflow file does not carry.
func (s *Service) Save(ctx context.Context, projectID string, wf *workflow.Workflow) error {
	rec, err := record(wf, projectID, s.box)
	if err != nil {
		return err
	}
	rec.Created = s.now()
	rec.Updated = rec.Created
	switch old, err := s.store.GetConnection(ctx, rec.Name); {
	case err == nil:
		if old.ProjectID != projectID {
			// ingest.BindProject refuses this first; here it is a bug.
			return apperr.New(apperr.Conflict, "connection %q belongs to another project", rec.Name)
		}
		rec.Created, rec.Schedule = old.Created, old.Schedule
	case !apperr.Is(err, apperr.NotFound):
		return fmt.Errorf("remember connection %q: %w", rec.Name, err)
	}
	if err := s.store.PutConnection(ctx, rec); err != nil {
		return fmt.Errorf("remember connection %q: %w", rec.Name, err)
	}
	return nil
}

// Workflow rebuilds the runnable workflow of a stored connection: typed
// connection and scan options from the registry's spec, secrets unsealed,
// the role assumed with the project's External ID. Scan jobs and
// `lakemap connection test NAME` run it.
func (s *Service) Workflow(ctx context.Context, c catalog.Connection) (*workflow.Workflow, error) {
	if len(c.Secrets) > 0 && s.box == nil {
		return nil, noKey(c.Name)
	}
	in, _, err := stored(c, s.box)
	if err != nil {
		return nil, err
	}
	externalID := c.ExternalID
	if c.ProjectID != "" {
		p, err := s.project(ctx, c.ProjectID)
		if err != nil {
			return nil, fmt.Errorf("project of connection %q: %w", c.Name, err)
		}
		externalID = p.ExternalID
	}
	if in.RoleARN == "" {
		externalID = ""
	}
	wf, err := doc{in: in, externalID: externalID, project: c.ProjectID, secrets: true}.parse(s.registry)
	if err != nil {
		return nil, apperr.Wrap(apperr.KindOf(err), err, "stored connection %q does not validate (edit it to fix the fields named)", c.Name)
	}
	return wf, nil
}

// validate checks an input with the workflow's rules and returns the
// workflow it stands for, bound to project.
func (s *Service) validate(in Input, project catalog.Project) (*workflow.Workflow, catalog.Schedule, error) {
	errs := in.check()
	schedule, serrs := in.Schedule.parse()
	errs = append(errs, serrs...)
	externalID := ""
	if in.RoleARN != "" {
		externalID = project.ExternalID
	}
	// A refused External ID is reported once, by check.
	in.ExternalID = ""
	wf, err := doc{in: in, externalID: externalID, secrets: true}.parse(s.registry)
	if fe, ok := err.(FieldErrors); ok {
		errs = append(errs, fe...)
	} else if err != nil {
		return nil, schedule, err
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
		return nil, schedule, errs
	}
	return wf, schedule, nil
}

func (s *Service) project(ctx context.Context, projectID string) (catalog.Project, error) {
	if projectID == "" {
		return catalog.Project{}, FieldErrors{{Field: "projectId", Message: "a connection made here belongs to a project: give its id"}}
	}
	return s.store.GetProject(ctx, projectID)
}

func noKey(name string) error {
	return &apperr.Error{Kind: apperr.Unavailable,
		Msg:    fmt.Sprintf("connection %q has sealed secrets but lakemap has no key to open them", name),
		Advice: []string{"run with the same " + secrets.EnvKey + " (or key file) that saved the connection"}}
}
