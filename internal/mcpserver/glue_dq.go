package mcpserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
)

// RulesetListInput is glue_list_data_quality_rulesets' arguments: a page
// of rulesets, or one by name with its rules (one tool for both keeps
// tools/list small).
type RulesetListInput struct {
	Conn
	Name     string `json:"name,omitempty" jsonschema:"one ruleset by name, with its DQDL rules"`
	Database string `json:"database,omitempty" jsonschema:"only rulesets on tables of this Glue database (give table too)"`
	Table    string `json:"table,omitempty" jsonschema:"only rulesets on this Glue table"`
	Limit    int    `json:"limit,omitempty" jsonschema:"rulesets per page; default 50, at most 1000"`
	Cursor   string `json:"cursor,omitempty" jsonschema:"nextCursor of the previous page"`
}

// RulesetView is a data quality ruleset; Ruleset (the DQDL) only when read
// one by one.
type RulesetView struct {
	Name             string     `json:"name"`
	Description      string     `json:"description,omitempty"`
	Database         string     `json:"database,omitempty"`
	Table            string     `json:"table,omitempty"`
	RuleCount        *int32     `json:"ruleCount,omitempty"`
	Created          *time.Time `json:"created,omitempty"`
	LastModified     *time.Time `json:"lastModified,omitempty"`
	Ruleset          string     `json:"ruleset,omitempty" jsonschema:"the rules in DQDL"`
	RulesetTruncated bool       `json:"rulesetTruncated,omitempty"`
}

// RulesetListOutput is one page of rulesets.
type RulesetListOutput struct {
	Rulesets   []RulesetView `json:"rulesets"`
	Truncated  bool          `json:"truncated"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

func targetOf(t *types.DataQualityTargetTable) (db, table string) {
	if t == nil {
		return "", ""
	}
	return aws.ToString(t.DatabaseName), aws.ToString(t.TableName)
}

func glueListRulesets(ctx context.Context, c *liveConn, in RulesetListInput) (RulesetListOutput, string, error) {
	out := RulesetListOutput{Rulesets: []RulesetView{}}
	if in.Name != "" {
		// One ruleset, read whole: the list's single answer.
		if in.Database != "" || in.Table != "" || in.Cursor != "" {
			return out, "", apperr.New(apperr.Invalid, "name reads one ruleset: give it without database, table or cursor")
		}
		v, text, err := glueGetRuleset(ctx, c, RulesetNameInput{Conn: in.Conn, Name: in.Name})
		if err != nil {
			return out, "", err
		}
		out.Rulesets = append(out.Rulesets, v)
		return out, text, nil
	}
	limit, _, err := limitArg("limit", in.Limit, 50, 1000)
	if err != nil {
		return out, "", err
	}
	if (in.Database == "") != (in.Table == "") {
		return out, "", apperr.New(apperr.Invalid, "give database and table together to filter by table, or neither")
	}
	cur, err := decodeCursor(in.Cursor)
	if err != nil {
		return out, "", err
	}
	size := limit
	if cur.Size > 0 {
		size = cur.Size
	}
	req := &glue.ListDataQualityRulesetsInput{MaxResults: aws.Int32(int32(min(size, 200)))}
	if in.Table != "" {
		req.Filter = &types.DataQualityRulesetFilterCriteria{TargetTable: &types.DataQualityTargetTable{
			DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table)}}
	}
	if cur.Token != "" {
		req.NextToken = aws.String(cur.Token)
	}
	res, err := c.glue().ListDataQualityRulesets(ctx, req)
	if err != nil {
		return out, "", awsErr(err, "listing Glue data quality rulesets")
	}
	page, _ := pageByOffset(res.Rulesets, cur.Skip, limit)
	for _, r := range page {
		db, table := targetOf(r.TargetTable)
		out.Rulesets = append(out.Rulesets, RulesetView{Name: aws.ToString(r.Name), Description: clipped(aws.ToString(r.Description), descriptionClip),
			Database: db, Table: table, RuleCount: r.RuleCount, Created: r.CreatedOn, LastModified: r.LastModifiedOn})
	}
	b := answerBudget()
	out.Rulesets = out.Rulesets[:fitCount(out.Rulesets, b.json-300)]
	switch skip := cur.Skip + len(out.Rulesets); {
	case skip < len(res.Rulesets):
		out.NextCursor = cursor{Token: cur.Token, Skip: skip, Size: size}.encode()
	case aws.ToString(res.NextToken) != "":
		out.NextCursor = cursor{Token: aws.ToString(res.NextToken), Size: limit}.encode()
	}
	out.Truncated = out.NextCursor != ""
	t := newText(b.text)
	for _, r := range out.Rulesets {
		line := fmt.Sprintf("- %s on %s.%s", r.Name, orDash(r.Database), orDash(r.Table))
		if r.RuleCount != nil {
			line += fmt.Sprintf(", %d rules", *r.RuleCount)
		}
		if r.Description != "" {
			line += " — " + clipped(r.Description, 120)
		}
		t.line("%s", line)
	}
	if len(out.Rulesets) == 0 {
		t.line("(no data quality rulesets)")
	}
	pageNote(t, len(out.Rulesets), 0, false, out.NextCursor)
	return out, t.String(), nil
}

// RulesetNameInput names one ruleset.
type RulesetNameInput struct {
	Conn
	Name string `json:"name" jsonschema:"ruleset name"`
}

func glueGetRuleset(ctx context.Context, c *liveConn, in RulesetNameInput) (RulesetView, string, error) {
	if strings.TrimSpace(in.Name) == "" {
		return RulesetView{}, "", apperr.New(apperr.Invalid, "name is required: the ruleset's name")
	}
	r, err := c.glue().GetDataQualityRuleset(ctx, &glue.GetDataQualityRulesetInput{Name: aws.String(in.Name)})
	if err != nil {
		return RulesetView{}, "", awsErr(err, fmt.Sprintf("reading data quality ruleset %q", in.Name))
	}
	db, table := targetOf(r.TargetTable)
	v := RulesetView{Name: aws.ToString(r.Name), Description: clipped(aws.ToString(r.Description), descriptionClip*3), Database: db, Table: table,
		Created: r.CreatedOn, LastModified: r.LastModifiedOn}
	v.Ruleset, v.RulesetTruncated = clip(aws.ToString(r.Ruleset), longTextClip)
	text := fmt.Sprintf("ruleset %s on %s.%s\n%s", v.Name, orDash(db), orDash(table), v.Ruleset)
	if v.RulesetTruncated {
		text += "\n(ruleset truncated)"
	}
	return v, text, nil
}

// DQResultInput is glue_get_data_quality_result's arguments: one of its
// three ways to name a result.
type DQResultInput struct {
	Conn
	ResultID string `json:"resultId,omitempty" jsonschema:"a data quality result id"`
	RunID    string `json:"runId,omitempty" jsonschema:"an evaluation run id: its status and results"`
	Database string `json:"database,omitempty" jsonschema:"with table: the table's latest result"`
	Table    string `json:"table,omitempty" jsonschema:"with database: the table's latest result"`
}

// DQRunView is an evaluation run's state.
type DQRunView struct {
	RunID     string     `json:"runId"`
	Status    string     `json:"status" jsonschema:"STARTING, RUNNING, STOPPING, STOPPED, SUCCEEDED, FAILED or TIMEOUT"`
	Started   *time.Time `json:"started,omitempty"`
	Completed *time.Time `json:"completed,omitempty"`
	Error     string     `json:"error,omitempty"`
	ResultIDs []string   `json:"resultIds,omitempty"`
}

// DQRuleView is one rule's outcome.
type DQRuleView struct {
	Name    string `json:"name"`
	Result  string `json:"result" jsonschema:"PASS, FAIL or ERROR"`
	Message string `json:"message,omitempty"`
	Rule    string `json:"rule,omitempty"`
}

// DQResultView is one data quality result.
type DQResultView struct {
	ResultID       string       `json:"resultId"`
	Ruleset        string       `json:"ruleset,omitempty"`
	Database       string       `json:"database,omitempty"`
	Table          string       `json:"table,omitempty"`
	Score          *float64     `json:"score,omitempty" jsonschema:"share of rules passed, 0 to 1"`
	Started        *time.Time   `json:"started,omitempty"`
	Completed      *time.Time   `json:"completed,omitempty"`
	Rules          []DQRuleView `json:"rules"`
	RulesTotal     int          `json:"rulesTotal"`
	RulesTruncated bool         `json:"rulesTruncated" jsonschema:"true when rules holds only some of the rules"`
}

// DQResultOutput is glue_get_data_quality_result's result.
type DQResultOutput struct {
	Run     *DQRunView     `json:"run,omitempty"`
	Results []DQResultView `json:"results"`
}

// maxResultsPerRun bounds the results read for one evaluation run.
const maxResultsPerRun = 3

func glueGetDQResult(ctx context.Context, c *liveConn, in DQResultInput) (DQResultOutput, string, error) {
	out := DQResultOutput{Results: []DQResultView{}}
	client := c.glue()
	var ids []string
	switch {
	case in.ResultID != "":
		ids = []string{in.ResultID}
	case in.RunID != "":
		run, err := client.GetDataQualityRulesetEvaluationRun(ctx, &glue.GetDataQualityRulesetEvaluationRunInput{RunId: aws.String(in.RunID)})
		if err != nil {
			return out, "", awsErr(err, fmt.Sprintf("reading data quality evaluation run %q", in.RunID))
		}
		out.Run = &DQRunView{RunID: in.RunID, Status: string(run.Status), Started: run.StartedOn, Completed: run.CompletedOn,
			Error: clipped(aws.ToString(run.ErrorString), valueClip), ResultIDs: run.ResultIds}
		ids = run.ResultIds
	case in.Database != "" && in.Table != "":
		res, err := client.ListDataQualityResults(ctx, &glue.ListDataQualityResultsInput{MaxResults: aws.Int32(1),
			Filter: &types.DataQualityResultFilterCriteria{DataSource: &types.DataSource{GlueTable: &types.GlueTable{
				DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table)}}}})
		if err != nil {
			return out, "", awsErr(err, fmt.Sprintf("listing data quality results of %s.%s", in.Database, in.Table))
		}
		for _, r := range res.Results {
			ids = append(ids, aws.ToString(r.ResultId))
		}
	default:
		return out, "", apperr.New(apperr.Invalid, "name a result: resultId, runId, or database and table for the table's latest result")
	}
	rulesBudget := answerJSONBudget / max(1, min(len(ids), maxResultsPerRun))
	for i, id := range ids {
		if i == maxResultsPerRun {
			break
		}
		r, err := client.GetDataQualityResult(ctx, &glue.GetDataQualityResultInput{ResultId: aws.String(id)})
		if err != nil {
			return out, "", awsErr(err, fmt.Sprintf("reading data quality result %q", id))
		}
		out.Results = append(out.Results, dqResultView(r, rulesBudget))
	}
	t := newText(answerTextBudget)
	if out.Run != nil {
		t.line("run %s: %s%s", out.Run.RunID, out.Run.Status, prefixed(" — ", out.Run.Error))
	}
	for _, r := range out.Results {
		score := "-"
		if r.Score != nil {
			score = fmt.Sprintf("%.2f", *r.Score)
		}
		t.line("result %s: ruleset %s on %s.%s, score %s, %d rules", r.ResultID, orDash(r.Ruleset), orDash(r.Database), orDash(r.Table), score, r.RulesTotal)
		for _, rule := range r.Rules {
			t.line("  %s %s%s", rule.Result, rule.Name, prefixed(" — ", clipped(rule.Message, 160)))
		}
		if r.RulesTruncated {
			t.line("  (%d more rules not shown)", r.RulesTotal-len(r.Rules))
		}
	}
	if len(out.Results) == 0 {
		t.line("(no results yet)")
	}
	if len(ids) > maxResultsPerRun {
		t.line("showing %d of %d results; ask for the others by resultId", maxResultsPerRun, len(ids))
	}
	return out, t.String(), nil
}

func dqResultView(r *glue.GetDataQualityResultOutput, budget int) DQResultView {
	v := DQResultView{ResultID: aws.ToString(r.ResultId), Ruleset: aws.ToString(r.RulesetName), Score: r.Score,
		Started: r.StartedOn, Completed: r.CompletedOn, Rules: []DQRuleView{}, RulesTotal: len(r.RuleResults)}
	if ds := r.DataSource; ds != nil && ds.GlueTable != nil {
		v.Database, v.Table = aws.ToString(ds.GlueTable.DatabaseName), aws.ToString(ds.GlueTable.TableName)
	}
	// Failures first: they are what an agent is asked about.
	var failed, passed []DQRuleView
	for _, rr := range r.RuleResults {
		rv := DQRuleView{Name: aws.ToString(rr.Name), Result: string(rr.Result),
			Message: clipped(aws.ToString(rr.EvaluationMessage), descriptionClip), Rule: clipped(aws.ToString(rr.EvaluatedRule), descriptionClip)}
		if rr.Result == types.DataQualityRuleResultStatusPass {
			passed = append(passed, rv)
		} else {
			failed = append(failed, rv)
		}
	}
	rules := append(failed, passed...)
	v.Rules = rules[:fitCount(rules, budget)]
	if v.Rules == nil {
		v.Rules = []DQRuleView{}
	}
	v.RulesTruncated = len(v.Rules) < len(rules)
	return v
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
