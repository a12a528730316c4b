package rank

import (
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
)

func TestScoreOrdersWhereTermsSit(t *testing.T) {
	q := Terms{Words: Words("Payment Amount")}
	ordered := []struct{ name, parentFQN, description string }{
		{"payment_amount", `svc.db.orders`, ""},             // the whole name
		{"payment_amount_usd", `svc.db.orders`, ""},         // both words in the name, one more
		{"amount", `svc.db."payment.events"`, ""},           // one in the name, one in the parent
		{"amount", `svc.db.orders`, "the payment's amount"}, // one in the name, one in the description
		{"total", `svc.db.orders`, "payment amount"},        // only the description
	}
	prev := 1e9
	for _, m := range ordered {
		got := q.Score(m.name, m.parentFQN, m.description)
		if got >= prev {
			t.Errorf("Score(%+v) = %v, not below the previous %v", m, got, prev)
		}
		prev = got
	}
}

func TestScorePrefixOnlyOnLastWord(t *testing.T) {
	q := Terms{Words: Words("ord"), Prefix: true}
	if q.Score("orders", "svc.db", "") <= q.Score("customers", "svc.db", "ord") {
		t.Error("a prefix match in the name should beat a whole word in the description")
	}
	q = Terms{Words: Words("ord amount"), Prefix: true}
	if got := q.Score("orders_amount", "svc.db", ""); got >= WeightName*2 {
		t.Errorf("ord is not the last word and must not match as a prefix: score %v", got)
	}
}

func TestQueryWordsLimits(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		words      int
		invalid    bool
	}{
		{"punctuation only", "!!! ---", 0, false},
		{"mixed", `Orders "AND" 日本語_x`, 4, false},
		{"too long", strings.Repeat("a", MaxQueryBytes+1), 0, true},
		{"too many words", strings.Repeat("a ", MaxQueryWords+1), 0, true},
		{"the most words", strings.TrimSpace(strings.Repeat("a ", MaxQueryWords)), MaxQueryWords, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			words, err := QueryWords(tc.text)
			if tc.invalid {
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("err = %v, want Invalid", err)
				}
				return
			}
			if err != nil || len(words) != tc.words {
				t.Fatalf("QueryWords = %q, %v; want %d words", words, err, tc.words)
			}
		})
	}
}

func TestExactNamesAndShorten(t *testing.T) {
	got := ExactNames(" payment amount ", Words("payment amount"))
	if strings.Join(got, "|") != "payment amount|payment_amount|payment-amount" {
		t.Errorf("ExactNames = %q", got)
	}
	if got := Shorten("a  b\n c", 10); got != "a b c" {
		t.Errorf("Shorten = %q", got)
	}
	if got := Shorten("abcdef", 4); got != "abc…" {
		t.Errorf("Shorten = %q", got)
	}
}
