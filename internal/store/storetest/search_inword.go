package storetest

import (
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
)

// testSearchInWords pins search inside words on both backends: a word
// found inside a name or a description (a German compound comment,
// "Kundenadresse"), after whole-word hits and with names before
// descriptions; accents ignored on either side, as the word index ignores
// them; letters that are not accented ones ("ß") kept.
func testSearchInWords(t *testing.T, s catalog.Store) {
	const (
		whole    = "svc.crm.customers.adresse"
		inName   = "svc.crm.customers.kundenadresse"
		accented = "svc.crm.customers.lieferadressé"
		inDesc   = "svc.crm.customers.kdadr"
		street   = "svc.crm.customers.str"
	)
	scanOnce(t, s, []catalog.Entity{
		ent(catalog.KindService, "svc", "", nil),
		ent(catalog.KindDatabase, "svc.crm", "", nil),
		ent(catalog.KindTable, "svc.crm.customers", "", nil),
		ent(catalog.KindColumn, whole, "", nil),
		ent(catalog.KindColumn, inName, "", nil),
		ent(catalog.KindColumn, accented, "", nil),
		ent(catalog.KindColumn, inDesc, "Kundenadresse", nil),
		ent(catalog.KindColumn, street, "Hauptstraße", nil),
		ent(catalog.KindColumn, "svc.crm.customers.plz", "Postleitzahl der Kundenadresse", nil),
	})
	for _, tc := range []struct {
		name, text string
		order      []string // hits that must appear, in this order
		not        []string
	}{
		{"whole word, then names, then descriptions", "adresse", []string{whole, inName, inDesc}, nil},
		{"accent in the name", "adresse", []string{accented, inDesc}, nil},
		{"accent in the query", "adressé", []string{inName, inDesc}, nil},
		{"upper case and accent", "ADRESSÉ", []string{inName, accented, inDesc}, nil},
		{"inside a description", "straße", []string{street}, nil},
		{"ß is not ss", "strasse", nil, []string{street}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Search(ctx, catalog.SearchQuery{Text: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, h := range res.Hits {
				got = append(got, h.FQN)
				if i > 0 && h.Score > res.Hits[i-1].Score {
					t.Errorf("hit %d (%s) scores %v after %v: not in score order", i, h.FQN, h.Score, res.Hits[i-1].Score)
				}
			}
			last := -1
			for _, w := range tc.order {
				i := slices.Index(got, w)
				if i < 0 {
					t.Errorf("search %q: hits %v lack %s", tc.text, got, w)
					continue
				}
				if i < last {
					t.Errorf("search %q: hits %v, want %v in this order", tc.text, got, tc.order)
				}
				last = i
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("search %q: hits %v hold %s", tc.text, got, n)
				}
			}
		})
	}
}
