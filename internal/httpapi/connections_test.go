package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/jobs"
)

const glueBody = `{"name":"lake","sourceType":"glue","roleArn":"arn:aws:iam::210987654321:role/LakemapAccess","region":"eu-west-1",
"credentials":{"type":"static","accessKeyId":"AKIAEXAMPLEKEY000000","secretAccessKey":"very-secret-value"},
"sourceConfig":{"includeAthena":false},"schedule":{"interval":"6h"}}`

// fakeScheduler records what the API asks of the scheduler.
type fakeScheduler struct {
	mu        sync.Mutex
	schedules map[string]jobs.Schedule
	conflict  bool
	cancelled []int64
}

func (f *fakeScheduler) StartScan(ctx context.Context, t jobs.Target, trigger jobs.Trigger) (jobs.Job, error) {
	if f.conflict {
		return jobs.Job{}, &apperr.Error{Kind: apperr.Conflict, Err: &jobs.ConflictError{Connection: t.Connection, JobID: 7, ScanID: 42, State: "running"}}
	}
	return jobs.Job{ID: 8, Trigger: trigger, State: "available", ScanID: 43}, nil
}

func (f *fakeScheduler) GetJob(ctx context.Context, id int64) (jobs.Job, error) {
	return jobs.Job{ID: id, ScanID: 43, State: "running"}, nil
}

func (f *fakeScheduler) CancelScan(ctx context.Context, scanID int64) (jobs.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, scanID)
	return jobs.Job{ID: 8, ScanID: scanID, State: "cancelled"}, nil
}

func (f *fakeScheduler) SetSchedule(ctx context.Context, t jobs.Target, sch jobs.Schedule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.schedules[t.Connection] = sch
	return nil
}

func (f *fakeScheduler) RemoveSchedule(ctx context.Context, connection string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.schedules, connection)
	return nil
}

func (f *fakeScheduler) schedule(name string) (jobs.Schedule, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.schedules[name]
	return s, ok
}

func TestConnectionLifecycle(t *testing.T) {
	e := newEnv(t)
	sched := &fakeScheduler{schedules: map[string]jobs.Schedule{}}
	e.api.Scans = sched
	base := "/api/v1/projects/alpha/connections"

	code, m, h := e.do("POST", base, glueBody, "editor")
	if code != http.StatusCreated || m["name"] != "lake" || m["externalId"] != e.alpha.ExternalID || h.Get("Location") == "" {
		t.Fatalf("create: %d %v", code, m)
	}
	raw, _ := json.Marshal(m)
	if strings.Contains(string(raw), "very-secret-value") || strings.Contains(string(raw), "AKIAEXAMPLEKEY000000") {
		t.Errorf("the answer shows a secret: %s", raw)
	}
	if s, ok := sched.schedule("lake"); !ok || s.Interval.String() != "6h0m0s" {
		t.Errorf("schedule after create: %v %v", s, ok)
	}
	if code, m, _ := e.do("GET", base, "", "viewer"); code != 200 || len(m["connections"].([]any)) != 2 {
		t.Errorf("list: %d %v", code, m)
	}
	if code, m, _ := e.do("GET", base+"/lake", "", "viewer"); code != 200 || m["credentials"].(map[string]any)["secretAccessKey"] != "set" {
		t.Errorf("get: %d %v", code, m)
	}
	if code, m, _ := e.do("PATCH", base+"/lake", `{"region":"us-west-2","schedule":{"cron":"0 3 * * *"}}`, "editor"); code != 200 || m["region"] != "us-west-2" {
		t.Errorf("patch: %d %v", code, m)
	}
	if s, _ := sched.schedule("lake"); s.Cron != "0 3 * * *" {
		t.Errorf("schedule after patch: %v", s)
	}
	if code, m, _ := e.do("PATCH", base+"/lake", `{"schedule":{}}`, "editor"); code != 200 || m["schedule"] != nil {
		t.Errorf("patch removing the schedule: %d %v", code, m)
	}
	if _, ok := sched.schedule("lake"); ok {
		t.Error("schedule still set after removal")
	}
	if code, m, _ := e.do("POST", base, glueBody, "editor"); code != http.StatusConflict {
		t.Errorf("second create: %d %v", code, m)
	}
	if code, m, _ := e.do("DELETE", base+"/lake", "", "editor"); code != http.StatusNoContent {
		t.Errorf("delete: %d %v", code, m)
	}
	if code, _, _ := e.do("GET", base+"/lake", "", "editor"); code != 404 {
		t.Errorf("get after delete: %d", code)
	}
}

func TestConnectionAccess(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.api.Scans = &fakeScheduler{schedules: map[string]jobs.Schedule{}}
		readSecret, _ := e.token("alpha", "owner", `{"name":"reader","scope":"read"}`)
		base := "/api/v1/projects/alpha/connections"
		for _, tc := range []struct {
			as, method, path, body string
			want                   int
		}{
			{"viewer", "POST", base, glueBody, 403},
			{"viewer", "PATCH", base + "/svc", `{"region":"us-west-2"}`, 403},
			{"viewer", "DELETE", base + "/svc", "", 403},
			{"viewer", "POST", base + "/svc/scans", "", 403},
			{"viewer", "POST", base + "/svc/test", "", 403},
			{"viewer", "GET", base + "/svc", "", 200},
			{"bearer:" + readSecret, "POST", base, glueBody, 403},
			{"bearer:" + readSecret, "GET", base, "", 200},
			{"outsider", "GET", base, "", 404},
			{"outsider", "GET", base + "/svc", "", 404},
			{"outsider", "POST", base + "/svc/scans", "", 404},
			// beta's connection through alpha: not found.
			{"editor", "GET", base + "/other", "", 404},
			{"editor", "PATCH", base + "/other", `{"region":"us-west-2"}`, 404},
			{"editor", "DELETE", base + "/other", "", 404},
			{"editor", "POST", base + "/other/scans", "", 404},
			{"editor", "DELETE", "/api/v1/scans/2", "", 404}, // beta's scan
			{"viewer", "DELETE", "/api/v1/scans/1", "", 403},
			{"editor", "GET", "/api/v1/scans/2/events", "", 404},
			{"", "GET", base, "", 401},
		} {
			t.Run(tc.as+" "+tc.method+" "+tc.path, func(t *testing.T) {
				code, body, _ := e.do(tc.method, tc.path, tc.body, tc.as)
				if code != tc.want {
					t.Errorf("status %d, want %d: %v", code, tc.want, body)
				}
				if raw, _ := json.Marshal(body); strings.Contains(string(raw), e.beta.ID) {
					t.Errorf("beta's data in the answer: %s", raw)
				}
			})
		}
	})
}

func TestConnectionBadFields(t *testing.T) {
	e := newEnv(t)
	base := "/api/v1/projects/alpha/connections"
	for _, tc := range []struct{ name, body, field string }{
		{"bad role", `{"name":"x","sourceType":"glue","roleArn":"not-an-arn"}`, "roleArn"},
		{"bad region", `{"name":"x","sourceType":"glue","region":"mars-1"}`, "region"},
		{"external id chosen", `{"name":"x","sourceType":"glue","roleArn":"arn:aws:iam::210987654321:role/R","externalId":"mine"}`, "externalId"},
		{"bad schedule", `{"name":"x","sourceType":"glue","schedule":{"interval":"5s"}}`, "schedule.interval"},
		{"bad cron", `{"name":"x","sourceType":"glue","schedule":{"cron":"every day"}}`, "schedule.cron"},
		{"unknown source", `{"name":"x","sourceType":"oracle"}`, "sourceType"},
		{"project chosen", `{"name":"x","sourceType":"glue","projectId":"p"}`, "projectId"},
		{"unknown field", `{"name":"x","sourceType":"glue","colour":"red"}`, "colour"},
		{"not json", `{`, "JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, m, _ := e.do("POST", base, tc.body, "editor")
			if code != 400 {
				t.Fatalf("status %d, want 400: %v", code, m)
			}
			raw, _ := json.Marshal(m)
			if !strings.Contains(string(raw), tc.field) {
				t.Errorf("the problem does not name %s: %s", tc.field, raw)
			}
		})
	}
	if code, m, _ := e.do("PATCH", base+"/svc", `{"roleArn":"nope"}`, "editor"); code != 400 || m["errors"] == nil {
		t.Errorf("patch with a bad field: %d %v", code, m)
	}
}

func TestScanStartAndCancel(t *testing.T) {
	e := newEnv(t)
	sched := &fakeScheduler{schedules: map[string]jobs.Schedule{}}
	e.api.Scans = sched
	code, m, _ := e.do("POST", "/api/v1/projects/alpha/connections/svc/scans", "", "editor")
	if code != http.StatusAccepted || m["scanId"] != 43.0 || m["events"] != "/api/v1/scans/43/events" {
		t.Fatalf("start: %d %v", code, m)
	}
	sched.conflict = true
	code, m, _ = e.do("POST", "/api/v1/projects/alpha/connections/svc/scans", "", "editor")
	if code != http.StatusConflict || m["scanId"] != 42.0 {
		t.Fatalf("second start: %d %v, want 409 naming scan 42", code, m)
	}
	if code, m, _ := e.do("DELETE", "/api/v1/scans/1", "", "editor"); code != http.StatusAccepted || len(sched.cancelled) != 1 || sched.cancelled[0] != 1 {
		t.Errorf("cancel: %d %v %v", code, m, sched.cancelled)
	}
	e.api.Scans = nil
	if code, m, _ := e.do("POST", "/api/v1/projects/alpha/connections/svc/scans", "", "editor"); code != http.StatusServiceUnavailable {
		t.Errorf("start without a scheduler: %d %v", code, m)
	}
}

// TestScanEventsOfAnEndedScan: a scan this server does not run gets its
// done event from its record at once.
func TestScanEventsOfAnEndedScan(t *testing.T) {
	e := newEnv(t)
	resp, err := e.stream("/api/v1/scans/1/events", "viewer")
	must(t, err)
	if !strings.Contains(resp, "event: done\n") || !strings.Contains(resp, `"status":"succeeded"`) {
		t.Errorf("events: %q", resp)
	}
}
