package webpanels

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/web"
)

type fakeJobs struct {
	started   []jobs.Target
	cancelled []int64
}

func (f *fakeJobs) CancelScan(ctx context.Context, scanID int64) (jobs.Job, error) {
	f.cancelled = append(f.cancelled, scanID)
	return jobs.Job{ID: 1, ScanID: scanID}, nil
}

func (f *fakeJobs) StartScan(ctx context.Context, t jobs.Target, trigger jobs.Trigger) (jobs.Job, error) {
	f.started = append(f.started, t)
	return jobs.Job{ID: 1, ScanID: 5}, nil
}

func (f *fakeJobs) GetJob(ctx context.Context, id int64) (jobs.Job, error) {
	return jobs.Job{ID: id, ScanID: 5}, nil
}

// TestWebPanels: the web UI's connections and scans act on the caller's
// project only, with the editor role.
func TestWebPanels(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	now := time.Now()
	alpha, _ := catalog.NewProject("alpha", now)
	beta, _ := catalog.NewProject("beta", now)
	for _, p := range []catalog.Project{alpha, beta} {
		if err := st.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	svc := connections.New(st, all.NewRegistry(), nil)
	user, _ := catalog.NewUser("ed", "", "x", false, now)
	editor := auth.NewUserPrincipal(user, []catalog.Membership{{ProjectID: alpha.ID, UserID: user.ID, Role: catalog.RoleEditor}})
	viewer := auth.NewUserPrincipal(user, []catalog.Membership{{ProjectID: alpha.ID, UserID: user.ID, Role: catalog.RoleViewer}})
	wc := &Connections{Store: st, Connections: svc}
	req := web.ConnectRequest{ProjectID: alpha.ID, Service: "glue", Name: "lake", RoleARN: "arn:aws:iam::210987654321:role/LakemapAccess",
		Region: "us-east-1", AccessLevel: "ReadOnly", Options: map[string]string{"include": "^sales"}}
	if err := wc.Save(ctx, viewer, req); !apperr.Is(err, apperr.AccessDenied) {
		t.Errorf("a viewer saved a connection: %v", err)
	}
	if err := wc.Save(ctx, editor, req); err != nil {
		t.Fatal(err)
	}
	req.Region = "eu-west-1"
	if err := wc.Save(ctx, editor, req); err != nil {
		t.Fatalf("save again (update): %v", err)
	}
	conns, err := wc.List(ctx, alpha.ID)
	if err != nil || len(conns) != 1 || conns[0].Region != "eu-west-1" {
		t.Fatalf("list: %v %v", conns, err)
	}
	bad := req
	bad.Name, bad.RoleARN = "other", "not-an-arn"
	if err := wc.Save(ctx, editor, bad); err == nil || !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad role saved: %v", err)
	} else if got := err.Error(); !strings.HasPrefix(got, `field "roleArn"`) {
		t.Errorf("error %q does not start with the form field", got)
	}
	if list, _ := wc.List(ctx, beta.ID); len(list) != 0 {
		t.Errorf("beta sees alpha's connection: %v", list)
	}

	fj := &fakeJobs{}
	ws := &Scans{Store: st, Connections: svc, Scheduler: fj}
	if _, err := ws.Start(ctx, viewer, alpha.ID, "lake"); !apperr.Is(err, apperr.AccessDenied) {
		t.Errorf("a viewer started a scan: %v", err)
	}
	id, err := ws.Start(ctx, editor, alpha.ID, "lake")
	if err != nil || id != 5 || len(fj.started) != 1 || fj.started[0].ProjectID != alpha.ID {
		t.Fatalf("start: %d %v %v", id, err, fj.started)
	}
	if ws.EventsURL(alpha.ID, id) != "/api/v1/scans/5/events" || ws.EventsURL(alpha.ID, 0) != "" {
		t.Errorf("events URL %q", ws.EventsURL(alpha.ID, id))
	}
	if _, err := ws.History(ctx, beta.ID, "lake", 10); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("history of alpha's connection through beta: %v", err)
	}
	if _, err := ws.Start(ctx, auth.NewUserPrincipal(user, []catalog.Membership{{ProjectID: beta.ID, UserID: user.ID, Role: catalog.RoleEditor}}), beta.ID, "lake"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("start of alpha's connection through beta: %v", err)
	}
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: "lake", SourceType: "glue", Started: now})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.BeginScan(ctx, catalog.ScanStart{Service: "elsewhere", SourceType: "glue", Started: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Cancel(ctx, viewer, alpha.ID, "lake", sc.ID); !apperr.Is(err, apperr.AccessDenied) {
		t.Errorf("a viewer cancelled a scan: %v", err)
	}
	if err := ws.Cancel(ctx, editor, alpha.ID, "lake", other.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("cancel of another connection's scan: %v", err)
	}
	if err := ws.Cancel(ctx, editor, alpha.ID, "lake", 9999); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("cancel of no scan: %v", err)
	}
	if err := ws.Cancel(ctx, editor, alpha.ID, "lake", sc.ID); err != nil || len(fj.cancelled) != 1 || fj.cancelled[0] != sc.ID {
		t.Errorf("cancel: %v, cancelled %v", err, fj.cancelled)
	}
}

type fakeSchedules struct {
	set     map[string]jobs.Schedule
	removed []string
}

func (f *fakeSchedules) SetSchedule(_ context.Context, t jobs.Target, sch jobs.Schedule) error {
	f.set[t.Connection] = sch
	return nil
}

func (f *fakeSchedules) RemoveSchedule(_ context.Context, connection string) error {
	delete(f.set, connection)
	f.removed = append(f.removed, connection)
	return nil
}

// TestConnectSchedule: the Connect form's schedule field, a cron
// expression or an interval, is stored and followed by the scheduler; a bad
// one is the field's error and changes nothing; an empty one removes it.
func TestConnectSchedule(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.Open(t)
	now := time.Now()
	alpha, _ := catalog.NewProject("alpha", now)
	if err := st.CreateProject(ctx, alpha); err != nil {
		t.Fatal(err)
	}
	user, _ := catalog.NewUser("ed", "", "x", false, now)
	editor := auth.NewUserPrincipal(user, []catalog.Membership{{ProjectID: alpha.ID, UserID: user.ID, Role: catalog.RoleEditor}})
	fs := &fakeSchedules{set: map[string]jobs.Schedule{}}
	wc := &Connections{Store: st, Connections: connections.New(st, all.NewRegistry(), nil), Schedules: fs}
	save := func(schedule string) error {
		return wc.Save(ctx, editor, web.ConnectRequest{ProjectID: alpha.ID, Service: "glue", Name: "lake",
			RoleARN: "arn:aws:iam::210987654321:role/LakemapAccess", Region: "us-east-1", AccessLevel: "ReadOnly",
			Options: map[string]string{"schedule": schedule}})
	}
	stored := func() catalog.Schedule {
		c, err := st.GetProjectConnection(ctx, alpha.ID, "lake")
		if err != nil {
			t.Fatal(err)
		}
		return c.Schedule
	}
	if err := save("0 3 * * *"); err != nil {
		t.Fatal(err)
	}
	if stored().Cron != "0 3 * * *" || len(fs.set) != 1 {
		t.Errorf("after a cron schedule: stored %+v, scheduler %v", stored(), fs.set)
	}
	if err := save("6h"); err != nil {
		t.Fatal(err)
	}
	if stored().Interval != 6*time.Hour || stored().Cron != "" {
		t.Errorf("after an interval: stored %+v", stored())
	}
	for _, bad := range []string{"5s", "every day", "61 * * * *"} {
		err := save(bad)
		if !apperr.Is(err, apperr.Invalid) || !strings.HasPrefix(err.Error(), `field "schedule"`) {
			t.Errorf("schedule %q: %v, want the schedule field's error", bad, err)
		}
	}
	if stored().Interval != 6*time.Hour {
		t.Errorf("a bad schedule changed the stored one: %+v", stored())
	}
	if err := save(""); err != nil {
		t.Fatal(err)
	}
	if !stored().IsZero() || len(fs.set) != 0 || len(fs.removed) != 1 {
		t.Errorf("after an empty schedule: stored %+v, scheduler %v, removed %v", stored(), fs.set, fs.removed)
	}
}
