package catalog

import (
	"reflect"
	"slices"
	"testing"
	"time"
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

// FuzzContentHash: the hash of any entity is the one every stored hash was
// computed as (legacyContentHash), whatever its strings and attributes hold.
func FuzzContentHash(f *testing.F) {
	f.Add("orders", "<b>&amp;</b> \u2028 ünïcödé \xff", "s3://b/p=1/<&>", int64(12), true)
	f.Add("", "", "", int64(0), false)
	f.Fuzz(func(t *testing.T, name, description, value string, n int64, timed bool) {
		e := Entity{FQN: "s.d.t", Kind: KindTable, ParentFQN: "s.d", Name: name, Description: description,
			Attrs: map[string]any{value: []any{value, n, map[string]any{"v": value}}, "n": n}}
		if timed {
			at := time.Unix(0, n).UTC()
			e.SourceCreated, e.SourceUpdated = &at, &at
		}
		if got, want := e.ContentHash(), legacyContentHash(&e); got != want {
			t.Errorf("hash %s, stored hashes are %s", got, want)
		}
	})
}
