package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/lakemap/lakemap/internal/catalog"
)

// scanLister finds a connection's scan records; both stores have it.
type scanLister interface {
	ListScans(ctx context.Context, service string, limit int) ([]catalog.Scan, error)
}

// reapLoop looks, every ReapInterval, for scans whose replica died.
func (s *Scheduler) reapLoop(ctx context.Context) {
	defer close(s.reaperDone)
	tick := time.NewTicker(s.cfg.ReapInterval)
	defer tick.Stop()
	lastCatchUp := s.now() // Start has just caught up
	for {
		if s.b.stillLive != nil && !s.b.stillLive(ctx) && ctx.Err() == nil {
			s.cancelOwn(ctx)
		}
		if err := s.reap(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("look for scans of replicas that died", "err", err)
		}
		if now := s.now(); now.Sub(lastCatchUp) >= catchUpGrace/2 {
			lastCatchUp = now
			// A slot River's leader never queued (it died just before;
			// its successor comes after its lease) or whose scan died with
			// its replica runs once, a minute late, on a live replica.
			s.mu.Lock()
			err := s.catchUpLocked(ctx, now)
			s.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				s.log.Warn("make up missed scheduled scans", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// reap records as interrupted the scans of replicas that no longer hold
// their liveness lock, and finalizes their jobs, so that the connection's
// next scan (scheduled or asked for) is not refused as a duplicate.
func (s *Scheduler) reap(ctx context.Context) error {
	res, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(ScanKind).States(rivertype.JobStateRunning).First(10000))
	if err != nil {
		return err
	}
	checked := map[string]bool{} // client id -> alive
	for _, row := range res.Jobs {
		if len(row.AttemptedBy) == 0 {
			continue
		}
		owner := row.AttemptedBy[len(row.AttemptedBy)-1]
		if owner == s.b.clientID {
			continue
		}
		alive, ok := checked[owner]
		if !ok {
			if alive, err = s.b.alive(ctx, owner); err != nil {
				return err
			}
			checked[owner] = alive
		}
		if !alive {
			s.interruptDead(ctx, row, owner)
		}
	}
	return nil
}

func (s *Scheduler) interruptDead(ctx context.Context, row *rivertype.JobRow, owner string) {
	j := jobFromRow(row)
	now := s.now()
	// The records first: while the job is still running no new scan of the
	// connection can start, so every scan recorded running is the dead one.
	ids := map[int64]bool{}
	l, ok := s.cfg.Records.(scanLister)
	if !ok && j.ScanID != 0 {
		ids[j.ScanID] = true
	}
	// A scan that ended before its replica died keeps its status.
	if ok {
		scans, err := l.ListScans(ctx, j.Target.Connection, 5)
		if err != nil {
			s.log.Warn("read scans of a dead replica's connection", "connection", j.Target.Connection, "err", err)
		}
		for _, sc := range scans {
			if sc.Status == catalog.ScanRunning {
				ids[sc.ID] = true
			}
		}
	}
	for id := range ids {
		if err := s.cfg.Records.SetScanStatus(ctx, id, ScanInterrupted, now); err != nil {
			s.log.Error("record a dead replica's scan as interrupted", "scan", id, "err", err)
			return
		}
	}
	if err := s.client.cancelStale(ctx, []int64{row.ID}, now); err != nil {
		s.log.Error("release a dead replica's scan job", "job", row.ID, "err", err)
		return
	}
	s.log.Warn("the replica running a scan died: scan recorded interrupted, connection free for its next scan",
		"connection", j.Target.Connection, "job", row.ID, "replica", owner)
	if s.cfg.Interrupted != nil {
		for id := range ids {
			s.cfg.Interrupted(id, j.Target.Connection)
		}
	}
}

// cancelOwn cancels the scans this replica runs after it lost its liveness
// lock: the other replicas may already have recorded them interrupted and
// started the connections' next scans, which must not meet these.
func (s *Scheduler) cancelOwn(ctx context.Context) {
	s.log.Error("lost the connection that says this server lives: cancelling its scans, which other servers may have taken for dead")
	res, err := s.client.JobList(ctx, river.NewJobListParams().Kinds(ScanKind).States(rivertype.JobStateRunning).First(10000))
	if err != nil {
		s.log.Error("list this server's scans", "err", err)
		return
	}
	for _, row := range res.Jobs {
		if n := len(row.AttemptedBy); n > 0 && row.AttemptedBy[n-1] == s.b.clientID {
			if _, err := s.client.JobCancel(ctx, row.ID); err != nil {
				s.log.Error("cancel scan job", "job", row.ID, "err", err)
			}
		}
	}
}
