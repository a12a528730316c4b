package source

import (
	"fmt"
	"regexp"

	"github.com/lakemap/lakemap/internal/apperr"
)

// FilterPattern is OpenMetadata's include/exclude regex lists. Patterns match
// case-insensitively from the start of the name, as OpenMetadata's re.match does.
type FilterPattern struct {
	Includes []string `yaml:"includes" json:"includes,omitempty" jsonschema:"regexes; a name must match one of them (when any are given)"`
	Excludes []string `yaml:"excludes" json:"excludes,omitempty" jsonschema:"regexes; a name matching any of them is skipped"`
}

// Filter is a compiled FilterPattern. The zero value lets everything through.
type Filter struct {
	includes, excludes []*regexp.Regexp
}

// Compile compiles the patterns; field names the YAML key for error messages.
func (f FilterPattern) Compile(field string) (Filter, error) {
	var out Filter
	var err error
	if out.includes, err = compileAll(field+".includes", f.Includes); err != nil {
		return Filter{}, err
	}
	if out.excludes, err = compileAll(field+".excludes", f.Excludes); err != nil {
		return Filter{}, err
	}
	return out, nil
}

func compileAll(field string, patterns []string) ([]*regexp.Regexp, error) {
	out := make([]*regexp.Regexp, 0, len(patterns))
	for i, p := range patterns {
		// Compile the pattern alone first: wrapped, "a)|(b" would compile
		// into something else instead of being rejected.
		_, err := regexp.Compile(p)
		var re *regexp.Regexp
		if err == nil {
			re, err = regexp.Compile("(?i)^(?:" + p + ")")
		}
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "%s[%d]: invalid regular expression %q", field, i, p)
		}
		out = append(out, re)
	}
	return out, nil
}

// Allows reports whether name passes the filter.
func (f Filter) Allows(name string) bool {
	for _, re := range f.excludes {
		if re.MatchString(name) {
			return false
		}
	}
	if len(f.includes) == 0 {
		return true
	}
	for _, re := range f.includes {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// String is for logs.
func (f Filter) String() string {
	return fmt.Sprintf("includes=%d excludes=%d", len(f.includes), len(f.excludes))
}
