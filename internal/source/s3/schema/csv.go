package schema

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// separators are tried, in this order, when the separator is not given.
var separators = []rune{',', '\t', ';', '|'}

// inferCSV reads delimited text. truncated means data stops mid-file, so
// its last line may be cut and is dropped.
func inferCSV(data []byte, truncated bool, sep string, maxRows int) ([]Column, error) {
	if !utf8.Valid(data[:min(len(data), 4096)]) && !utf8.Valid(trimToRune(data[:min(len(data), 4096)])) {
		return nil, errors.New("not text: the first bytes are not UTF-8")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if truncated {
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			data = data[:i+1]
		}
	}
	var comma rune
	switch {
	case sep == "":
		comma = sniffSeparator(data)
	case utf8.RuneCountInString(sep) == 1:
		comma, _ = utf8.DecodeRuneInString(sep)
	case sep == `\t`:
		comma = '\t'
	default:
		return nil, fmt.Errorf("separator %q must be one character", sep)
	}
	rows, err := readRows(data, comma, maxRows+1)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no complete row in the sampled bytes")
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	if width > MaxColumns {
		return nil, fmt.Errorf("%d columns: more than the %d lakemap reads", width, MaxColumns)
	}
	header := hasHeader(rows)
	body := rows
	if header {
		body = rows[1:]
	}
	typers := make([]Typer, width)
	for _, r := range body {
		for i, v := range r {
			typers[i].Add(v)
		}
	}
	cols := make([]Column, width)
	for i := range cols {
		if header && i < len(rows[0]) {
			cols[i].Name = rows[0][i]
		} else {
			cols[i].Name = fmt.Sprintf("col_%d", i)
		}
		cols[i].Type = typers[i].Type()
	}
	return cols, nil
}

func trimToRune(b []byte) []byte {
	// A prefix read may cut a multi-byte rune at its end.
	for i := 0; i < 3 && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			break
		}
		b = b[:len(b)-1]
	}
	return b
}

func readRows(data []byte, comma rune, limit int) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	var rows [][]string
	for len(rows) < limit {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(rows) > 0 {
				// A broken row after good ones: infer from the good ones.
				break
			}
			return nil, fmt.Errorf("reading delimited text: %w", err)
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

// sniffSeparator picks the candidate that splits the first lines into the
// same number of fields, more than one, most often.
func sniffSeparator(data []byte) rune {
	lines := bytes.Split(data[:min(len(data), 64<<10)], []byte("\n"))
	if len(lines) > 20 {
		lines = lines[:20]
	}
	best, bestScore := ',', 0
	for _, c := range separators {
		counts := map[int]int{}
		for _, l := range lines {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			counts[bytes.Count(l, []byte(string(c)))]++
		}
		for n, times := range counts {
			if n > 0 && times*(n+1) > bestScore {
				best, bestScore = c, times*(n+1)
			}
		}
	}
	return best
}

// hasHeader guesses whether the first row names the columns, as Python's
// csv.Sniffer does: a column whose values are typed (numbers, dates,
// booleans) but whose first cell is not says header; without typed
// columns, a first row of distinct non-empty cells none of which recurs
// in its column below says header.
func hasHeader(rows [][]string) bool {
	if len(rows) < 2 {
		// One row alone: a header when every cell is a non-numeric word.
		for _, v := range rows[0] {
			if v == "" || ValueType(v) != TypeString {
				return false
			}
		}
		return true
	}
	first, body := rows[0], rows[1:]
	votes := 0
	for i, h := range first {
		var t Typer
		for _, r := range body {
			if i < len(r) {
				t.Add(r[i])
			}
		}
		if t.Seen() == 0 {
			continue
		}
		if typ := t.Type(); typ != TypeString {
			if ValueType(h) == typ {
				votes--
			} else {
				votes++
			}
		}
	}
	if votes != 0 {
		return votes > 0
	}
	seen := map[string]bool{}
	for i, h := range first {
		if h == "" || seen[h] {
			return false
		}
		seen[h] = true
		for _, r := range body {
			if i < len(r) && r[i] == h {
				return false
			}
		}
	}
	return true
}
