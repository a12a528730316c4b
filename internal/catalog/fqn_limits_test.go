package catalog

import (
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Issue 15, finding 3: a hostile FQN is refused before it costs work in
// proportion to its size, with a short message.
func TestSplitFQNLimits(t *testing.T) {
	for _, tc := range []struct {
		name, fqn string
		want      string // "" means accepted
	}{
		{name: "60,000 parts", fqn: strings.Repeat("a.", 60000) + "a", want: "is 120001 bytes long; at most 8192 are allowed"},
		{name: "200 parts", fqn: strings.Repeat("a.", 199) + "a", want: "has 200 parts; at most 128 are allowed"},
		{name: "one part too many", fqn: strings.Repeat("a.", MaxFQNParts) + "a", want: "has 129 parts"},
		{name: "the most parts", fqn: strings.Repeat("a.", MaxFQNParts-1) + "a"},
		{name: "too long", fqn: "svc.db." + strings.Repeat("x", MaxFQNBytes), want: "bytes long; at most 8192 are allowed"},
		{name: "dots inside quotes are not parts", fqn: `svc."` + strings.Repeat("a.", 1000) + `"`},
		{name: "the longest", fqn: "svc." + strings.Repeat("x", MaxFQNBytes-4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			parts, err := SplitFQN(tc.fqn)
			if d := time.Since(start); d > time.Second {
				t.Errorf("SplitFQN took %v", d)
			}
			if tc.want == "" {
				if err != nil || len(parts) == 0 {
					t.Fatalf("SplitFQN = %d parts, %v", len(parts), err)
				}
				return
			}
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("SplitFQN = %v (kind %v), want Invalid with %q", err, apperr.KindOf(err), tc.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes long; it should quote only the FQN's start", len(err.Error()))
			}
			if _, nerr := NormalizeFQN(tc.fqn); !apperr.Is(nerr, apperr.Invalid) {
				t.Errorf("NormalizeFQN = %v, want Invalid", nerr)
			}
		})
	}
}
