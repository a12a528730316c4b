package catalog

import (
	"reflect"
	"slices"
	"testing"
)

// FuzzSplitFQN: parsing never panics, stays within the limits, and what it
// accepts joins back into an FQN that parses to the same parts.
func FuzzSplitFQN(f *testing.F) {
	for _, s := range []string{
		"svc.db.orders", `svc.db."orders.v2"`, `svc.db."say ""hi"""`, `"svc"."db".orders`,
		`svc."dt=2024-01-01/region=eu"`, "grand_livre_été.日本語", `a."`, `a.."b"`, `"a"b`, ".", `""`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, fqn string) {
		parts, err := SplitFQN(fqn)
		if err != nil {
			return
		}
		if len(parts) == 0 || len(parts) > MaxFQNParts {
			t.Fatalf("SplitFQN(%q) = %d parts", fqn, len(parts))
		}
		if slices.Contains(parts, "") {
			// A quoted empty part ("") is accepted but JoinFQN writes it
			// as nothing: no round trip to check.
			return
		}
		joined := JoinFQN(parts...)
		again, err := SplitFQN(joined)
		if err != nil || !reflect.DeepEqual(again, parts) {
			t.Fatalf("SplitFQN(JoinFQN(%q)) = %q, %v", parts, again, err)
		}
		if norm, err := NormalizeFQN(joined); err != nil || norm != joined {
			t.Fatalf("NormalizeFQN(%s) = %s, %v", joined, norm, err)
		}
	})
}
