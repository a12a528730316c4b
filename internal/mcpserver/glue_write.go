package mcpserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
)

// CreateRulesetInput is glue_write_data_quality_ruleset's arguments for action create.
type CreateRulesetInput struct {
	Conn
	Name        string `json:"name" jsonschema:"ruleset name, unique in the account and region"`
	Ruleset     string `json:"ruleset" jsonschema:"the rules in DQDL, e.g. Rules = [ IsComplete \"id\", ColumnValues \"amount\" > 0 ]"`
	Database    string `json:"database,omitempty" jsonschema:"Glue database of the target table"`
	Table       string `json:"table,omitempty" jsonschema:"Glue target table"`
	Description string `json:"description,omitempty"`
}

// RulesetWriteOutput says what a ruleset write did.
type RulesetWriteOutput struct {
	Name   string `json:"name"`
	Action string `json:"action" jsonschema:"created, updated or deleted"`
}

func glueCreateRuleset(ctx context.Context, c *liveConn, in CreateRulesetInput) (RulesetWriteOutput, string, error) {
	if strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.Ruleset) == "" {
		return RulesetWriteOutput{}, "", apperr.New(apperr.Invalid, "name and ruleset (DQDL) are required")
	}
	if (in.Database == "") != (in.Table == "") {
		return RulesetWriteOutput{}, "", apperr.New(apperr.Invalid, "give database and table together for the target table, or neither")
	}
	req := &glue.CreateDataQualityRulesetInput{Name: aws.String(in.Name), Ruleset: aws.String(in.Ruleset)}
	if in.Description != "" {
		req.Description = aws.String(in.Description)
	}
	if in.Table != "" {
		req.TargetTable = &types.DataQualityTargetTable{DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table)}
	}
	if _, err := c.glue().CreateDataQualityRuleset(ctx, req); err != nil {
		return RulesetWriteOutput{}, "", awsErr(err, fmt.Sprintf("creating data quality ruleset %q", in.Name))
	}
	return RulesetWriteOutput{Name: in.Name, Action: "created"}, "created data quality ruleset " + in.Name, nil
}

// UpdateRulesetInput is glue_write_data_quality_ruleset's arguments for action update.
type UpdateRulesetInput struct {
	Conn
	Name        string `json:"name" jsonschema:"ruleset name"`
	Ruleset     string `json:"ruleset,omitempty" jsonschema:"new rules in DQDL; replaces the old ones whole"`
	Description string `json:"description,omitempty" jsonschema:"new description"`
}

func glueUpdateRuleset(ctx context.Context, c *liveConn, in UpdateRulesetInput) (RulesetWriteOutput, string, error) {
	if strings.TrimSpace(in.Name) == "" {
		return RulesetWriteOutput{}, "", apperr.New(apperr.Invalid, "name is required")
	}
	if in.Ruleset == "" && in.Description == "" {
		return RulesetWriteOutput{}, "", apperr.New(apperr.Invalid, "nothing to update: give ruleset, description or both")
	}
	req := &glue.UpdateDataQualityRulesetInput{Name: aws.String(in.Name)}
	if in.Ruleset != "" {
		req.Ruleset = aws.String(in.Ruleset)
	}
	if in.Description != "" {
		req.Description = aws.String(in.Description)
	}
	if _, err := c.glue().UpdateDataQualityRuleset(ctx, req); err != nil {
		return RulesetWriteOutput{}, "", awsErr(err, fmt.Sprintf("updating data quality ruleset %q", in.Name))
	}
	return RulesetWriteOutput{Name: in.Name, Action: "updated"}, "updated data quality ruleset " + in.Name, nil
}

func glueDeleteRuleset(ctx context.Context, c *liveConn, in RulesetNameInput) (RulesetWriteOutput, string, error) {
	if strings.TrimSpace(in.Name) == "" {
		return RulesetWriteOutput{}, "", apperr.New(apperr.Invalid, "name is required")
	}
	if _, err := c.glue().DeleteDataQualityRuleset(ctx, &glue.DeleteDataQualityRulesetInput{Name: aws.String(in.Name)}); err != nil {
		return RulesetWriteOutput{}, "", awsErr(err, fmt.Sprintf("deleting data quality ruleset %q", in.Name))
	}
	return RulesetWriteOutput{Name: in.Name, Action: "deleted"}, "deleted data quality ruleset " + in.Name, nil
}

// StartEvaluationInput is glue_start_data_quality_evaluation's arguments.
type StartEvaluationInput struct {
	GlueTableRef
	Rulesets        []string `json:"rulesets" jsonschema:"names of the rulesets to evaluate"`
	Role            string   `json:"role" jsonschema:"ARN of the IAM role the Glue evaluation job runs as (trusted by glue.amazonaws.com)"`
	NumberOfWorkers int      `json:"numberOfWorkers,omitempty" jsonschema:"G.1X workers; default Glue's (5)"`
	TimeoutMinutes  int      `json:"timeoutMinutes,omitempty" jsonschema:"run timeout; default Glue's (2880)"`
}

// StartEvaluationOutput is the run started.
type StartEvaluationOutput struct {
	RunID string `json:"runId" jsonschema:"poll it with glue_get_data_quality_result"`
}

func glueStartEvaluation(ctx context.Context, c *liveConn, in StartEvaluationInput) (StartEvaluationOutput, string, error) {
	if err := in.check(); err != nil {
		return StartEvaluationOutput{}, "", err
	}
	names := nonEmpty(in.Rulesets)
	if len(names) == 0 || strings.TrimSpace(in.Role) == "" {
		return StartEvaluationOutput{}, "", apperr.New(apperr.Invalid, "rulesets and role are required: the ruleset names and the IAM role ARN the Glue job runs as")
	}
	if in.NumberOfWorkers < 0 || in.TimeoutMinutes < 0 {
		return StartEvaluationOutput{}, "", apperr.New(apperr.Invalid, "numberOfWorkers and timeoutMinutes must be positive, or 0 for Glue's defaults")
	}
	req := &glue.StartDataQualityRulesetEvaluationRunInput{
		DataSource:   &types.DataSource{GlueTable: &types.GlueTable{DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table)}},
		Role:         aws.String(in.Role),
		RulesetNames: names,
	}
	if in.NumberOfWorkers > 0 {
		req.NumberOfWorkers = aws.Int32(int32(in.NumberOfWorkers))
	}
	if in.TimeoutMinutes > 0 {
		req.Timeout = aws.Int32(int32(in.TimeoutMinutes))
	}
	res, err := c.glue().StartDataQualityRulesetEvaluationRun(ctx, req)
	if err != nil {
		return StartEvaluationOutput{}, "", awsErr(err, fmt.Sprintf("starting a data quality evaluation of %s.%s", in.Database, in.Table))
	}
	out := StartEvaluationOutput{RunID: aws.ToString(res.RunId)}
	return out, fmt.Sprintf("started evaluation run %s; poll it with glue_get_data_quality_result runId=%s", out.RunID, out.RunID), nil
}

// UpdateStatsInput is glue_write_column_statistics' arguments for action update.
type UpdateStatsInput struct {
	GlueTableRef
	Statistics []ColumnStats `json:"statistics" jsonschema:"one entry per column (at most 25): column, columnType, type and the fields of that type"`
}

// StatsWriteOutput says what a statistics write did.
type StatsWriteOutput struct {
	Columns []string      `json:"columns" jsonschema:"columns written"`
	Errors  []ColumnError `json:"errors,omitempty" jsonschema:"columns Glue refused"`
}

// glueStatsPerUpdate is UpdateColumnStatisticsForTable's limit.
const glueStatsPerUpdate = 25

func glueUpdateColumnStatistics(ctx context.Context, c *liveConn, in UpdateStatsInput) (StatsWriteOutput, string, error) {
	out := StatsWriteOutput{Columns: []string{}}
	if err := in.check(); err != nil {
		return out, "", err
	}
	if len(in.Statistics) == 0 || len(in.Statistics) > glueStatsPerUpdate {
		return out, "", apperr.New(apperr.Invalid, "statistics: give 1 to %d columns (got %d)", glueStatsPerUpdate, len(in.Statistics))
	}
	list := make([]types.ColumnStatistics, len(in.Statistics))
	for i, s := range in.Statistics {
		cs, err := statsInput(s)
		if err != nil {
			return out, "", apperr.Wrap(apperr.Invalid, err, "statistics[%d] (column %q)", i, s.Column)
		}
		list[i] = cs
	}
	res, err := c.glue().UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{
		DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table), ColumnStatisticsList: list})
	if err != nil {
		return out, "", awsErr(err, fmt.Sprintf("updating column statistics of %s.%s", in.Database, in.Table))
	}
	failed := map[string]bool{}
	for _, e := range res.Errors {
		name := ""
		if e.ColumnStatistics != nil {
			name = aws.ToString(e.ColumnStatistics.ColumnName)
		}
		msg := ""
		if e.Error != nil {
			msg = aws.ToString(e.Error.ErrorCode) + ": " + aws.ToString(e.Error.ErrorMessage)
		}
		failed[name] = true
		out.Errors = append(out.Errors, ColumnError{Column: name, Message: clipped(msg, descriptionClip)})
	}
	for _, s := range in.Statistics {
		if !failed[s.Column] {
			out.Columns = append(out.Columns, s.Column)
		}
	}
	text := fmt.Sprintf("updated statistics of %s.%s: %s", in.Database, in.Table, strings.Join(out.Columns, ", "))
	for _, e := range out.Errors {
		text += fmt.Sprintf("\nfailed %s: %s", e.Column, e.Message)
	}
	return out, text, nil
}

// statsInput builds Glue's typed statistics from the flat form.
func statsInput(s ColumnStats) (types.ColumnStatistics, error) {
	if s.Column == "" || s.ColumnType == "" {
		return types.ColumnStatistics{}, fmt.Errorf("column and columnType are required")
	}
	at := time.Now().UTC()
	if s.AnalyzedTime != nil {
		at = *s.AnalyzedTime
	}
	n := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	f := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	typ := types.ColumnStatisticsType(strings.ToUpper(s.Type))
	d := &types.ColumnStatisticsData{Type: typ}
	var err error
	switch typ {
	case types.ColumnStatisticsTypeBoolean:
		d.BooleanColumnStatisticsData = &types.BooleanColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfTrues: n(s.NumberOfTrues), NumberOfFalses: n(s.NumberOfFalses)}
	case types.ColumnStatisticsTypeLong:
		x := &types.LongColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfDistinctValues: n(s.NumberOfDistinctValues)}
		if x.MinimumValue, err = parseOptInt(s.Minimum, "minimum"); err == nil {
			x.MaximumValue, err = parseOptInt(s.Maximum, "maximum")
		}
		d.LongColumnStatisticsData = x
	case types.ColumnStatisticsTypeDouble:
		x := &types.DoubleColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfDistinctValues: n(s.NumberOfDistinctValues)}
		if x.MinimumValue, err = parseOptFloat(s.Minimum, "minimum"); err == nil {
			x.MaximumValue, err = parseOptFloat(s.Maximum, "maximum")
		}
		d.DoubleColumnStatisticsData = x
	case types.ColumnStatisticsTypeDecimal:
		x := &types.DecimalColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfDistinctValues: n(s.NumberOfDistinctValues)}
		if s.Minimum != "" {
			x.MinimumValue, err = parseDecimal(s.Minimum)
		}
		if err == nil && s.Maximum != "" {
			x.MaximumValue, err = parseDecimal(s.Maximum)
		}
		d.DecimalColumnStatisticsData = x
	case types.ColumnStatisticsTypeDate:
		x := &types.DateColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfDistinctValues: n(s.NumberOfDistinctValues)}
		if x.MinimumValue, err = parseOptTime(s.Minimum, "minimum"); err == nil {
			x.MaximumValue, err = parseOptTime(s.Maximum, "maximum")
		}
		d.DateColumnStatisticsData = x
	case types.ColumnStatisticsTypeString:
		d.StringColumnStatisticsData = &types.StringColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), NumberOfDistinctValues: n(s.NumberOfDistinctValues),
			MaximumLength: n(s.MaximumLength), AverageLength: f(s.AverageLength)}
	case types.ColumnStatisticsTypeBinary:
		d.BinaryColumnStatisticsData = &types.BinaryColumnStatisticsData{NumberOfNulls: n(s.NumberOfNulls), MaximumLength: n(s.MaximumLength), AverageLength: f(s.AverageLength)}
	default:
		return types.ColumnStatistics{}, fmt.Errorf("type %q: use BOOLEAN, DATE, DECIMAL, DOUBLE, LONG, STRING or BINARY", s.Type)
	}
	if err != nil {
		return types.ColumnStatistics{}, err
	}
	return types.ColumnStatistics{ColumnName: aws.String(s.Column), ColumnType: aws.String(s.ColumnType), AnalyzedTime: &at, StatisticsData: d}, nil
}

func parseOptInt(s, name string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not an integer", name, s)
	}
	return v, nil
}

func parseOptFloat(s, name string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", name, s)
	}
	return v, nil
}

func parseOptTime(s, name string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%s %q is not a date (2025-01-31) or RFC 3339 time", name, s)
}

// DeleteStatsInput is glue_write_column_statistics' arguments for action delete.
type DeleteStatsInput struct {
	GlueTableRef
	Column string `json:"column" jsonschema:"the column whose statistics to delete"`
}

func glueDeleteColumnStatistics(ctx context.Context, c *liveConn, in DeleteStatsInput) (StatsWriteOutput, string, error) {
	if err := in.check(); err != nil {
		return StatsWriteOutput{}, "", err
	}
	if strings.TrimSpace(in.Column) == "" {
		return StatsWriteOutput{}, "", apperr.New(apperr.Invalid, "column is required")
	}
	if _, err := c.glue().DeleteColumnStatisticsForTable(ctx, &glue.DeleteColumnStatisticsForTableInput{
		DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table), ColumnName: aws.String(in.Column)}); err != nil {
		return StatsWriteOutput{}, "", awsErr(err, fmt.Sprintf("deleting statistics of column %q of %s.%s", in.Column, in.Database, in.Table))
	}
	return StatsWriteOutput{Columns: []string{in.Column}}, fmt.Sprintf("deleted statistics of %s.%s.%s", in.Database, in.Table, in.Column), nil
}
