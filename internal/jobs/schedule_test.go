package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	good := []struct {
		cron, interval string
		want           Schedule
	}{
		{"0 3 * * *", "", Schedule{Cron: "0 3 * * *"}},
		{" */15 * * * 1-5 ", "", Schedule{Cron: "*/15 * * * 1-5"}},
		{"@daily", "", Schedule{Cron: "@daily"}},
		{"CRON_TZ=Europe/Paris 0 6 * * *", "", Schedule{Cron: "CRON_TZ=Europe/Paris 0 6 * * *"}},
		{"", "6h", Schedule{Interval: 6 * time.Hour}},
		{"", "90m", Schedule{Interval: 90 * time.Minute}},
	}
	for _, tc := range good {
		t.Run("ok "+tc.cron+tc.interval, func(t *testing.T) {
			got, err := ParseSchedule(tc.cron, tc.interval)
			if err != nil || got != tc.want {
				t.Fatalf("ParseSchedule(%q, %q) = %+v, %v; want %+v", tc.cron, tc.interval, got, err, tc.want)
			}
		})
	}
	bad := []struct {
		name, cron, interval, field string
	}{
		{"neither", "", "", "schedule:"},
		{"both", "0 * * * *", "1h", "schedule:"},
		{"six fields", "0 0 3 * * *", "", "schedule.cron"},
		{"four fields", "0 3 * *", "", "schedule.cron"},
		{"minute out of range", "61 * * * *", "", "schedule.cron"},
		{"garbage", "every day", "", "schedule.cron"},
		{"unknown descriptor", "@fortnightly", "", "schedule.cron"},
		{"bad zone", "CRON_TZ=Mars/Olympus 0 * * * *", "", "schedule.cron"},
		{"interval words", "", "one hour", "schedule.interval"},
		{"interval no unit", "", "60", "schedule.interval"},
		{"interval negative", "", "-1h", "schedule.interval"},
		{"interval zero", "", "0s", "schedule"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSchedule(tc.cron, tc.interval)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("ParseSchedule(%q, %q) = %v, want Invalid naming %s", tc.cron, tc.interval, err, tc.field)
			}
		})
	}
}

func TestSetScheduleRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", false, func(c *Config) { c.MinInterval = time.Minute })
	t.Cleanup(func() { e.s = nil; e.stop(t) })
	for _, tc := range []struct {
		name  string
		t     Target
		sch   Schedule
		field string
	}{
		{"bad cron", target(1), Schedule{Cron: "* * *"}, "schedule.cron"},
		{"too often", target(1), Schedule{Interval: time.Second}, "schedule.interval"},
		{"@every too often", target(1), Schedule{Cron: "@every 5s"}, "schedule.interval"},
		{"empty", target(1), Schedule{}, "schedule"},
		{"both", target(1), Schedule{Cron: "@daily", Interval: time.Hour}, "schedule"},
		{"no connection", Target{}, Schedule{Interval: time.Hour}, "connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.s.SetSchedule(context.Background(), tc.t, tc.sch)
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("SetSchedule(%+v) = %v, want Invalid naming %s", tc.sch, err, tc.field)
			}
		})
	}
	if n := len(e.s.Schedules()); n != 0 {
		t.Fatalf("%d schedules registered after refusals", n)
	}
}

func TestIntervalScheduleFires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", false, nil)
	ctx := context.Background()
	if err := e.s.SetSchedule(ctx, target(1), Schedule{Interval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	// Replacing the schedule keeps one registration.
	if err := e.s.SetSchedule(ctx, target(1), Schedule{Interval: time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := e.s.Schedules(); len(got) != 1 || got["conn-1"].Interval != time.Second {
		t.Fatalf("schedules = %+v", got)
	}
	e.start(t)
	for range 2 {
		c := e.scans.next(t, 5*time.Second)
		if c.job.Target != target(1) || c.job.Trigger != TriggerSchedule {
			t.Fatalf("scheduled scan got %+v", c.job)
		}
	}
	if err := e.s.RemoveSchedule(ctx, "conn-1"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // a slot enqueued just before removal may still run
	for len(e.scans.calls) > 0 {
		<-e.scans.calls
	}
	e.scans.noScan(t, 1500*time.Millisecond)
}

func TestCronScheduleFires(t *testing.T) {
	t.Parallel()
	// A clock 3 s before a minute boundary, behind the real one (so River
	// sees no job scheduled in its future): "* * * * *" is due in 3 s,
	// time enough for River to elect itself leader and start its periodic
	// jobs.
	real := time.Now()
	offset := real.Sub(real.Truncate(time.Minute).Add(-3 * time.Second))
	e := newEnv(t, "", false, func(c *Config) { c.Now = func() time.Time { return time.Now().Add(-offset) } })
	if err := e.s.SetSchedule(context.Background(), target(1), Schedule{Cron: "* * * * *"}); err != nil {
		t.Fatal(err)
	}
	e.start(t)
	c := e.scans.next(t, 10*time.Second)
	if c.job.Target != target(1) || c.job.Trigger != TriggerSchedule {
		t.Fatalf("scheduled scan got %+v", c.job)
	}
}

// TestMissedScheduleRunsOnce: schedules registered five hours ago (by the
// clock) whose server then went down run once at the next start, not once
// per missed slot; a schedule seen for the first time does not run at
// start; and once made up, a restart runs nothing.
func TestMissedScheduleRunsOnce(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/queue.db"
	ctx := context.Background()
	schedules := map[Target]Schedule{
		target(1): {Interval: time.Hour},
		target(2): {Cron: "0 * * * *"},
	}

	before := newEnv(t, path, false, func(c *Config) { c.Now = func() time.Time { return time.Now().Add(-5 * time.Hour) } })
	for tg, sch := range schedules {
		if err := before.s.SetSchedule(ctx, tg, sch); err != nil {
			t.Fatal(err)
		}
	}
	before.s = nil
	before.stop(t)

	// Five hours later: five slots of each schedule were missed.
	after := newEnv(t, path, false, nil)
	schedules[target(3)] = Schedule{Interval: time.Hour} // new: no run owed
	for tg, sch := range schedules {
		if err := after.s.SetSchedule(ctx, tg, sch); err != nil {
			t.Fatal(err)
		}
	}
	if err := after.s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]Trigger{}
	for range 2 {
		c := after.scans.next(t, 5*time.Second)
		seen[c.job.Target.Connection] = c.job.Trigger
	}
	after.scans.noScan(t, time.Second)
	if seen["conn-1"] != TriggerSchedule || seen["conn-2"] != TriggerSchedule {
		t.Fatalf("catch-up scans = %v, want conn-1 and conn-2 once each", seen)
	}
	for _, c := range []string{"conn-1", "conn-2"} {
		if n := after.scans.count(c); n != 1 {
			t.Fatalf("%s scanned %d times at start, want once", c, n)
		}
	}
	waitIdle(t, after.s)
	after.stop(t)

	again := newEnv(t, path, false, nil)
	for tg, sch := range schedules {
		if err := again.s.SetSchedule(ctx, tg, sch); err != nil {
			t.Fatal(err)
		}
	}
	again.start(t)
	again.scans.noScan(t, time.Second)
}

func waitIdle(t *testing.T, s *Scheduler) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		active, err := s.ActiveScans(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(active) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scans still active: %+v", active)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// With Config.SyncSchedules, a periodic job calls it (on its own queue,
// beside running scans) until the scheduler stops.
func TestScheduleSyncRuns(t *testing.T) {
	calls := make(chan struct{}, 10)
	e := newEnv(t, "", false, func(c *Config) {
		c.SyncInterval = 200 * time.Millisecond
		c.SyncSchedules = func(context.Context, *Scheduler) error {
			select {
			case calls <- struct{}{}:
			default:
			}
			return nil
		}
	})
	e.start(t)
	for i := range 2 {
		select {
		case <-calls:
		case <-time.After(10 * time.Second):
			t.Fatalf("schedule sync ran %d times in 10s, want 2", i)
		}
	}
	// Sync jobs are not scans: they never show as active scans.
	if active, err := e.s.ActiveScans(context.Background()); err != nil || len(active) != 0 {
		t.Errorf("active scans = %v, %v", active, err)
	}
}
