package athenascan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// scanHistory reads one workgroup's query executions, newest first as Athena
// lists them, one BatchGetQueryExecution per listed page of 50 ids, until the
// look-back window or the result limit is reached.
//
// The history is never declared complete: executions age out of Athena after
// 45 days and out of the window sooner, and neither means the query did not
// happen. The catalog keeps them as the record of what ran.
func (s *Scanner) scanHistory(ctx context.Context, sink source.Sink, wgFQN, wgName string) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	days := s.Options.QueryLogDuration
	if days <= 0 {
		days = DefaultQueryLogDuration
	}
	cutoff := now().Add(-time.Duration(days) * 24 * time.Hour)
	limit := s.Options.ResultLimit
	if limit <= 0 {
		limit = DefaultResultLimit
	}
	read := 0
	pages := athena.NewListQueryExecutionsPaginator(s.Client, &athena.ListQueryExecutionsInput{
		WorkGroup: aws.String(wgName), MaxResults: aws.Int32(BatchSize),
	})
	history := s.historySwitch()
	// A history turned off (by this workgroup's call or another's) ends
	// the listing: its next page's executions could not be read either.
	for pages.HasMorePages() && read < limit && history.On() {
		pageCtx, cancel := history.Context(ctx)
		page, err := pages.NextPage(pageCtx)
		cancel()
		if err != nil {
			return s.historyFail(ctx, sink, err, fmt.Sprintf("listing Athena query executions of workgroup %q", wgName))
		}
		ids := page.QueryExecutionIds
		if len(ids) > limit-read {
			ids = ids[:limit-read]
		}
		if len(ids) == 0 {
			continue
		}
		execs, err := s.batchGet(ctx, sink, wgName, ids)
		if err != nil {
			return err
		}
		entities := make([]catalog.Entity, 0, len(execs))
		allOld := len(execs) > 0
		for _, qe := range execs {
			submitted := submittedAt(qe)
			if submitted != nil && submitted.Before(cutoff) {
				continue
			}
			allOld = false
			entities = append(entities, queryEntity(s.Service, wgFQN, qe))
		}
		read += len(ids)
		if len(entities) > 0 {
			if err := sink.Emit(ctx, entities...); err != nil {
				return err
			}
			sink.Progress(catalog.KindQuery, len(entities))
		}
		// Athena lists newest first, so a page wholly outside the window
		// means every later page is too. Waiting for a whole page rather
		// than the first old execution keeps a listing in another order
		// (moto's is oldest first) correct, at the cost of one page.
		if allOld {
			break
		}
	}
	return nil
}

// batchGet reads up to 50 executions. Ids Athena could not process are a
// warning; the rest are kept.
func (s *Scanner) batchGet(ctx context.Context, sink source.Sink, wgName string, ids []string) ([]types.QueryExecution, error) {
	if s.noBatch.Load() {
		return s.getEach(ctx, sink, wgName, ids)
	}
	callCtx, cancel := s.historySwitch().Context(ctx)
	res, err := s.Client.BatchGetQueryExecution(callCtx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: ids})
	cancel()
	if err != nil {
		doing := fmt.Sprintf("reading %d Athena query executions of workgroup %q", len(ids), wgName)
		// Emulators lack BatchGetQueryExecution (moto answers an HTML
		// 500, others 501 or a 500 without an AWS error code); reading one
		// by one still works there, and loses nothing, so it is only logged.
		// One that never answers turns the history off instead (historyFail).
		timedOut := errors.Is(err, context.DeadlineExceeded)
		if classified := awsconn.Classify(err, doing); ctx.Err() == nil && !timedOut && (awsconn.NotImplemented(err) || apperr.KindOf(classified) == apperr.Internal) {
			s.noBatch.Store(true)
			s.Logger.Info("Athena BatchGetQueryExecution failed without an error code; reading query executions one by one", "err", classified)
			return s.getEach(ctx, sink, wgName, ids)
		}
		return nil, s.historyFail(ctx, sink, err, doing)
	}
	if n := len(res.UnprocessedQueryExecutionIds); n > 0 {
		first := res.UnprocessedQueryExecutionIds[0]
		sink.Warn(ctx, source.Notice(fmt.Errorf("reading Athena query executions of workgroup %q: %d of %d unprocessed, e.g. %s: %s %s",
			wgName, n, len(ids), aws.ToString(first.QueryExecutionId), aws.ToString(first.ErrorCode), aws.ToString(first.ErrorMessage))))
	}
	return res.QueryExecutions, nil
}

func (s *Scanner) getEach(ctx context.Context, sink source.Sink, wgName string, ids []string) ([]types.QueryExecution, error) {
	out := make([]types.QueryExecution, 0, len(ids))
	for _, id := range ids {
		callCtx, cancel := s.historySwitch().Context(ctx)
		res, err := s.Client.GetQueryExecution(callCtx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		cancel()
		if err != nil {
			if err := s.historyFail(ctx, sink, err, fmt.Sprintf("reading Athena query execution %s of workgroup %q", id, wgName)); err != nil {
				return nil, err
			}
			if !s.historySwitch().On() {
				return out, nil
			}
			continue
		}
		if res.QueryExecution != nil {
			out = append(out, *res.QueryExecution)
		}
	}
	return out, nil
}

func submittedAt(qe types.QueryExecution) *time.Time {
	if qe.Status == nil {
		return nil
	}
	return qe.Status.SubmissionDateTime
}
