package mcpserver

import (
	"context"
	"fmt"

	"github.com/lakemap/lakemap/internal/catalog"
)

// maxCountPages bounds the pages countChildren reads: past that a list
// reports "at least" rather than spending the call counting.
const maxCountPages = 10

// countChildren counts the live entities of kinds directly under parent,
// reading at most pages pages of catalog.MaxLimit; exact is false when it
// stopped there.
func (s *session) countChildren(ctx context.Context, parent string, kinds []catalog.Kind, pages int) (n int, exact bool, err error) {
	after := ""
	for range pages {
		page, err := s.srv.opts.Store.List(ctx, catalog.ListQuery{ParentFQN: parent, Kinds: kinds, After: after, Limit: catalog.MaxLimit})
		if err != nil {
			return 0, false, fmt.Errorf("counting %v under %q: %w", kinds, parent, err)
		}
		n += len(page.Entities)
		if page.Next == "" {
			return n, true, nil
		}
		after = page.Next
	}
	return n, false, nil
}

// countInServices sums a kind's live entities over services (the
// catalog's per-service statistics: one grouped count each).
func (s *session) countInServices(ctx context.Context, services []string, kind catalog.Kind) (int, error) {
	total := 0
	for _, svc := range services {
		stats, err := s.srv.opts.Store.Stats(ctx, svc)
		if err != nil {
			return 0, fmt.Errorf("counting %ss of %q: %w", kind, svc, err)
		}
		total += int(stats[kind])
	}
	return total, nil
}
