package workflow

import (
	"github.com/lakemap/lakemap/internal/textdist"

	"fmt"
	"strings"
)

// suggest returns the candidate nearest to got when it is close enough to be
// a likely typo: same letters in another case, or an edit distance of at most
// two (three for long words). Ties go to the earlier candidate. Failing that,
// a lone candidate containing got (region for awsRegion) is suggested.
func suggest(got string, candidates []string) (string, bool) {
	if s, ok := textdist.Nearest(got, candidates); ok {
		return s, true
	}
	lg := strings.ToLower(got)
	var found []string
	for _, c := range candidates {
		if len(lg) >= 4 && strings.Contains(strings.ToLower(c), lg) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

func unknownKeyMessage(key, path string, known []string) string {
	where := "in " + path
	if path == "" {
		where = "at the top level"
	}
	if s, ok := suggest(key, known); ok {
		return fmt.Sprintf("unknown key %q %s; did you mean %q?", key, where, s)
	}
	return fmt.Sprintf("unknown key %q %s; known keys: %s", key, where, strings.Join(known, ", "))
}

// enumMessage says a value is not one of the allowed ones, suggesting the
// nearest.
func enumMessage(path, got string, allowed []string) string {
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	msg := fmt.Sprintf("%s: %q is not one of %s", path, got, strings.Join(quoted, ", "))
	if s, ok := suggest(got, allowed); ok {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}
