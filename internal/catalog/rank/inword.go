package rank

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxInWordDescription bounds the bytes of a description the in-word
// (trigram) indexes hold. Column comments ("Kundenadresse") fit whole; a
// long table description is indexed by its start, its every word still in
// the word index: a trigram index of whole descriptions would grow the
// catalog several times over for little gain.
const MaxInWordDescription = 256

// InWordDescription is the part of description the in-word indexes hold:
// its first MaxInWordDescription bytes, cut at a rune.
func InWordDescription(description string) string {
	if len(description) <= MaxInWordDescription {
		return description
	}
	cut := MaxInWordDescription
	for cut > 0 && !utf8.RuneStart(description[cut]) {
		cut--
	}
	return description[:cut]
}

// Fold drops the accents of s, as SQLite's unicode61 tokenizer does with
// remove_diacritics 2 (and its trigram tokenizer with remove_diacritics 1),
// so "malaga" finds "Málaga" and "adresse" finds "Adressé" on both
// backends. Letters that are not an accented base letter stay: "ß" is not
// "ss" on either backend.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// InWordScore rates an in-word match: WeightName for each word the name
// holds, WeightDescription for each only the description holds, less a
// little for every letter of the name the words do not cover (under one
// point, so a word in the name always outranks one in the description).
// Case and accents are ignored, as the indexes ignore them; words are as
// Words returns them.
func InWordScore(name, description string, words []string) float64 {
	lower := Fold(strings.ToLower(name))
	var desc string // folded only when needed
	score, covered := 0.0, 0
	for _, w := range words {
		w = Fold(w)
		switch {
		case strings.Contains(lower, w):
			score += WeightName
			covered += len(w)
		default:
			if desc == "" {
				desc = Fold(strings.ToLower(InWordDescription(description)))
			}
			if strings.Contains(desc, w) {
				score += WeightDescription
			}
		}
	}
	return score - min(0.01*float64(max(0, len(lower)-covered)), 0.99)
}
