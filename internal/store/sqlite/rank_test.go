package sqlite

import "testing"

func TestScoreOrdersWhereTermsSit(t *testing.T) {
	q := queryTerms{words: searchWords("Payment Amount")}
	ordered := []struct{ name, parentFQN, description string }{
		{"payment_amount", `svc.db.orders`, ""},             // the whole name
		{"payment_amount_usd", `svc.db.orders`, ""},         // both words in the name, one more
		{"amount", `svc.db."payment.events"`, ""},           // one in the name, one in the parent
		{"amount", `svc.db.orders`, "the payment's amount"}, // one in the name, one in the description
		{"total", `svc.db.orders`, "payment amount"},        // only the description
	}
	prev := 1e9
	for _, m := range ordered {
		got := q.score(m.name, m.parentFQN, m.description)
		if got >= prev {
			t.Errorf("score(%+v) = %v, not below the previous %v", m, got, prev)
		}
		prev = got
	}
}

func TestScorePrefixOnlyOnLastWord(t *testing.T) {
	q := queryTerms{words: searchWords("ord"), prefix: true}
	if q.score("orders", "svc.db", "") <= q.score("customers", "svc.db", "ord") {
		t.Error("a prefix match in the name should beat a whole word in the description")
	}
	q = queryTerms{words: searchWords("ord amount"), prefix: true}
	if got := q.score("orders_amount", "svc.db", ""); got >= weightName*2 {
		t.Errorf("ord is not the last word and must not match as a prefix: score %v", got)
	}
}

func TestExactNames(t *testing.T) {
	got := exactNames(" payment amount ", searchWords("payment amount"))
	want := []any{"payment amount", "payment_amount", "payment-amount"}
	if len(got) != len(want) {
		t.Fatalf("exactNames = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("exactNames = %v, want %v", got, want)
		}
	}
}
