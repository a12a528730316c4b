package s3

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
)

// isDenied reports an AccessDenied-class failure, classified or not.
func isDenied(err error) bool {
	return apperr.Is(awsconn.Classify(err, "checking"), apperr.AccessDenied)
}

// denials gathers the optional reads a role may lack (bucket tags, policy,
// metrics...) so that a role without s3:GetBucketPolicy gives one warning
// naming the buckets, not one per bucket.
type denials struct {
	mu      sync.Mutex
	byWhat  map[string][]string // "s3:GetBucketPolicy (bucket policies)" -> buckets
	example map[string]error
}

func (d *denials) add(what, bucket string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byWhat == nil {
		d.byWhat = map[string][]string{}
		d.example = map[string]error{}
	}
	if !containsString(d.byWhat[what], bucket) {
		d.byWhat[what] = append(d.byWhat[what], bucket)
	}
	if d.example[what] == nil {
		d.example[what] = err
	}
}

// flush warns once per denied read.
func (d *denials) flush(ctx context.Context, sink source.Sink) {
	d.mu.Lock()
	defer d.mu.Unlock()
	whats := make([]string, 0, len(d.byWhat))
	for w := range d.byWhat {
		whats = append(whats, w)
	}
	sort.Strings(whats)
	for _, w := range whats {
		buckets := d.byWhat[w]
		sort.Strings(buckets)
		list := buckets
		more := ""
		if len(list) > 10 {
			list, more = list[:10], fmt.Sprintf(" and %d more", len(buckets)-10)
		}
		sink.Warn(ctx, source.Notice(fmt.Errorf("%s denied for %d bucket(s) (%s%s); left out of the catalog: %w",
			w, len(buckets), strings.Join(list, ", "), more, d.example[w])))
	}
	d.byWhat, d.example = nil, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
