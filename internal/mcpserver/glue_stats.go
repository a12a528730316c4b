package mcpserver

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// GlueTableRef names one Glue table of a connection.
type GlueTableRef struct {
	Conn
	Database string `json:"database" jsonschema:"Glue database name (not an FQN)"`
	Table    string `json:"table" jsonschema:"Glue table name (not an FQN)"`
}

func (r GlueTableRef) check() error {
	if strings.TrimSpace(r.Database) == "" || strings.TrimSpace(r.Table) == "" {
		return apperr.New(apperr.Invalid, "database and table are required: the Glue names, e.g. database sales, table orders")
	}
	return nil
}

// glueColumnsPerCall is GetColumnStatisticsForTable's limit on names.
const glueColumnsPerCall = 100

// ColumnStats is one column's statistics, flattened over Glue's per-type
// shapes: only the fields of its type are set.
type ColumnStats struct {
	Column                 string     `json:"column"`
	ColumnType             string     `json:"columnType,omitempty" jsonschema:"the column's data type, e.g. bigint, string"`
	Type                   string     `json:"type" jsonschema:"statistics type: BOOLEAN, DATE, DECIMAL, DOUBLE, LONG, STRING or BINARY"`
	AnalyzedTime           *time.Time `json:"analyzedTime,omitempty"`
	NumberOfNulls          *int64     `json:"numberOfNulls,omitempty"`
	NumberOfDistinctValues *int64     `json:"numberOfDistinctValues,omitempty"`
	Minimum                string     `json:"minimum,omitempty" jsonschema:"lowest value (LONG, DOUBLE, DECIMAL, DATE as RFC 3339)"`
	Maximum                string     `json:"maximum,omitempty" jsonschema:"highest value (LONG, DOUBLE, DECIMAL, DATE as RFC 3339)"`
	MaximumLength          *int64     `json:"maximumLength,omitempty" jsonschema:"STRING and BINARY"`
	AverageLength          *float64   `json:"averageLength,omitempty" jsonschema:"STRING and BINARY"`
	NumberOfTrues          *int64     `json:"numberOfTrues,omitempty" jsonschema:"BOOLEAN"`
	NumberOfFalses         *int64     `json:"numberOfFalses,omitempty" jsonschema:"BOOLEAN"`
}

// ColumnStatsInput is glue_get_column_statistics' arguments.
type ColumnStatsInput struct {
	GlueTableRef
	Columns []string `json:"columns,omitempty" jsonschema:"column names; default the table's columns from the catalog (first 100)"`
}

// ColumnStatsOutput is glue_get_column_statistics' result.
type ColumnStatsOutput struct {
	Statistics []ColumnStats `json:"statistics"`
	Errors     []ColumnError `json:"errors,omitempty" jsonschema:"columns Glue could not return statistics for"`
	Truncated  bool          `json:"truncated" jsonschema:"true when the table has more columns than were asked"`
	Missing    []string      `json:"missing,omitempty" jsonschema:"asked columns without statistics"`
}

// ColumnError is one column Glue refused.
type ColumnError struct {
	Column  string `json:"column"`
	Message string `json:"message"`
}

func glueGetColumnStatistics(ctx context.Context, c *liveConn, in ColumnStatsInput) (ColumnStatsOutput, string, error) {
	out := ColumnStatsOutput{Statistics: []ColumnStats{}}
	if err := in.check(); err != nil {
		return out, "", err
	}
	cols := nonEmpty(in.Columns)
	if len(cols) == 0 {
		fqn := catalog.JoinFQN(c.name, in.Database, in.Table)
		entities, _, err := c.s.columns(ctx, fqn)
		if err != nil {
			return out, "", err
		}
		if len(entities) == 0 {
			return out, "", apperr.New(apperr.Invalid, "the catalog knows no columns of %s: name the columns, or scan the connection first", fqn)
		}
		for _, e := range entities {
			cols = append(cols, e.Name)
		}
	}
	if len(cols) > glueColumnsPerCall {
		cols, out.Truncated = cols[:glueColumnsPerCall], true
	}
	res, err := c.glue().GetColumnStatisticsForTable(ctx, &glue.GetColumnStatisticsForTableInput{
		DatabaseName: aws.String(in.Database), TableName: aws.String(in.Table), ColumnNames: cols,
	})
	if err != nil {
		return out, "", awsErr(err, fmt.Sprintf("reading column statistics of %s.%s", in.Database, in.Table))
	}
	seen := map[string]bool{}
	for _, s := range res.ColumnStatisticsList {
		v := statsView(s)
		seen[v.Column] = true
		out.Statistics = append(out.Statistics, v)
	}
	for _, e := range res.Errors {
		name := aws.ToString(e.ColumnName)
		seen[name] = true
		msg := ""
		if e.Error != nil {
			msg = aws.ToString(e.Error.ErrorCode) + ": " + aws.ToString(e.Error.ErrorMessage)
		}
		out.Errors = append(out.Errors, ColumnError{Column: name, Message: clipped(msg, descriptionClip)})
	}
	for _, col := range cols {
		if !seen[col] {
			out.Missing = append(out.Missing, col)
		}
	}
	t := newText(answerTextBudget * 2)
	t.line("column statistics of %s.%s (%d columns)", in.Database, in.Table, len(out.Statistics))
	for _, s := range out.Statistics {
		t.line("- %s", renderStats(s))
	}
	for _, e := range out.Errors {
		t.line("- %s: error %s", e.Column, e.Message)
	}
	if len(out.Missing) > 0 {
		t.line("no statistics: %s", strings.Join(out.Missing, ", "))
	}
	if out.Truncated {
		t.line("truncated: only the first %d columns were asked; name the others in columns", glueColumnsPerCall)
	}
	return out, t.String(), nil
}

func renderStats(s ColumnStats) string {
	parts := []string{s.Column, s.Type}
	add := func(name string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", name, v)) }
	if s.NumberOfNulls != nil {
		add("nulls", *s.NumberOfNulls)
	}
	if s.NumberOfDistinctValues != nil {
		add("distinct", *s.NumberOfDistinctValues)
	}
	if s.Minimum != "" || s.Maximum != "" {
		add("range", s.Minimum+".."+s.Maximum)
	}
	if s.MaximumLength != nil {
		add("maxLength", *s.MaximumLength)
	}
	if s.AverageLength != nil {
		add("avgLength", *s.AverageLength)
	}
	if s.NumberOfTrues != nil {
		add("trues", *s.NumberOfTrues)
		add("falses", *s.NumberOfFalses)
	}
	return strings.Join(parts, " ")
}

func statsView(s types.ColumnStatistics) ColumnStats {
	v := ColumnStats{Column: aws.ToString(s.ColumnName), ColumnType: aws.ToString(s.ColumnType), AnalyzedTime: s.AnalyzedTime}
	d := s.StatisticsData
	if d == nil {
		return v
	}
	v.Type = string(d.Type)
	i64 := func(n int64) *int64 { return &n }
	switch {
	case d.BooleanColumnStatisticsData != nil:
		b := d.BooleanColumnStatisticsData
		v.NumberOfNulls, v.NumberOfTrues, v.NumberOfFalses = i64(b.NumberOfNulls), i64(b.NumberOfTrues), i64(b.NumberOfFalses)
	case d.DateColumnStatisticsData != nil:
		x := d.DateColumnStatisticsData
		v.NumberOfNulls, v.NumberOfDistinctValues = i64(x.NumberOfNulls), i64(x.NumberOfDistinctValues)
		v.Minimum, v.Maximum = timeString(x.MinimumValue), timeString(x.MaximumValue)
	case d.DecimalColumnStatisticsData != nil:
		x := d.DecimalColumnStatisticsData
		v.NumberOfNulls, v.NumberOfDistinctValues = i64(x.NumberOfNulls), i64(x.NumberOfDistinctValues)
		v.Minimum, v.Maximum = decimalString(x.MinimumValue), decimalString(x.MaximumValue)
	case d.DoubleColumnStatisticsData != nil:
		x := d.DoubleColumnStatisticsData
		v.NumberOfNulls, v.NumberOfDistinctValues = i64(x.NumberOfNulls), i64(x.NumberOfDistinctValues)
		v.Minimum, v.Maximum = strconv.FormatFloat(x.MinimumValue, 'g', -1, 64), strconv.FormatFloat(x.MaximumValue, 'g', -1, 64)
	case d.LongColumnStatisticsData != nil:
		x := d.LongColumnStatisticsData
		v.NumberOfNulls, v.NumberOfDistinctValues = i64(x.NumberOfNulls), i64(x.NumberOfDistinctValues)
		v.Minimum, v.Maximum = strconv.FormatInt(x.MinimumValue, 10), strconv.FormatInt(x.MaximumValue, 10)
	case d.StringColumnStatisticsData != nil:
		x := d.StringColumnStatisticsData
		v.NumberOfNulls, v.NumberOfDistinctValues = i64(x.NumberOfNulls), i64(x.NumberOfDistinctValues)
		v.MaximumLength, v.AverageLength = i64(x.MaximumLength), &x.AverageLength
	case d.BinaryColumnStatisticsData != nil:
		x := d.BinaryColumnStatisticsData
		v.NumberOfNulls = i64(x.NumberOfNulls)
		v.MaximumLength, v.AverageLength = i64(x.MaximumLength), &x.AverageLength
	}
	return v
}

func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// decimalString renders Glue's decimal: a big-endian two's complement
// unscaled value and a scale.
func decimalString(d *types.DecimalNumber) string {
	if d == nil {
		return ""
	}
	n := new(big.Int).SetBytes(d.UnscaledValue)
	if len(d.UnscaledValue) > 0 && d.UnscaledValue[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(d.UnscaledValue))))
	}
	r := new(big.Rat).SetFrac(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
	return r.FloatString(int(max(d.Scale, 0)))
}

// parseDecimal is decimalString's inverse.
func parseDecimal(s string) (*types.DecimalNumber, error) {
	s = strings.TrimSpace(s)
	scale := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	// Two's complement, big-endian, with room for the sign bit.
	size := n.BitLen()/8 + 1
	b := make([]byte, size)
	if n.Sign() >= 0 {
		n.FillBytes(b)
	} else {
		m := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(8*size)), n)
		m.FillBytes(b)
	}
	return &types.DecimalNumber{UnscaledValue: b, Scale: int32(scale)}, nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
