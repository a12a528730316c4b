package mcpserver

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Response budgets. An agent pays for every byte of a tool result, and a
// silently cut list gives wrong answers (OpenMetadata's MCP users hit both),
// so every result is sized on purpose: lists are cut to fit and say so with
// truncated, a total and a cursor. Sizes are bytes of JSON (structured
// content) and of text; at roughly four bytes a token, a default answer
// stays under about 4,000 tokens. One budget sizes every answer: an
// explicit limit larger than what fits pages (truncated, with a cursor)
// rather than overflowing, so no argument can blow an agent's context.
const (
	answerJSONBudget = 9_000
	answerTextBudget = 6_000

	// Single values (descriptions, attribute values, SQL, cells) are clipped
	// so one item can never eat a page.
	descriptionClip = 300
	valueClip       = 1_000
	longTextClip    = 8_000
)

// budget is the size allowance of one result.
type budget struct {
	json, text int
}

// answerBudget is the one size allowance of every tool answer.
func answerBudget() budget {
	return budget{json: answerJSONBudget, text: answerTextBudget}
}

// fitCount returns how many leading items fit in n bytes of JSON, at least
// one when there is any, so a page always makes progress.
func fitCount[T any](items []T, n int) int {
	used := 0
	for i, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return i
		}
		used += len(b) + 1
		if used > n && i > 0 {
			return i
		}
	}
	return len(items)
}

// limitArg validates a size argument of a tool that is not a catalog read
// (rows, bytes, depth) by the rule catalog reads follow: 0 means the
// default, negatives are refused, anything above max is clamped.
func limitArg(name string, n, def, max int) (limit int, explicit bool, err error) {
	return catalog.BoundLimit(name, n, def, max)
}

// clip shortens s to at most n bytes on a rune boundary and says whether it did.
func clip(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…", true
}

func clipped(s string, n int) string {
	out, _ := clip(s, n)
	return out
}

// clipAttrs shortens attribute values whose JSON exceeds n bytes; it returns
// the names of the attributes it shortened. Long objects become their JSON
// text, clipped, so the agent still sees their start.
func clipAttrs(attrs map[string]any, n int) (map[string]any, []string) {
	if len(attrs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(attrs))
	var cut []string
	for k, v := range attrs {
		b, err := json.Marshal(v)
		if err != nil || len(b) <= n {
			out[k] = v
			continue
		}
		if s, ok := v.(string); ok {
			out[k] = clipped(s, n)
		} else {
			out[k] = clipped(string(b), n)
		}
		cut = append(cut, k)
	}
	slices.Sort(cut)
	return out, cut
}

// cursor is the opaque paging state handed to agents. Token is the
// underlying API's page token (or an FQN, or an offset); Skip counts items
// of that page already returned, so a page cut to fit the budget resumes
// exactly where it stopped; Size pins the page size the skip refers to.
type cursor struct {
	Service string `json:"v,omitempty"`
	Token   string `json:"t,omitempty"`
	Skip    int    `json:"s,omitempty"`
	Size    int    `json:"z,omitempty"`
	Offset  int    `json:"o,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor argument; "" is the first page.
func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Skip < 0 || c.Offset < 0 || c.Size < 0 {
		return cursor{}, apperr.New(apperr.Invalid, "cursor %q is not one this server returned: pass back the cursor of the previous result unchanged, or omit it for the first page", clipped(s, 40))
	}
	return c, nil
}

// textOut builds a tool's compact text rendering within a byte budget. Once
// the budget is spent it drops further lines and says how many.
type textOut struct {
	b       strings.Builder
	limit   int
	dropped int
}

func newText(limit int) *textOut { return &textOut{limit: limit} }

func (t *textOut) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if t.dropped > 0 || t.b.Len()+len(s)+1 > t.limit {
		t.dropped++
		return
	}
	t.b.WriteString(s)
	t.b.WriteByte('\n')
}

func (t *textOut) String() string {
	if t.dropped > 0 {
		return t.b.String() + fmt.Sprintf("… %d more lines not shown here; the structured result has them\n", t.dropped)
	}
	return t.b.String()
}

// pageNote renders the paging footer of a list.
func pageNote(t *textOut, shown, total int, totalKnown bool, next string) {
	switch {
	case next != "" && totalKnown:
		t.line("truncated: showing %d of %d; next cursor: %s", shown, total, next)
	case next != "":
		t.line("truncated: showing %d, more exist; next cursor: %s", shown, next)
	case totalKnown:
		t.line("complete: %d of %d", shown, total)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
