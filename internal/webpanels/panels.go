// Package webpanels serves the web UI's Connect, Test connection and Scan
// panels (web.Connections, web.Scans) with the same connection service and
// scheduler as the REST API.
package webpanels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/scanrun"
	"github.com/lakemap/lakemap/internal/web"
)

// Scheduler is what the web UI's scan panel needs of jobs.Scheduler.
type Scheduler interface {
	scanrun.JobReader
	StartScan(ctx context.Context, t jobs.Target, trigger jobs.Trigger) (jobs.Job, error)
	CancelScan(ctx context.Context, scanID int64) (jobs.Job, error)
}

// Connections serves the web UI's Connect and Test connection panels
// with the same service as the REST API.
type Connections struct {
	Store       catalog.ConnectionStore
	Connections *connections.Service
	Logger      *slog.Logger
	// Schedules follows each saved connection's scan schedule; nil when
	// the server runs no scans (the schedule is stored all the same).
	Schedules Schedules
}

// Schedules is the part of jobs.Scheduler that keeps scan schedules.
type Schedules interface {
	SetSchedule(ctx context.Context, t jobs.Target, sch jobs.Schedule) error
	RemoveSchedule(ctx context.Context, connection string) error
}

var _ web.Connections = (*Connections)(nil)

// List implements web.Connections.
func (c *Connections) List(ctx context.Context, projectID string) ([]catalog.Connection, error) {
	return c.Store.ListProjectConnections(ctx, projectID)
}

// Save implements web.Connections: it creates the connection, or changes
// the fields the form holds when the project has it already.
func (c *Connections) Save(ctx context.Context, p *auth.Principal, req web.ConnectRequest) error {
	if err := p.Check(req.ProjectID, auth.Write); err != nil {
		return err
	}
	in, err := inputOf(req)
	if err != nil {
		return err
	}
	var v connections.View
	_, err = c.Connections.Get(ctx, req.ProjectID, req.Name)
	switch {
	case err == nil:
		v, err = c.Connections.Update(ctx, req.ProjectID, req.Name, connections.Patch{
			RoleARN: &in.RoleARN, Region: &in.Region, AccessLevel: &in.AccessLevel, EndpointURL: &in.EndpointURL,
			SourceConfig: in.SourceConfig, Schedule: &in.Schedule,
		})
	case apperr.Is(err, apperr.NotFound):
		v, err = c.Connections.Create(ctx, req.ProjectID, in)
	}
	if err != nil {
		return formError(err)
	}
	return c.syncSchedule(ctx, req.ProjectID, v)
}

// syncSchedule makes the scheduler follow the connection's stored
// schedule, as the REST API does.
func (c *Connections) syncSchedule(ctx context.Context, projectID string, v connections.View) error {
	if c.Schedules == nil {
		return nil
	}
	if v.Schedule == nil {
		return c.Schedules.RemoveSchedule(ctx, v.Name)
	}
	sch, err := jobs.ParseSchedule(v.Schedule.Cron, v.Schedule.Interval)
	if err != nil {
		return err
	}
	return c.Schedules.SetSchedule(ctx, jobs.Target{Connection: v.Name, ProjectID: projectID}, sch)
}

// Test implements web.Connections.
func (c *Connections) Test(ctx context.Context, p *auth.Principal, projectID, name string) (conntest.Report, error) {
	if err := p.Check(projectID, auth.Write); err != nil {
		return conntest.Report{}, err
	}
	return scanrun.Test(ctx, c.Connections, projectID, name, c.Logger)
}

// inputOf reads the Connect form into the connection model. The form's
// scan options map onto the source's sourceConfig.
func inputOf(req web.ConnectRequest) (connections.Input, error) {
	in := connections.Input{Name: req.Name, SourceType: req.Service, RoleARN: req.RoleARN, Region: req.Region,
		AccessLevel: catalog.AccessLevel(req.AccessLevel), EndpointURL: req.EndpointURL}
	sc := map[string]any{}
	filter := map[string]any{}
	for _, k := range []string{"include", "exclude"} {
		if v := req.Options[k]; v != "" {
			var list []any
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					list = append(list, s)
				}
			}
			filter[k+"s"] = list
		}
	}
	if len(filter) > 0 {
		key := "databaseFilterPattern"
		if req.Service == "s3" {
			key = "containerFilterPattern"
		}
		sc[key] = filter
	}
	if v := req.Options["partitions"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return in, apperr.New(apperr.Invalid, `field "partitions": %q is not a number (0 for none)`, v)
		}
		if req.Service == "glue" {
			sc["includePartitions"] = n > 0
		}
	}
	if v := req.Options["statistics"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return in, apperr.New(apperr.Invalid, `field "statistics": %q is not true or false`, v)
		}
		if req.Service == "glue" {
			sc["includeColumnStatistics"] = b
		}
	}
	// One field for both forms of a schedule: a cron expression has
	// spaces, an interval ("6h") has none.
	if v := strings.TrimSpace(req.Options["schedule"]); strings.Contains(v, " ") {
		in.Schedule.Cron = v
	} else {
		in.Schedule.Interval = v
	}
	for _, k := range []string{"athenaWorkgroup", "s3StagingDir"} {
		if req.Options[k] != "" {
			return in, apperr.New(apperr.Invalid, `field %q: not supported from the web yet; set it with the REST API or a workflow file`, k)
		}
	}
	if len(sc) > 0 {
		in.SourceConfig = sc
	}
	return in, nil
}

// formFields maps the model's field paths to the Connect form's fields.
var formFields = map[string]string{
	"name": "name", "roleArn": "roleArn", "region": "region", "accessLevel": "accessLevel", "endpointUrl": "endpointUrl",
	"sourceConfig.databaseFilterPattern": "include", "sourceConfig.containerFilterPattern": "include",
	"sourceConfig.includePartitions": "partitions", "sourceConfig.includeColumnStatistics": "statistics",
	"schedule": "schedule",
}

// formError words the first invalid field as the web UI reads it:
// `field "<form field>": message`.
func formError(err error) error {
	var fields connections.FieldErrors
	if !errors.As(err, &fields) || len(fields) == 0 {
		return err
	}
	f := fields[0]
	name := ""
	for path, form := range formFields {
		if f.Field == path || strings.HasPrefix(f.Field, path+".") || strings.HasPrefix(f.Field, path+"[") {
			name = form
		}
	}
	if name == "" {
		return apperr.Wrap(apperr.Invalid, err, "%s: %s", f.Field, f.Message)
	}
	return apperr.Wrap(apperr.Invalid, err, "field %q: %s", name, f.Message)
}

// Scans serves the web UI's scan panel with the server's scheduler.
type Scans struct {
	Store       catalog.ScanReader
	Connections *connections.Service
	Scheduler   Scheduler
}

var _ web.Scans = (*Scans)(nil)

// History implements web.Scans: the connection's latest scans, when it
// belongs to the project.
func (s *Scans) History(ctx context.Context, projectID, name string, limit int) ([]catalog.Scan, error) {
	if _, err := s.Connections.Record(ctx, projectID, name); err != nil {
		return nil, err
	}
	return s.Store.ListScans(ctx, name, limit)
}

// Start implements web.Scans: it queues a scan and waits a moment for its
// id. A scan already running is apperr.Conflict naming it.
func (s *Scans) Start(ctx context.Context, p *auth.Principal, projectID, name string) (int64, error) {
	if err := p.Check(projectID, auth.Write); err != nil {
		return 0, err
	}
	if _, err := s.Connections.Record(ctx, projectID, name); err != nil {
		return 0, err
	}
	j, err := s.Scheduler.StartScan(ctx, jobs.Target{Connection: name, ProjectID: projectID}, jobs.TriggerManual)
	if err != nil {
		return 0, fmt.Errorf("start a scan of %q: %w", name, err)
	}
	return scanrun.AwaitScanID(ctx, s.Scheduler, j, 3*time.Second).ScanID, nil
}

// Cancel implements web.Scans: it cancels a scan of the project's
// connection, with the editor role.
func (s *Scans) Cancel(ctx context.Context, p *auth.Principal, projectID, name string, scanID int64) error {
	if err := p.Check(projectID, auth.Write); err != nil {
		return err
	}
	if _, err := s.Connections.Record(ctx, projectID, name); err != nil {
		return err
	}
	sc, err := s.Store.GetScan(ctx, scanID)
	if err == nil && sc.Service != name {
		err = apperr.New(apperr.NotFound, "no scan %d of connection %q", scanID, name)
	}
	if err != nil {
		return err
	}
	if _, err := s.Scheduler.CancelScan(ctx, scanID); err != nil {
		return fmt.Errorf("cancel scan %d of %q: %w", scanID, name, err)
	}
	return nil
}

// EventsURL implements web.Scans.
func (s *Scans) EventsURL(projectID string, scanID int64) string {
	if scanID == 0 {
		return ""
	}
	return scanrun.EventsPath(scanID)
}
