package workflow

import (
	"fmt"
	"strings"
)

// expandEnv replaces ${VAR} and ${VAR:-default} in s, as OpenMetadata users
// write keys and role ARNs into workflow files. $${ stands for a literal ${.
// As in the shell, :- also applies the default when VAR is set but empty. It
// returns whether anything was expanded, so messages can show the text as
// written instead of a value that may be secret.
func expandEnv(s string, lookup func(string) (string, bool)) (out string, expanded bool, problems []string) {
	if !strings.Contains(s, "${") {
		return s, false, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i]) // keeps one $ of $${
			b.WriteString("{")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			problems = append(problems, fmt.Sprintf("unterminated ${ in %q: write ${VAR} or ${VAR:-default}, or $${ for a literal ${", s[i:]))
			b.WriteString(s[i:])
			break
		}
		expr := s[i+2 : i+end]
		s = s[i+end+1:]
		name, def, hasDef := strings.Cut(expr, ":-")
		if !validEnvName(name) {
			problems = append(problems, fmt.Sprintf("${%s}: %q is not an environment variable name (letters, digits and _, not starting with a digit)", expr, name))
			continue
		}
		expanded = true
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		default:
			problems = append(problems, fmt.Sprintf("environment variable %s is not set: export it, or write ${%s:-default}", name, name))
		}
	}
	return b.String(), expanded, problems
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
