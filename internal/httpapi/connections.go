package httpapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scanrun"
)

// Scheduler is the part of the scan scheduler (internal/jobs) the API uses.
type Scheduler interface {
	StartScan(ctx context.Context, t jobs.Target, trigger jobs.Trigger) (jobs.Job, error)
	GetJob(ctx context.Context, jobID int64) (jobs.Job, error)
	CancelScan(ctx context.Context, scanID int64) (jobs.Job, error)
	SetSchedule(ctx context.Context, t jobs.Target, sch jobs.Schedule) error
	RemoveSchedule(ctx context.Context, connection string) error
}

// generatedConnectionFields are what a caller may not choose (the External
// ID is refused by the connection's own rules, naming the field).
var generatedConnectionFields = []string{"projectId", "created", "updated"}

func (a *API) connectionService() (*connections.Service, error) {
	if a.Connections == nil {
		return nil, apperr.New(apperr.Unavailable, "this server does not manage connections")
	}
	return a.Connections, nil
}

func (a *API) listProjectConnections(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Read)
	if err != nil {
		return err
	}
	out, err := svc.List(r.Context(), proj.ID)
	if err != nil {
		return err
	}
	if out == nil {
		out = []connections.View{}
	}
	return a.writeJSON(w, map[string]any{"connections": out})
}

func (a *API) createConnection(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Write)
	if err != nil {
		return err
	}
	var in connections.Input
	if err := decode(w, r, &in, generatedConnectionFields...); err != nil {
		return err
	}
	v, err := svc.Create(r.Context(), proj.ID, in)
	if err != nil {
		return err
	}
	if err := a.syncSchedule(r.Context(), proj.ID, v); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/projects/"+proj.ID+"/connections/"+url.PathEscape(v.Name))
	return a.writeJSONStatus(w, http.StatusCreated, v)
}

func (a *API) getConnection(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Read)
	if err != nil {
		return err
	}
	v, err := svc.Get(r.Context(), proj.ID, r.PathValue("name"))
	if err != nil {
		return err
	}
	return a.writeJSON(w, v)
}

func (a *API) updateConnection(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Write)
	if err != nil {
		return err
	}
	var p connections.Patch
	if err := decode(w, r, &p, append(generatedConnectionFields, "name", "sourceType")...); err != nil {
		return err
	}
	v, err := svc.Update(r.Context(), proj.ID, r.PathValue("name"), p)
	if err != nil {
		return err
	}
	if p.Schedule != nil {
		if err := a.syncSchedule(r.Context(), proj.ID, v); err != nil {
			return err
		}
	}
	return a.writeJSON(w, v)
}

func (a *API) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Write)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := svc.Delete(r.Context(), proj.ID, name); err != nil {
		return err
	}
	if a.Scans != nil {
		if err := a.Scans.RemoveSchedule(r.Context(), name); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// syncSchedule makes the scheduler follow the connection's stored schedule.
func (a *API) syncSchedule(ctx context.Context, projectID string, v connections.View) error {
	if a.Scans == nil {
		return nil
	}
	if v.Schedule == nil {
		return a.Scans.RemoveSchedule(ctx, v.Name)
	}
	sch, err := jobs.ParseSchedule(v.Schedule.Cron, v.Schedule.Interval)
	if err != nil {
		return err
	}
	return a.Scans.SetSchedule(ctx, jobs.Target{Connection: v.Name, ProjectID: projectID}, sch)
}

// testConnection runs the connection test: a report, 200 even when checks
// fail (the report says which).
func (a *API) testConnection(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	// Testing assumes the customer's role: an editor's act, like a scan.
	proj, err := a.project(r, r.PathValue("project"), auth.Write)
	if err != nil {
		return err
	}
	rep, err := scanrun.Test(r.Context(), svc, proj.ID, r.PathValue("name"), a.logger())
	if err != nil {
		return err
	}
	return a.writeJSON(w, rep)
}

// startedScan is the answer to a scan start.
type startedScan struct {
	jobs.Job
	Connection string `json:"connection"`
	// Events is the server-sent events stream of the scan, once it has an id.
	Events string `json:"events,omitempty"`
}

// startScan queues a scan of the connection: 202 with the job, and its scan
// id when the scan begins within a moment; 409 naming the running scan
// when the connection is already being scanned.
func (a *API) startScan(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.connectionService()
	if err != nil {
		return err
	}
	if a.Scans == nil {
		return apperr.New(apperr.Unavailable, "this server runs no scans (an in-memory catalog): serve a catalog file")
	}
	proj, err := a.project(r, r.PathValue("project"), auth.Write)
	if err != nil {
		return err
	}
	v, err := svc.Get(r.Context(), proj.ID, r.PathValue("name"))
	if err != nil {
		return err
	}
	j, err := a.Scans.StartScan(r.Context(), jobs.Target{Connection: v.Name, ProjectID: proj.ID}, jobs.TriggerManual)
	if err != nil {
		return err
	}
	j = scanrun.AwaitScanID(r.Context(), a.Scans, j, scanIDWait)
	out := startedScan{Job: j, Connection: v.Name}
	if j.ScanID != 0 {
		out.Events = scanrun.EventsPath(j.ScanID)
	}
	return a.writeJSONStatus(w, http.StatusAccepted, out)
}

// cancelScan cancels a running scan the caller may write to.
func (a *API) cancelScan(w http.ResponseWriter, r *http.Request) error {
	if a.Scans == nil {
		return apperr.New(apperr.Unavailable, "this server runs no scans")
	}
	sc, err := a.writableScan(r)
	if err != nil {
		return err
	}
	j, err := a.Scans.CancelScan(r.Context(), sc.ID)
	if err != nil {
		return err
	}
	return a.writeJSONStatus(w, http.StatusAccepted, j)
}

// writableScan reads the scan of the path through the caller's tenant and
// checks they may change its project.
func (a *API) writableScan(r *http.Request) (catalog.Scan, error) {
	sc, err := a.readableScan(r)
	if err != nil {
		return sc, err
	}
	c, err := a.Store.GetConnection(r.Context(), sc.Service)
	if err != nil {
		return sc, apperr.New(apperr.NotFound, "scan %d has no connection any more", sc.ID)
	}
	p, err := principal(r)
	if err != nil {
		return sc, err
	}
	return sc, p.Check(c.ProjectID, auth.Write)
}

// readableScan reads the scan of the path through the caller's tenant: a
// scan of another project is not found.
func (a *API) readableScan(r *http.Request) (catalog.Scan, error) {
	rd, err := a.reader(r)
	if err != nil {
		return catalog.Scan{}, err
	}
	id, err := scanIDOf(r)
	if err != nil {
		return catalog.Scan{}, err
	}
	return rd.GetScan(r.Context(), id)
}
