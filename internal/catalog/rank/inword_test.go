package rank

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"adresse":         "adresse",
		"Adressé":         "Adresse",
		"málaga":          "malaga",
		"straße":          "straße", // not an accent: stays, as in SQLite
		"grand_livre_été": "grand_livre_ete",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInWordDescription(t *testing.T) {
	if got := InWordDescription("Kundenadresse"); got != "Kundenadresse" {
		t.Errorf("short description cut to %q", got)
	}
	long := strings.Repeat("a", MaxInWordDescription-1) + "é and more"
	got := InWordDescription(long)
	if len(got) > MaxInWordDescription || !strings.HasSuffix(got, "a") {
		t.Errorf("long description cut to %d bytes ending %q: want a rune boundary within %d", len(got), got[len(got)-3:], MaxInWordDescription)
	}
}

func TestInWordScore(t *testing.T) {
	words := []string{"kunde", "adresse"}
	both := InWordScore("kundenadresse", "", words)
	one := InWordScore("kundenadresse", "", []string{"kunde", "xyz"})
	longer := InWordScore("kundenadressebuch", "", words)
	accented := InWordScore("KundenAdressé", "", words)
	inDesc := InWordScore("kdadr", "Kundenadresse", words)
	oneInDesc := InWordScore("a_very_long_column_name_indeed_with_many_letters", "Adresse", []string{"adresse"})
	oneInName := InWordScore("a_very_long_column_name_indeed_with_many_letters_adresse", "", []string{"adresse"})
	if !(both > one && both > longer && both == accented) {
		t.Errorf("names: both=%v one=%v longer=%v accented=%v", both, one, longer, accented)
	}
	if !(one > inDesc || both > inDesc) || inDesc <= 0 {
		t.Errorf("description: %v, names %v %v", inDesc, both, one)
	}
	if oneInName <= oneInDesc || oneInDesc <= 0 {
		t.Errorf("a word in a long name scores %v, in the description %v: want name first, both above 0", oneInName, oneInDesc)
	}
	if got := Banded(BandInWord, 500); got >= BandPartial {
		t.Errorf("in-word band reaches %v", got)
	}
}
