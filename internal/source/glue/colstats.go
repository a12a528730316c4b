package glue

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// StatsColumnsPerCall is GetColumnStatisticsForTable's limit on column names.
const StatsColumnsPerCall = 100

// columnStats reads the statistics of t's data columns, keyed by column
// name, as the "statistics" attribute of each column entity. Columns
// without statistics are simply absent: most tables have none. Denial is
// reported once per scan and turns statistics off for the rest of it; other
// failures are warnings for this table; an endpoint without the operation,
// or a call outliving its deadline, turns statistics off like a denial. The
// error is only for cancellation.
func (r *run) columnStats(ctx context.Context, t *types.Table) (map[string]map[string]any, error) {
	if t.StorageDescriptor == nil || len(t.StorageDescriptor.Columns) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(t.StorageDescriptor.Columns))
	for _, c := range t.StorageDescriptor.Columns {
		names = append(names, aws.ToString(c.Name))
	}
	out := map[string]map[string]any{}
	for start := 0; start < len(names); start += StatsColumnsPerCall {
		stats, _ := r.s.optionals()
		if !stats.On() {
			return out, nil
		}
		callCtx, cancel := stats.Context(ctx)
		res, err := r.s.Client.GetColumnStatisticsForTable(callCtx, &glue.GetColumnStatisticsForTableInput{
			DatabaseName: t.DatabaseName, TableName: t.Name, CatalogId: r.tableCatalogID(t),
			ColumnNames: names[start:min(start+StatsColumnsPerCall, len(names))],
		})
		cancel()
		if err != nil {
			return out, r.statsError(ctx, t, err)
		}
		for _, cs := range res.ColumnStatisticsList {
			out[aws.ToString(cs.ColumnName)] = statsAttrs(cs)
		}
	}
	return out, nil
}

func (r *run) statsError(ctx context.Context, t *types.Table, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	classified := awsconn.Classify(err, fmt.Sprintf("reading Glue column statistics of table %s.%s", aws.ToString(t.DatabaseName), aws.ToString(t.Name)))
	if apperr.Is(classified, apperr.NotFound) {
		return nil
	}
	if stats, _ := r.s.optionals(); stats.TurnOffOn(ctx, r.sink, classified) {
		return nil
	}
	// Statistics are an enrichment: the table itself was listed.
	r.sink.Warn(ctx, source.Notice(classified))
	return nil
}

// statsDenied tells once that statistics are off after a denial. The vendor
// guide grants glue:GetColumnStatisticsForTable only with ReadWrite access,
// so on a ReadOnly connection the denial is expected and only logged; on a
// ReadWrite connection it is a misconfigured role and a scan warning.
func (s *Scanner) statsDenied(ctx context.Context, sink source.Sink, err error) {
	const hint = "column statistics are skipped for the rest of this scan; grant glue:GetColumnStatisticsForTable, or set includeColumnStatistics: false"
	if s.AccessLevel == catalog.ReadWrite {
		sink.Warn(ctx, source.Notice(fmt.Errorf("%w (%s)", err, hint)))
		return
	}
	if s.Logger != nil {
		s.Logger.Info("Glue column statistics denied on a ReadOnly connection, as the vendor guide's ReadOnly policy does; "+hint, "err", err)
	}
}

// statsAttrs flattens Glue's per-type statistics into one object; only the
// fields of the column's statistics type are set.
func statsAttrs(cs types.ColumnStatistics) map[string]any {
	out := map[string]any{}
	if cs.AnalyzedTime != nil {
		out["analyzedTime"] = cs.AnalyzedTime.UTC().Format(time.RFC3339)
	}
	d := cs.StatisticsData
	if d == nil {
		return out
	}
	out["type"] = string(d.Type)
	switch {
	case d.BooleanColumnStatisticsData != nil:
		b := d.BooleanColumnStatisticsData
		out["numberOfNulls"], out["numberOfTrues"], out["numberOfFalses"] = b.NumberOfNulls, b.NumberOfTrues, b.NumberOfFalses
	case d.DateColumnStatisticsData != nil:
		v := d.DateColumnStatisticsData
		out["numberOfNulls"], out["numberOfDistinctValues"] = v.NumberOfNulls, v.NumberOfDistinctValues
		if v.MinimumValue != nil {
			out["minimum"] = v.MinimumValue.UTC().Format(time.RFC3339)
		}
		if v.MaximumValue != nil {
			out["maximum"] = v.MaximumValue.UTC().Format(time.RFC3339)
		}
	case d.DecimalColumnStatisticsData != nil:
		v := d.DecimalColumnStatisticsData
		out["numberOfNulls"], out["numberOfDistinctValues"] = v.NumberOfNulls, v.NumberOfDistinctValues
		setString(out, "minimum", decimalString(v.MinimumValue))
		setString(out, "maximum", decimalString(v.MaximumValue))
	case d.DoubleColumnStatisticsData != nil:
		v := d.DoubleColumnStatisticsData
		out["numberOfNulls"], out["numberOfDistinctValues"] = v.NumberOfNulls, v.NumberOfDistinctValues
		out["minimum"], out["maximum"] = jsonNumber(v.MinimumValue), jsonNumber(v.MaximumValue)
	case d.LongColumnStatisticsData != nil:
		v := d.LongColumnStatisticsData
		out["numberOfNulls"], out["numberOfDistinctValues"] = v.NumberOfNulls, v.NumberOfDistinctValues
		out["minimum"], out["maximum"] = v.MinimumValue, v.MaximumValue
	case d.StringColumnStatisticsData != nil:
		v := d.StringColumnStatisticsData
		out["numberOfNulls"], out["numberOfDistinctValues"] = v.NumberOfNulls, v.NumberOfDistinctValues
		out["averageLength"], out["maximumLength"] = jsonNumber(v.AverageLength), v.MaximumLength
	case d.BinaryColumnStatisticsData != nil:
		v := d.BinaryColumnStatisticsData
		out["numberOfNulls"] = v.NumberOfNulls
		out["averageLength"], out["maximumLength"] = jsonNumber(v.AverageLength), v.MaximumLength
	}
	return out
}

// decimalString renders Glue's decimal: a big-endian two's-complement
// unscaled value and a scale.
func decimalString(d *types.DecimalNumber) string {
	if d == nil || len(d.UnscaledValue) == 0 {
		return ""
	}
	n := new(big.Int).SetBytes(d.UnscaledValue)
	if d.UnscaledValue[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(d.UnscaledValue))))
	}
	if d.Scale <= 0 {
		return n.String()
	}
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	scale := int(d.Scale)
	for len(digits) <= scale {
		digits = "0" + digits
	}
	s := digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	if neg {
		s = "-" + s
	}
	return s
}

// jsonNumber keeps NaN and infinities, which JSON cannot carry, as text.
func jsonNumber(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return f
}
