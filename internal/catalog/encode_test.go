package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// legacyContentHash is ContentHash as every stored hash was computed: a
// change to the encoding would make a whole catalog look updated on the
// next scan.
func legacyContentHash(e *Entity) string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode([]any{e.Kind, e.ParentFQN, e.Name, e.Description, e.Attrs, timeOrNil(e.SourceCreated), timeOrNil(e.SourceUpdated)})
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func TestEncodeKeepsTheStoredHashes(t *testing.T) {
	at := time.Date(2026, 12, 6, 5, 4, 3, 2, time.FixedZone("x", 3600))
	entities := []Entity{
		{FQN: "s.d.t", Kind: KindTable},
		{FQN: "s.d.t", Kind: KindTable, Attrs: map[string]any{}},
		{FQN: "s.d.t", Kind: KindTable, ParentFQN: "s.d", Name: "t", Description: "<b>&amp;</b> \u2028 ünïcödé \xff",
			Attrs:         map[string]any{"z": 1, "a": []any{"x<y", 2.5, true, nil}, "m": map[string]any{"k": "v&w", "n": int64(math.MaxInt64)}},
			SourceCreated: &at, SourceUpdated: &at},
		{FQN: "s.b.o", Kind: KindObject, Name: "dir/file.csv", Attrs: map[string]any{"key": "dir/file.csv", "size": int64(12)}, SourceUpdated: &at},
	}
	for i := range entities {
		e := &entities[i]
		want := legacyContentHash(e)
		if got := e.ContentHash(); got != want {
			t.Errorf("entity %d: ContentHash %s, stored hashes are %s", i, got, want)
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatalf("entity %d: %v", i, err)
		}
		if enc.Hash != want {
			t.Errorf("entity %d: Encode hash %s, stored hashes are %s", i, enc.Hash, want)
		}
		wantAttrs := "{}"
		if len(e.Attrs) > 0 {
			b, _ := json.Marshal(e.Attrs)
			wantAttrs = string(b)
		}
		if enc.Attrs != wantAttrs {
			t.Errorf("entity %d: attributes %s, want %s", i, enc.Attrs, wantAttrs)
		}
	}
}

func TestEncodeRefusesAttributesJSONCannotHold(t *testing.T) {
	e := Entity{FQN: "s.d.t", Kind: KindTable, Attrs: map[string]any{"rows": math.NaN()}}
	if _, err := e.Encode(); err == nil {
		t.Fatal("NaN attribute encoded")
	}
	if got, want := e.ContentHash(), legacyContentHash(&e); got != want {
		t.Errorf("ContentHash %s, was %s", got, want)
	}
}

// TestSealEncodesOnce: a sealed entity encodes, and hashes, as it did
// with its attributes, which it no longer holds (but a query, whose text
// the search indexes read); one that cannot be written is left as it was.
func TestSealEncodesOnce(t *testing.T) {
	at := time.Date(2026, 12, 6, 5, 4, 3, 2, time.UTC)
	for _, e := range []Entity{
		{FQN: "s.d.t.p=1", Kind: KindPartition, Attrs: map[string]any{"values": []any{"1"}, "location": "s3://b/p=1/<&>"}, SourceCreated: &at},
		{FQN: "s.b.o", Kind: KindObject},
		{FQN: "s.wg.q1", Kind: KindQuery, Attrs: map[string]any{"query": "SELECT 1", "workgroup": "wg"}},
	} {
		want := e
		if err := want.Prepare(); err != nil {
			t.Fatal(err)
		}
		wantEnc, err := want.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Seal(); err != nil {
			t.Fatalf("seal %s: %v", e.FQN, err)
		}
		if e.Name != want.Name || e.ParentFQN != want.ParentFQN || e.Service != want.Service {
			t.Errorf("sealed %s unprepared: %+v", e.FQN, e)
		}
		if err := e.Prepare(); err != nil || e.Name != want.Name || e.ParentFQN != want.ParentFQN {
			t.Errorf("sealed %s prepared again: %v, %+v", e.FQN, err, e)
		}
		if got, err := e.Encode(); err != nil || got != wantEnc {
			t.Errorf("sealed %s encodes %+v, %v; want %+v", e.FQN, got, err, wantEnc)
		}
		if got := e.ContentHash(); got != wantEnc.Hash {
			t.Errorf("sealed %s hashes %s, want %s", e.FQN, got, wantEnc.Hash)
		}
		if keep := e.Kind == KindQuery; (e.Attrs != nil) != keep {
			t.Errorf("sealed %s %s: attributes %v", e.Kind, e.FQN, e.Attrs)
		}
	}
	for _, bad := range []Entity{
		{FQN: "", Kind: KindPartition, Attrs: map[string]any{"a": 1}},
		{FQN: "s.d.t.p", Kind: KindPartition, Attrs: map[string]any{"rows": math.NaN()}},
	} {
		if err := bad.Seal(); err == nil {
			t.Errorf("%+v sealed", bad)
		}
		if bad.Attrs == nil {
			t.Errorf("%q lost its attributes to a failed seal", bad.FQN)
		}
		if bad.sealed.Hash != "" {
			t.Errorf("%q sealed by a failed seal", bad.FQN)
		}
	}
}

func TestPrepareFillsWhatTheFQNImplies(t *testing.T) {
	e := Entity{FQN: "svc.db.tbl", Kind: KindTable}
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	if e.Name != "tbl" || e.Service != "svc" || e.ParentFQN != "svc.db" {
		t.Errorf("prepared %+v", e)
	}
	for _, bad := range []Entity{{FQN: "", Kind: KindTable}, {FQN: "svc.db", Kind: "nonsense"}} {
		if err := bad.Prepare(); err == nil {
			t.Errorf("%+v prepared", bad)
		}
	}
}
