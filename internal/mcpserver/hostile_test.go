package mcpserver

import (
	"strings"
	"testing"
	"time"
)

// Issue 15, finding 3: a huge FQN or search is refused at once, over the
// HTTP transport a client would use, and the tool call says why.
func TestHostileInputIsCheap(t *testing.T) {
	e := newCatalogEnv(t)
	cs := connectHTTP(t, e, Scope{Name: "test"})
	longFQN := strings.Repeat("a.", 60000) + "a"
	manyParts := "prod.sales." + strings.Repeat("x.", 200) + "x"
	for _, tc := range []struct {
		name, tool string
		args       map[string]any
		want       []string
	}{
		{"get_entity, 60,000 parts", "get_entity", map[string]any{"fqn": longFQN}, []string{"fqn is not a valid FQN", "bytes long; at most 8192"}},
		{"get_entity, 203 short parts", "get_entity", map[string]any{"fqn": manyParts}, []string{"has 203 parts; at most 128"}},
		{"search_catalog, 100,000 words", "search_catalog", map[string]any{"query": strings.Repeat("orders ", 100000)}, []string{"at most 1024 are allowed"}},
		{"search_catalog, 40 words", "search_catalog", map[string]any{"query": strings.Repeat("orders ", 40)}, []string{"has 40 words; at most 32"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := call(t, cs, tc.tool, tc.args, nil)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s took %v", tc.tool, d)
			}
			wantToolError(t, res, tc.want...)
			if n := len(text(res)); n > 2000 {
				t.Errorf("the error is %d bytes: it must not echo the input", n)
			}
		})
	}
	// A long miss walks only a few ancestors for suggestions.
	deep := "prod.sales.orders." + strings.Repeat("nope.", 100) + "nope"
	start := time.Now()
	res := call(t, cs, "get_entity", map[string]any{"fqn": deep}, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a deep miss took %v", d)
	}
	wantToolError(t, res, "no entity")
}
