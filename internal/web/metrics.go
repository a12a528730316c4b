package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// chart is a small line chart of one metric: CloudWatch's daily values of
// the last two weeks as the newest scan read them (the "metricsDaily"
// attribute), or, for an entity scanned before lakemap read those, the
// values its scans stored, from its history.
type chart struct {
	ID, Title string
	Points    string // the polyline's "x,y x,y ..."
	Dots      []dot
	Low, High string // the axis' labels
	From, To  string
}

type dot struct {
	X, Y  int
	Label string // "2024-05-01: 5.0 GiB"
}

const (
	chartW, chartH = 320, 90
	chartPad       = 6
)

// metricCharts draws the size and object-count charts of an entity from
// its daily metrics, else its history (newest first). A metric with fewer
// than two values has no chart: the facts list shows its value.
func metricCharts(attrs map[string]any, history []catalog.Change) []chart {
	var out []chart
	for _, m := range []struct {
		attr, id, title string
		format          func(any) string
	}{
		{"sizeBytes", "chart-size", "Size", humanBytes},
		{"objectCount", "chart-objects", "Objects", str},
	} {
		pts := dailyPoints(attrs, m.attr)
		if len(pts) < 2 {
			pts = historyPoints(history, m.attr)
		}
		if c, ok := drawChart(pts, m.format); ok {
			c.ID, c.Title = m.id, m.title
			out = append(out, c)
		}
	}
	return out
}

type point struct {
	at time.Time
	v  float64
}

// dailyPoints reads one metric from the "metricsDaily" attribute, a list of
// {"day": "2006-01-02", attr: number}; malformed entries are skipped.
func dailyPoints(attrs map[string]any, attr string) []point {
	days, _ := attrs["metricsDaily"].([]any)
	var pts []point
	for _, d := range days {
		m, _ := d.(map[string]any)
		day, _ := m["day"].(string)
		at, err := time.Parse(time.DateOnly, day)
		if err != nil {
			continue
		}
		if v, ok := number(m[attr]); ok {
			pts = append(pts, point{at, v})
		}
	}
	return pts
}

// historyPoints reads one metric from the values the entity's scans
// stored.
func historyPoints(history []catalog.Change, attr string) []point {
	// Every point is at a scan's time: the value each scan read (a
	// change's new value), and the value the first of those replaced at
	// the scan that added the entity, when the history reaches back to it.
	var pts []point
	var added time.Time
	var first *point
	for _, c := range history { // newest first
		if c.Type == catalog.ChangeAdded || c.Type == catalog.ChangeRestored {
			added = c.At
		}
		for _, f := range c.Fields {
			if f.Field != "attributes."+attr {
				continue
			}
			if v, ok := number(f.New); ok {
				pts = append(pts, point{c.At, v})
			}
			if v, ok := number(f.Old); ok {
				first = &point{v: v}
			}
		}
	}
	if first != nil && !added.IsZero() {
		first.at = added
		pts = append(pts, *first)
	}
	return pts
}

// drawChart scales the points into the chart's box.
func drawChart(pts []point, format func(any) string) (chart, bool) {
	if len(pts) < 2 {
		return chart{}, false
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].at.Before(pts[j].at) })
	lo, hi := pts[0].v, pts[0].v
	for _, p := range pts {
		lo, hi = min(lo, p.v), max(hi, p.v)
	}
	t0, t1 := pts[0].at, pts[len(pts)-1].at
	c := chart{Low: format(int64(lo)), High: format(int64(hi)), From: t0.UTC().Format("2006-01-02"), To: t1.UTC().Format("2006-01-02")}
	var b strings.Builder
	for i, p := range pts {
		x := chartPad
		if span := t1.Sub(t0); span > 0 {
			x += int(float64(chartW-2*chartPad) * float64(p.at.Sub(t0)) / float64(span))
		} else {
			x += (chartW - 2*chartPad) * i / (len(pts) - 1)
		}
		y := chartH / 2
		if hi > lo {
			y = chartH - chartPad - int(float64(chartH-2*chartPad)*(p.v-lo)/(hi-lo))
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d,%d", x, y)
		c.Dots = append(c.Dots, dot{X: x, Y: y, Label: p.at.UTC().Format("2006-01-02 15:04") + ": " + format(int64(p.v))})
	}
	c.Points = b.String()
	return c, true
}

// number reads a JSON number (or a decimal string) as a float.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
