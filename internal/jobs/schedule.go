package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Schedule is when a connection is scanned: a cron expression or an
// interval, exactly one of them.
type Schedule struct {
	// Cron is a 5-field expression (minute hour day-of-month month
	// day-of-week) or a descriptor such as @daily, read in UTC unless it
	// starts with CRON_TZ=<zone>.
	Cron string `json:"cron,omitempty"`
	// Interval runs the scan every so often, counted from the server's start.
	Interval time.Duration `json:"interval,omitempty"`
}

// ParseSchedule reads a schedule as a request or a workflow gives it:
// cronExpr or interval (a Go duration such as "6h" or "15m"), not both.
// Errors are apperr Invalid and name the field at fault.
func ParseSchedule(cronExpr, interval string) (Schedule, error) {
	cronExpr, interval = strings.TrimSpace(cronExpr), strings.TrimSpace(interval)
	var sch Schedule
	switch {
	case cronExpr == "" && interval == "":
		return sch, apperr.New(apperr.Invalid, "schedule: give a cron expression or an interval")
	case cronExpr != "" && interval != "":
		return sch, apperr.New(apperr.Invalid, "schedule: give a cron expression or an interval, not both")
	case interval != "":
		d, err := time.ParseDuration(interval)
		if err != nil {
			return sch, apperr.Wrap(apperr.Invalid, err, "schedule.interval: %q is not a duration such as 15m or 6h", interval)
		}
		sch.Interval = d
	default:
		sch.Cron = cronExpr
	}
	if _, err := sch.compile(); err != nil {
		return Schedule{}, err
	}
	return sch, nil
}

func (s Schedule) String() string {
	if s.Cron != "" {
		return "cron " + s.Cron
	}
	return "every " + s.Interval.String()
}

// cronParser accepts standard 5-field expressions and descriptors; seconds
// are not offered: no catalog needs scanning more than once a minute.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// compile turns s into the schedule River runs.
func (s Schedule) compile() (river.PeriodicSchedule, error) {
	switch {
	case s.Cron != "" && s.Interval != 0:
		return nil, apperr.New(apperr.Invalid, "schedule: give a cron expression or an interval, not both")
	case s.Cron != "":
		cs, err := cronParser.Parse(s.Cron)
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "schedule.cron: %q is not a 5-field cron expression (minute hour day-of-month month day-of-week)", s.Cron)
		}
		if every, ok := cs.(cron.ConstantDelaySchedule); ok {
			return intervalSchedule(every.Delay), nil
		}
		return utcCron{cs}, nil
	case s.Interval > 0:
		return intervalSchedule(s.Interval), nil
	case s.Interval < 0:
		return nil, apperr.New(apperr.Invalid, "schedule.interval: %s is negative", s.Interval)
	}
	return nil, apperr.New(apperr.Invalid, "schedule: give a cron expression or an interval")
}

// utcCron reads a cron expression in UTC, not in the server's local zone.
type utcCron struct{ cron.Schedule }

func (c utcCron) Next(t time.Time) time.Time { return c.Schedule.Next(t.UTC()) }

type intervalSchedule time.Duration

func (d intervalSchedule) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

type scheduled struct {
	target Target
	sch    Schedule
	next   river.PeriodicSchedule
	handle rivertype.PeriodicJobHandle
}

// SetSchedule puts the connection on sch, replacing its previous schedule.
// Call it for every scheduled connection before Start (so a schedule missed
// while the server was down runs once) and whenever a schedule changes.
func (s *Scheduler) SetSchedule(ctx context.Context, t Target, sch Schedule) error {
	if t.Connection == "" {
		return apperr.New(apperr.Invalid, "connection: required to schedule scans")
	}
	next, err := sch.compile()
	if err != nil {
		return err
	}
	if iv, ok := next.(intervalSchedule); ok && time.Duration(iv) < s.cfg.MinInterval {
		return apperr.New(apperr.Invalid, "schedule.interval: %s is shorter than the minimum, %s", time.Duration(iv), s.cfg.MinInterval)
	}
	if err := s.b.runs.baseline(ctx, t.Connection, s.now()); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.schedules[t.Connection]; ok {
		s.client.PeriodicJobs().Remove(old.handle)
		delete(s.schedules, t.Connection)
	}
	args := ScanArgs{Connection: t.Connection, ProjectID: t.ProjectID, Trigger: TriggerSchedule}
	pj := river.NewPeriodicJob(next, func() (river.JobArgs, *river.InsertOpts) { return args, scanInsertOpts() }, nil)
	h, err := s.client.PeriodicJobs().AddSafely(pj)
	if err != nil {
		return fmt.Errorf("schedule scans of connection %q: %w", t.Connection, err)
	}
	s.schedules[t.Connection] = &scheduled{target: t, sch: sch, next: next, handle: h}
	s.log.Info("scan schedule set", "connection", t.Connection, "schedule", sch.String())
	return nil
}

// RemoveSchedule takes the connection off its schedule; a scan already
// queued or running is left alone.
func (s *Scheduler) RemoveSchedule(ctx context.Context, connection string) error {
	s.mu.Lock()
	if old, ok := s.schedules[connection]; ok {
		s.client.PeriodicJobs().Remove(old.handle)
		delete(s.schedules, connection)
	}
	s.mu.Unlock()
	return s.b.runs.forget(ctx, connection)
}

// Schedules returns each scheduled connection's schedule.
func (s *Scheduler) Schedules() map[string]Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Schedule, len(s.schedules))
	for c, sc := range s.schedules {
		out[c] = sc.sch
	}
	return out
}

// catchUpGrace is how overdue a scheduled slot must be before a replica
// starting on a shared queue makes it up.
const catchUpGrace = time.Minute

// catchUpLocked queues one scan for each schedule that had a slot between
// its connection's last run and now: however many slots passed while the
// server was down, the connection is scanned once.
func (s *Scheduler) catchUpLocked(ctx context.Context, now time.Time) error {
	for conn, sc := range s.schedules {
		last, ok, err := s.b.runs.lastRun(ctx, conn)
		if err != nil {
			return err
		}
		slot := sc.next.Next(last)
		if !ok || slot.After(now) {
			continue
		}
		// With several replicas, a slot that has just come is the elected
		// leader's to queue, and it may not have yet: a replica starting
		// now would queue it too, and run it twice if the first copy ends
		// before the leader's arrives. Only a slot the whole cluster missed
		// (overdue by more than catchUpGrace) is made up here.
		if !s.b.exclusive && now.Sub(slot) < catchUpGrace {
			continue
		}
		j, err := s.StartScan(ctx, sc.target, TriggerSchedule)
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict):
			// Already queued (left from before the stop): it is the catch-up.
			continue
		case err != nil:
			return fmt.Errorf("run missed schedule of connection %q: %w", conn, err)
		}
		s.log.Info("schedule missed while the server was down: scanning once now", "connection", conn, "lastRun", last, "job", j.ID)
	}
	return nil
}
