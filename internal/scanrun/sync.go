package scanrun

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/jobs"
)

// SyncSchedules returns the scheduler's Config.SyncSchedules: it puts every
// stored schedule the scheduler does not have (or has otherwise) on it and
// takes off those the store no longer holds, so that a schedule set with
// `lakemap connection create|edit|delete` while the server runs is taken
// up. A stored schedule the scheduler refuses is logged once, not at every
// sync.
func SyncSchedules(store catalog.ConnectionReader, logger *slog.Logger) func(ctx context.Context, s *jobs.Scheduler) error {
	var mu sync.Mutex
	refused := map[string]jobs.Schedule{}
	return func(ctx context.Context, s *jobs.Scheduler) error {
		mu.Lock()
		defer mu.Unlock()
		conns, err := store.ListConnections(ctx)
		if err != nil {
			return fmt.Errorf("list connections to sync schedules: %w", err)
		}
		have := s.Schedules()
		want := map[string]bool{}
		for _, c := range conns {
			if c.Schedule.IsZero() {
				continue
			}
			want[c.Name] = true
			sch := Schedule(c.Schedule)
			if cur, ok := have[c.Name]; ok && cur == sch {
				continue
			}
			if r, ok := refused[c.Name]; ok && r == sch {
				continue
			}
			if err := s.SetSchedule(ctx, Target(c), sch); err != nil {
				refused[c.Name] = sch
				logger.Error("schedule of connection not registered: edit it to fix", "connection", c.Name, "err", err)
				continue
			}
			delete(refused, c.Name)
		}
		for name := range have {
			if !want[name] {
				if err := s.RemoveSchedule(ctx, name); err != nil {
					return err
				}
				logger.Info("scan schedule removed", "connection", name)
			}
		}
		return nil
	}
}
