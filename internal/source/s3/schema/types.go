package schema

import (
	"strconv"
	"strings"
	"time"
)

// Scalar types text values are inferred as, from the narrowest.
const (
	TypeBoolean   = "boolean"
	TypeBigint    = "bigint"
	TypeDouble    = "double"
	TypeDate      = "date"
	TypeTimestamp = "timestamp"
	TypeString    = "string"
)

// Typer infers one type from many text values (a CSV column, a partition
// key's values). Empty values and nulls do not vote. The zero value is ready.
type Typer struct {
	seen                                    int
	notBool, notInt, notNum, notDate, notTS bool
}

// Add votes with one value.
func (t *Typer) Add(v string) {
	v = strings.TrimSpace(v)
	if v == "" || isNullText(v) {
		return
	}
	t.seen++
	if !t.notBool {
		switch strings.ToLower(v) {
		case "true", "false":
		default:
			t.notBool = true
		}
	}
	if !t.notInt {
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			t.notInt = true
		}
	}
	if !t.notNum {
		if f, err := strconv.ParseFloat(v, 64); err != nil || strings.ContainsAny(v, "xXpP_") || isSpecialFloat(v, f) {
			t.notNum = true
		}
	}
	if !t.notDate {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			t.notDate = true
		}
	}
	if !t.notTS && !isTimestamp(v) {
		t.notTS = true
	}
}

// Type is the narrowest type every value fits; string when no value voted.
func (t *Typer) Type() string {
	switch {
	case t.seen == 0:
		return TypeString
	case !t.notBool:
		return TypeBoolean
	case !t.notInt:
		return TypeBigint
	case !t.notNum:
		return TypeDouble
	case !t.notDate:
		return TypeDate
	case !t.notTS:
		return TypeTimestamp
	}
	return TypeString
}

// Seen is how many non-empty values voted.
func (t *Typer) Seen() int { return t.seen }

// ValueType is the type of a single text value.
func ValueType(v string) string {
	var t Typer
	t.Add(v)
	return t.Type()
}

func isNullText(v string) bool {
	switch strings.ToLower(v) {
	case "null", "nan", "n/a", "na", `\n`, "none", "__hive_default_partition__":
		return true
	}
	return false
}

// isSpecialFloat rejects words strconv accepts as floats ("inf",
// "infinity", "nan") that in data files are text.
func isSpecialFloat(v string, f float64) bool {
	c := v[0]
	if c == '+' || c == '-' {
		if len(v) == 1 {
			return true
		}
		c = v[1]
	}
	_ = f
	return !(c >= '0' && c <= '9' || c == '.')
}

var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
}

func isTimestamp(v string) bool {
	if len(v) < len("2006-01-02 15:04") {
		return false
	}
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return true
		}
	}
	return false
}
