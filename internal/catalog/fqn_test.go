package catalog

import (
	"reflect"
	"strings"
	"testing"
)

func TestFQNRoundTrip(t *testing.T) {
	for _, parts := range [][]string{
		{"svc", "db", "orders"},
		{"svc", "db", "orders.v2"},
		{"svc", "db", `say "hi"`},
		{"svc", "db", `a."b".c`},
		{"svc", "grand_livre_été", "日本語", "🙂"},
		{"svc", "dt=2024-01-01/region=eu"},
		{`"`, `""`, "."},
	} {
		fqn := JoinFQN(parts...)
		got, err := SplitFQN(fqn)
		if err != nil || !reflect.DeepEqual(got, parts) {
			t.Errorf("SplitFQN(JoinFQN(%q)) = %q, %v (fqn %s)", parts, got, err, fqn)
		}
		if norm, err := NormalizeFQN(fqn); err != nil || norm != fqn {
			t.Errorf("NormalizeFQN(%s) = %s, %v", fqn, norm, err)
		}
	}
	if got := JoinFQN("svc", "db", "orders.v2"); got != `svc.db."orders.v2"` {
		t.Errorf("JoinFQN quoting = %s", got)
	}
}

func TestNormalizeAcceptsNeedlessQuotes(t *testing.T) {
	got, err := NormalizeFQN(`"svc"."db".orders`)
	if err != nil || got != "svc.db.orders" {
		t.Errorf("NormalizeFQN = %s, %v", got, err)
	}
}

func TestSplitFQNRejectsMalformed(t *testing.T) {
	for _, bad := range []string{"", ".", "a..b", "a.", `a."b`, `a"b.c`, `"a"b.c`} {
		if _, err := SplitFQN(bad); err == nil || !strings.Contains(err.Error(), "FQN") {
			t.Errorf("SplitFQN(%q) err = %v, want an error naming the FQN", bad, err)
		}
	}
}

func TestKindsDeclared(t *testing.T) {
	for _, s := range Kinds() {
		for _, p := range s.Parents {
			if _, ok := Spec(p); !ok {
				t.Errorf("kind %s has undeclared parent %s", s.Kind, p)
			}
		}
	}
	if _, err := ParseKind("tabel"); err == nil || !strings.Contains(err.Error(), "table") {
		t.Errorf("ParseKind(tabel) = %v", err)
	}
}
