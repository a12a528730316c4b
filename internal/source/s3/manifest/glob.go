package manifest

import (
	"fmt"
	"path"
	"strings"
)

// Pattern is a compiled dataPath: literal, or a glob where * and ? match
// within one path segment and ** matches any number of segments.
type Pattern struct {
	segs     []string
	wildcard bool
	// globstar is the index of the first ** segment, -1 without one.
	globstar int
}

// Compile parses a dataPath.
func Compile(p string) (Pattern, error) {
	p = strings.Trim(strings.TrimSpace(p), "/")
	out := Pattern{globstar: -1}
	if p == "" {
		return out, nil
	}
	for _, s := range strings.Split(p, "/") {
		// Consecutive ** match what one does.
		if s == "**" && len(out.segs) > 0 && out.segs[len(out.segs)-1] == "**" {
			continue
		}
		out.segs = append(out.segs, s)
	}
	stars := 0
	for i, s := range out.segs {
		switch {
		case s == "":
			return Pattern{}, fmt.Errorf("path %q has an empty segment", p)
		case s == "**":
			// Each ** multiplies the matching work by the key's depth.
			if stars++; stars > 3 {
				return Pattern{}, fmt.Errorf("path %q: at most three ** segments", p)
			}
			out.wildcard = true
			if out.globstar < 0 {
				out.globstar = i
			}
		case strings.Contains(s, "**"):
			return Pattern{}, fmt.Errorf("path %q: ** must be a whole segment", p)
		case strings.ContainsAny(s, "*?["):
			out.wildcard = true
			if _, err := path.Match(s, ""); err != nil {
				return Pattern{}, fmt.Errorf("path %q: bad glob segment %q", p, s)
			}
		}
	}
	return out, nil
}

// String is the dataPath as compiled.
func (p Pattern) String() string { return strings.Join(p.segs, "/") }

// Wildcard reports whether the pattern has glob characters.
func (p Pattern) Wildcard() bool { return p.wildcard }

// Base is the literal leading part of the pattern, as a key prefix ending
// with "/" (or "" for the bucket root): every match starts with it.
func (p Pattern) Base() string {
	var lit []string
	for _, s := range p.segs {
		if s == "**" || strings.ContainsAny(s, "*?[") {
			break
		}
		lit = append(lit, s)
	}
	if len(lit) == 0 {
		return ""
	}
	return strings.Join(lit, "/") + "/"
}

// Container returns the container a key belongs to under the pattern, as
// a path without slashes at its ends ("" for the bucket root), and false
// when the key does not match.
//
// A literal pattern is a container: keys under it (or the key itself, for
// a single file) belong to it. A glob matching whole keys
// (data/*/events/*.parquet) puts each file in its directory, or, with **,
// in the directory before the first ** (logs/**/*.json: one container
// "logs", whose subdirectories are partitions). A glob matching
// directories (data/*/events) makes each matching directory a container.
func (p Pattern) Container(key string) (string, bool) {
	if !p.wildcard {
		lit := p.String()
		if lit == "" || key == lit || strings.HasPrefix(key, lit+"/") {
			return lit, true
		}
		return "", false
	}
	k := strings.Split(key, "/")
	if matchSegs(p.segs, k) {
		if p.globstar >= 0 {
			return strings.Join(k[:p.globstar], "/"), true
		}
		return strings.Join(k[:len(k)-1], "/"), true
	}
	// Directory patterns: match a leading run of the key's directories.
	for j := 1; j < len(k); j++ {
		if matchSegs(p.segs, k[:j]) {
			if p.globstar >= 0 {
				return strings.Join(k[:p.globstar], "/"), true
			}
			return strings.Join(k[:j], "/"), true
		}
	}
	return "", false
}

// Match reports whether the whole key matches (for excludePatterns).
func (p Pattern) Match(key string) bool {
	if !p.wildcard {
		lit := p.String()
		return key == lit || strings.HasPrefix(key, lit+"/")
	}
	k := strings.Split(key, "/")
	if matchSegs(p.segs, k) {
		return true
	}
	for j := 1; j < len(k); j++ {
		if matchSegs(p.segs, k[:j]) {
			return true
		}
	}
	return false
}

func matchSegs(p, k []string) bool {
	for len(p) > 0 {
		if p[0] == "**" {
			rest := p[1:]
			for i := 0; i <= len(k); i++ {
				if matchSegs(rest, k[i:]) {
					return true
				}
			}
			return false
		}
		if len(k) == 0 {
			return false
		}
		if ok, _ := path.Match(p[0], k[0]); !ok {
			return false
		}
		p, k = p[1:], k[1:]
	}
	return len(k) == 0
}

// Depth turns a dataPath with depth N into the directory pattern
// dataPath/*/.../* (N stars): OpenMetadata's depth makes every directory
// N levels below dataPath a container.
func Depth(dataPath string, depth int) string {
	p := strings.Trim(dataPath, "/")
	for range depth {
		if p == "" {
			p = "*"
		} else {
			p += "/*"
		}
	}
	return p
}
