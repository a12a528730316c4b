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

// QueryView is one Athena query execution.
type QueryView struct {
	ID               string     `json:"queryExecutionId"`
	State            string     `json:"state" jsonschema:"QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED"`
	Query            string     `json:"query"`
	QueryTruncated   bool       `json:"queryTruncated,omitempty" jsonschema:"true when query holds only the start of the SQL"`
	StatementType    string     `json:"statementType,omitempty"`
	Database         string     `json:"database,omitempty"`
	Catalog          string     `json:"catalog,omitempty"`
	WorkGroup        string     `json:"workGroup,omitempty"`
	Submitted        *time.Time `json:"submitted,omitempty"`
	Completed        *time.Time `json:"completed,omitempty"`
	Reason           string     `json:"stateChangeReason,omitempty"`
	Error            string     `json:"error,omitempty"`
	OutputLocation   string     `json:"outputLocation,omitempty"`
	DataScannedBytes int64      `json:"dataScannedBytes,omitempty"`
	EngineMillis     int64      `json:"engineExecutionMillis,omitempty"`
	TotalMillis      int64      `json:"totalExecutionMillis,omitempty"`
}

func queryView(q *types.QueryExecution, sqlClip int) QueryView {
	v := QueryView{ID: aws.ToString(q.QueryExecutionId), StatementType: string(q.StatementType), WorkGroup: aws.ToString(q.WorkGroup)}
	v.Query, v.QueryTruncated = clip(aws.ToString(q.Query), sqlClip)
	if c := q.QueryExecutionContext; c != nil {
		v.Database, v.Catalog = aws.ToString(c.Database), aws.ToString(c.Catalog)
	}
	if st := q.Status; st != nil {
		v.State = string(st.State)
		v.Submitted, v.Completed = st.SubmissionDateTime, st.CompletionDateTime
		v.Reason = clipped(aws.ToString(st.StateChangeReason), valueClip)
		if e := st.AthenaError; e != nil {
			v.Error = clipped(aws.ToString(e.ErrorMessage), valueClip)
		}
	}
	if r := q.ResultConfiguration; r != nil {
		v.OutputLocation = aws.ToString(r.OutputLocation)
	}
	if s := q.Statistics; s != nil {
		v.DataScannedBytes = aws.ToInt64(s.DataScannedInBytes)
		v.EngineMillis = aws.ToInt64(s.EngineExecutionTimeInMillis)
		v.TotalMillis = aws.ToInt64(s.TotalExecutionTimeInMillis)
	}
	return v
}

func renderQuery(t *textOut, v QueryView, sqlChars int) {
	t.line("%s %s submitted %s completed %s scanned %d bytes, workgroup %s, database %s", v.ID, v.State,
		timeOrDash(v.Submitted), timeOrDash(v.Completed), v.DataScannedBytes, orDash(v.WorkGroup), orDash(v.Database))
	if v.Error != "" || v.Reason != "" {
		t.line("  reason: %s", orDefault(v.Error, v.Reason))
	}
	t.line("  sql: %s", clipped(strings.Join(strings.Fields(v.Query), " "), sqlChars))
}

// QueryListInput is athena_list_query_executions' arguments.
type QueryListInput struct {
	Conn
	WorkGroup string `json:"workGroup,omitempty" jsonschema:"workgroup; default primary"`
	Limit     int    `json:"limit,omitempty" jsonschema:"executions per page, newest first; default 20, at most 50"`
	Cursor    string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// QueryListOutput is one page of query executions.
type QueryListOutput struct {
	Executions []QueryView `json:"executions"`
	Truncated  bool        `json:"truncated" jsonschema:"true when older executions exist"`
	NextCursor string      `json:"nextCursor,omitempty"`
}

func athenaListQueryExecutions(ctx context.Context, c *liveConn, in QueryListInput) (QueryListOutput, string, error) {
	var out QueryListOutput
	limit, _, err := limitArg("limit", in.Limit, 20, 50)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	size := limit
	if cur.Size > 0 {
		size = cur.Size
	}
	client := c.athena()
	req := &athena.ListQueryExecutionsInput{MaxResults: aws.Int32(int32(size))}
	if in.WorkGroup != "" {
		req.WorkGroup = aws.String(in.WorkGroup)
	}
	if cur.Token != "" {
		req.NextToken = aws.String(cur.Token)
	}
	list, err := client.ListQueryExecutions(ctx, req)
	if err != nil {
		return out, "", awsErr(err, "listing Athena query executions")
	}
	ids, _ := pageByOffset(list.QueryExecutionIds, cur.Skip, limit)
	out.Executions = []QueryView{}
	if len(ids) > 0 {
		got, err := client.BatchGetQueryExecution(ctx, &athena.BatchGetQueryExecutionInput{QueryExecutionIds: ids})
		if err != nil {
			return out, "", awsErr(err, "reading Athena query executions")
		}
		byID := map[string]*types.QueryExecution{}
		for i := range got.QueryExecutions {
			byID[aws.ToString(got.QueryExecutions[i].QueryExecutionId)] = &got.QueryExecutions[i]
		}
		for _, id := range ids {
			if q := byID[id]; q != nil {
				out.Executions = append(out.Executions, queryView(q, 300))
			} else {
				out.Executions = append(out.Executions, QueryView{ID: id, State: "UNKNOWN"})
			}
		}
	}
	b := answerBudget()
	out.Executions = out.Executions[:fitCount(out.Executions, b.json-300)]
	switch skip := cur.Skip + len(out.Executions); {
	case skip < len(list.QueryExecutionIds):
		out.NextCursor = cursor{Token: cur.Token, Skip: skip, Size: size}.encode()
	case aws.ToString(list.NextToken) != "":
		out.NextCursor = cursor{Token: aws.ToString(list.NextToken), Size: limit}.encode()
	}
	out.Truncated = out.NextCursor != ""
	t := newText(b.text)
	for _, v := range out.Executions {
		renderQuery(t, v, 160)
	}
	if len(out.Executions) == 0 {
		t.line("(no query executions)")
	}
	pageNote(t, len(out.Executions), 0, false, out.NextCursor)
	return out, t.String(), nil
}

// QueryIDInput names one query execution.
type QueryIDInput struct {
	Conn
	QueryExecutionID string `json:"queryExecutionId" jsonschema:"a query execution id, as athena_list_query_executions lists them"`
}

func (in QueryIDInput) check() error {
	if strings.TrimSpace(in.QueryExecutionID) == "" {
		return apperr.New(apperr.Invalid, "queryExecutionId is required")
	}
	return nil
}

func athenaGetQueryExecution(ctx context.Context, c *liveConn, in QueryIDInput) (QueryView, string, error) {
	if err := in.check(); err != nil {
		return QueryView{}, "", err
	}
	q, err := c.athena().GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(in.QueryExecutionID)})
	if err != nil {
		return QueryView{}, "", awsErr(err, fmt.Sprintf("reading Athena query execution %q", in.QueryExecutionID))
	}
	v := queryView(q.QueryExecution, longTextClip/2)
	t := newText(answerTextBudget)
	renderQuery(t, v, 2_000)
	if v.OutputLocation != "" {
		t.line("  results: %s", v.OutputLocation)
	}
	return v, t.String(), nil
}

// QueryResultsInput is athena_get_query_results' arguments.
type QueryResultsInput struct {
	QueryIDInput
	Limit  int    `json:"limit,omitempty" jsonschema:"rows per page; default 50, at most 1000 (cut to fit the response size)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// ResultColumn is one result column.
type ResultColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// QueryResultsOutput is one page of result rows.
type QueryResultsOutput struct {
	Columns    []ResultColumn `json:"columns"`
	Rows       [][]*string    `json:"rows" jsonschema:"row values in column order; null for SQL NULL; long values clipped"`
	Truncated  bool           `json:"truncated" jsonschema:"true when more rows exist than this page shows"`
	NextCursor string         `json:"nextCursor,omitempty"`
	Note       string         `json:"note,omitempty" jsonschema:"why there are no rows, when there are none"`
}

func athenaGetQueryResults(ctx context.Context, c *liveConn, in QueryResultsInput) (QueryResultsOutput, string, error) {
	out := QueryResultsOutput{Columns: []ResultColumn{}, Rows: [][]*string{}}
	if err := in.check(); err != nil {
		return out, "", err
	}
	limit, _, err := limitArg("limit", in.Limit, 50, 1000)
	if err != nil {
		return out, "", err
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	size := limit
	if cur.Size > 0 {
		size = cur.Size
	}
	req := &athena.GetQueryResultsInput{QueryExecutionId: aws.String(in.QueryExecutionID), MaxResults: aws.Int32(int32(size))}
	if cur.Token != "" {
		req.NextToken = aws.String(cur.Token)
	}
	res, err := c.athena().GetQueryResults(ctx, req)
	if err != nil {
		return out, "", awsErr(err, fmt.Sprintf("reading results of Athena query %q", in.QueryExecutionID))
	}
	var rows []types.Row
	var labels []string
	if rs := res.ResultSet; rs != nil {
		rows = rs.Rows
		if md := rs.ResultSetMetadata; md != nil {
			for _, ci := range md.ColumnInfo {
				out.Columns = append(out.Columns, ResultColumn{Name: aws.ToString(ci.Name), Type: aws.ToString(ci.Type)})
				labels = append(labels, aws.ToString(ci.Label))
			}
		}
	}
	// The first page of a SELECT starts with the column labels as a row.
	if cur.Token == "" && len(rows) > 0 && isHeaderRow(rows[0], labels, out.Columns) {
		rows = rows[1:]
	}
	page, _ := pageByOffset(rows, cur.Skip, limit)
	for _, r := range page {
		vals := make([]*string, len(r.Data))
		for i, d := range r.Data {
			if d.VarCharValue != nil {
				vals[i] = aws.String(clipped(*d.VarCharValue, valueClip))
			}
		}
		out.Rows = append(out.Rows, vals)
	}
	b := answerBudget()
	out.Rows = out.Rows[:fitCount(out.Rows, b.json-jsonSize(out.Columns)-300)]
	switch skip := cur.Skip + len(out.Rows); {
	case skip < len(rows):
		out.NextCursor = cursor{Token: cur.Token, Skip: skip, Size: size}.encode()
	case aws.ToString(res.NextToken) != "":
		out.NextCursor = cursor{Token: aws.ToString(res.NextToken), Size: limit}.encode()
	}
	out.Truncated = out.NextCursor != ""

	t := newText(b.text)
	switch {
	case len(out.Rows) > 0:
	case len(out.Columns) == 0:
		// DDL, DML and other statements without a result set.
		out.Note = "the statement returned no result set (DDL, INSERT or another statement without rows)"
	case cur.Token == "" && cur.Skip == 0:
		out.Note = "the query returned no rows"
	default:
		out.Note = "no more rows"
	}
	if out.Note != "" {
		t.line("%s", out.Note)
	}
	names := make([]string, len(out.Columns))
	for i, col := range out.Columns {
		names[i] = col.Name
	}
	if len(names) > 0 {
		t.line("%s", strings.Join(names, "\t"))
	}
	for _, r := range out.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = "NULL"
			if v != nil {
				cells[i] = clipped(strings.ReplaceAll(*v, "\n", " "), 200)
			}
		}
		t.line("%s", strings.Join(cells, "\t"))
	}
	pageNote(t, len(out.Rows), 0, false, out.NextCursor)
	return out, t.String(), nil
}

func isHeaderRow(r types.Row, labels []string, cols []ResultColumn) bool {
	if len(r.Data) == 0 || len(r.Data) != len(cols) {
		return false
	}
	for i, d := range r.Data {
		v := aws.ToString(d.VarCharValue)
		if v != cols[i].Name && (i >= len(labels) || v != labels[i]) {
			return false
		}
	}
	return true
}
