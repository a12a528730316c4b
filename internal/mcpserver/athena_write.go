package mcpserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakemap/lakemap/internal/apperr"
)

// maxQueryWait caps the wait an agent may ask of athena_start_query: with
// the live deadline added, the call still ends before a client's usual 60 s
// timeout.
const maxQueryWait = 30 * time.Second

// StartQueryInput is athena_start_query's arguments.
type StartQueryInput struct {
	Conn
	Query          string `json:"query" jsonschema:"the SQL to run"`
	Database       string `json:"database,omitempty" jsonschema:"default database of the query"`
	Catalog        string `json:"catalog,omitempty" jsonschema:"data catalog; default AwsDataCatalog"`
	WorkGroup      string `json:"workGroup,omitempty" jsonschema:"workgroup; default primary"`
	OutputLocation string `json:"outputLocation,omitempty" jsonschema:"s3:// location for results, when the workgroup sets none"`
	WaitSeconds    int    `json:"waitSeconds,omitempty" jsonschema:"how long to wait for the query to finish before returning its id; default 20, at most 30"`
}

// StartQueryOutput is what athena_start_query saw.
type StartQueryOutput struct {
	QueryExecutionID string    `json:"queryExecutionId" jsonschema:"poll it with athena_get_query_execution; read rows with athena_get_query_results"`
	Done             bool      `json:"done" jsonschema:"true when the query finished within the wait"`
	Execution        QueryView `json:"execution"`
	Next             string    `json:"next" jsonschema:"what to call next"`
}

// wait is how long the call waits for the query to finish.
func (in StartQueryInput) wait(def time.Duration) time.Duration {
	if in.WaitSeconds > 0 {
		def = time.Duration(in.WaitSeconds) * time.Second
	}
	return min(def, maxQueryWait)
}

func athenaStartQuery(ctx context.Context, c *liveConn, in StartQueryInput) (StartQueryOutput, string, error) {
	var out StartQueryOutput
	if strings.TrimSpace(in.Query) == "" {
		return out, "", apperr.New(apperr.Invalid, "query is required: the SQL to run")
	}
	if in.WaitSeconds < 0 {
		return out, "", apperr.New(apperr.Invalid, "waitSeconds %d: must be 0 or more", in.WaitSeconds)
	}
	wait := in.wait(c.s.srv.opts.QueryWait)
	req := &athena.StartQueryExecutionInput{QueryString: aws.String(in.Query)}
	if in.Database != "" || in.Catalog != "" {
		req.QueryExecutionContext = &types.QueryExecutionContext{}
		if in.Database != "" {
			req.QueryExecutionContext.Database = aws.String(in.Database)
		}
		if in.Catalog != "" {
			req.QueryExecutionContext.Catalog = aws.String(in.Catalog)
		}
	}
	if in.WorkGroup != "" {
		req.WorkGroup = aws.String(in.WorkGroup)
	}
	if in.OutputLocation != "" {
		req.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(in.OutputLocation)}
	}
	client := c.athena()
	started, err := client.StartQueryExecution(ctx, req)
	if err != nil {
		return out, "", awsErr(err, "starting an Athena query")
	}
	out.QueryExecutionID = aws.ToString(started.QueryExecutionId)
	out.Execution = QueryView{ID: out.QueryExecutionID, State: "QUEUED"}
	// From here on the query runs whatever happens to this call: every path
	// hands back its id.
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	v, done, pollErr := pollQuery(waitCtx, client, out.QueryExecutionID)
	if v.ID != "" {
		out.Execution = v
	}
	out.Done = done
	switch {
	case done && v.State == string(types.QueryExecutionStateSucceeded):
		out.Next = "athena_get_query_results with this queryExecutionId"
	case done:
		out.Next = "the query did not succeed; see execution.error or stateChangeReason"
	default:
		out.Next = "still running: poll athena_get_query_execution with this queryExecutionId, then athena_get_query_results"
	}
	t := newText(answerTextBudget)
	t.line("query execution id: %s", out.QueryExecutionID)
	if pollErr != nil {
		t.line("could not read its state (%v); it keeps running", pollErr)
	}
	renderQuery(t, out.Execution, 500)
	t.line("next: %s", out.Next)
	return out, t.String(), nil
}

// pollQuery waits for a query to reach a final state or for ctx to end.
// It returns the last state seen; an error only when none could be read.
func pollQuery(ctx context.Context, client *athena.Client, id string) (QueryView, bool, error) {
	delay := 200 * time.Millisecond
	var last QueryView
	for {
		q, err := client.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err == nil {
			last = queryView(q.QueryExecution, longTextClip/4)
			switch types.QueryExecutionState(last.State) {
			case types.QueryExecutionStateSucceeded, types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
				return last, true, nil
			}
		} else if ctx.Err() == nil {
			return last, false, awsErr(err, fmt.Sprintf("reading Athena query execution %q", id))
		}
		select {
		case <-ctx.Done():
			return last, false, nil
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// StopQueryOutput says a stop was requested.
type StopQueryOutput struct {
	QueryExecutionID string `json:"queryExecutionId"`
	StopRequested    bool   `json:"stopRequested"`
}

func athenaStopQuery(ctx context.Context, c *liveConn, in QueryIDInput) (StopQueryOutput, string, error) {
	var out StopQueryOutput
	if err := in.check(); err != nil {
		return out, "", err
	}
	if _, err := c.athena().StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(in.QueryExecutionID)}); err != nil {
		return out, "", awsErr(err, fmt.Sprintf("stopping Athena query %q", in.QueryExecutionID))
	}
	out = StopQueryOutput{QueryExecutionID: in.QueryExecutionID, StopRequested: true}
	return out, fmt.Sprintf("stop requested for %s; athena_get_query_execution shows when it is CANCELLED", in.QueryExecutionID), nil
}
