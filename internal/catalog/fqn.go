package catalog

import (
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Limits of an FQN, checked wherever one is parsed (SplitFQN, so every
// user-typed FQN of the CLI, REST and MCP and every one a scan writes). They
// sit well above what any source produces (an S3 key is at most 1,024 bytes,
// Glue names 255) and keep a hostile FQN from costing work in proportion to
// its size: a 120 KB FQN of 60,000 parts once took 50 s of lookups.
const (
	MaxFQNBytes = 8 << 10
	MaxFQNParts = 128
)

// FQN rules, fixed for every source:
//
//	glue:      <service>.<database>.<table>.<column>[.<nested field>...]
//	partition: <service>.<database>.<table>."<k1=v1/k2=v2>" (Hive path style, one part)
//	function:  <service>.<database>.<function> ("function:<name>" when a table has that name)
//	athena:    <service>.<data catalog>.<database>.<table>, <service>.<workgroup>.<query id>
//	           (inside a glue service: "workgroup:<name>" / "data_catalog:<name>" when a
//	           database has that name)
//	s3:        <service>.<bucket>.<container path>[.<object key>]
//	datazone:  <service>.<domain>.<project>...
//
// A part that contains a dot or a double quote is wrapped in double quotes, with
// any double quote inside it doubled (OpenMetadata quotes parts with dots the
// same way; doubling keeps parts with quotes unambiguous).

// QuotePart quotes one FQN part when it needs it.
func QuotePart(part string) string { return Child("", part) }

// JoinFQN builds an FQN from raw (unquoted) parts.
func JoinFQN(parts ...string) string {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = QuotePart(p)
	}
	return strings.Join(quoted, ".")
}

// Child returns the FQN of a child named name under parent. It builds the
// FQN in one allocation: scans call it for every object of a bucket.
func Child(parent, name string) string {
	if strings.IndexByte(name, '.') < 0 && strings.IndexByte(name, '"') < 0 {
		if parent == "" {
			return name
		}
		return parent + "." + name
	}
	var b strings.Builder
	b.Grow(len(parent) + len(name) + strings.Count(name, `"`) + 3)
	if parent != "" {
		b.WriteString(parent)
		b.WriteByte('.')
	}
	b.WriteByte('"')
	for {
		i := strings.IndexByte(name, '"')
		if i < 0 {
			break
		}
		b.WriteString(name[:i+1])
		b.WriteByte('"')
		name = name[i+1:]
	}
	b.WriteString(name)
	b.WriteByte('"')
	return b.String()
}

// SplitFQN parses an FQN into its raw parts. It rejects empty parts,
// unbalanced quotes, and FQNs over MaxFQNBytes or MaxFQNParts
// (apperr.Invalid, quoting only the FQN's start).
func SplitFQN(fqn string) ([]string, error) {
	if fqn == "" {
		return nil, fmt.Errorf("empty FQN")
	}
	if len(fqn) > MaxFQNBytes {
		return nil, apperr.New(apperr.Invalid, "FQN %s is %d bytes long; at most %d are allowed", clipFQN(fqn), len(fqn), MaxFQNBytes)
	}
	// Dots outside quotes bound the parts from above: counting them first
	// refuses a many-part FQN before any part is copied.
	if n := strings.Count(fqn, ".") + 1; n > MaxFQNParts {
		if parts := countParts(fqn); parts > MaxFQNParts {
			return nil, apperr.New(apperr.Invalid, "FQN %s has %d parts; at most %d are allowed", clipFQN(fqn), parts, MaxFQNParts)
		}
	}
	var parts []string
	var b strings.Builder
	inQuotes, wasQuoted := false, false
	for i := 0; i < len(fqn); i++ {
		c := fqn[i]
		switch {
		case inQuotes && c == '"':
			if i+1 < len(fqn) && fqn[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			inQuotes = false
			if i+1 < len(fqn) && fqn[i+1] != '.' {
				return nil, fmt.Errorf("FQN %q: closing quote at byte %d must end the part", fqn, i)
			}
		case inQuotes:
			b.WriteByte(c)
		case c == '"':
			if b.Len() > 0 {
				return nil, fmt.Errorf("FQN %q: quote at byte %d inside an unquoted part", fqn, i)
			}
			inQuotes, wasQuoted = true, true
		case c == '.':
			if b.Len() == 0 && !wasQuoted {
				return nil, fmt.Errorf("FQN %q: empty part at byte %d", fqn, i)
			}
			parts = append(parts, b.String())
			b.Reset()
			wasQuoted = false
		default:
			b.WriteByte(c)
		}
	}
	if inQuotes {
		return nil, fmt.Errorf("FQN %q: unbalanced double quote", fqn)
	}
	if b.Len() == 0 && !wasQuoted {
		return nil, fmt.Errorf("FQN %q: empty last part", fqn)
	}
	return append(parts, b.String()), nil
}

// countParts counts the parts of fqn as SplitFQN would split it: dots
// outside double quotes, plus one.
func countParts(fqn string) int {
	n, in := 1, false
	for i := 0; i < len(fqn); i++ {
		switch fqn[i] {
		case '"':
			in = !in
		case '.':
			if !in {
				n++
			}
		}
	}
	return n
}

// clipFQN quotes an FQN for a message, cut to its first 64 bytes: an
// error about a huge FQN should not be huge itself.
func clipFQN(fqn string) string {
	const keep = 64
	if len(fqn) <= keep {
		return fmt.Sprintf("%q", fqn)
	}
	cut := keep
	for cut > 0 && fqn[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return fmt.Sprintf("%q…", fqn[:cut])
}

// ParentFQN returns the FQN of fqn's parent, or "" for a root.
func ParentFQN(fqn string) (string, error) {
	parts, err := SplitFQN(fqn)
	if err != nil {
		return "", err
	}
	return JoinFQN(parts[:len(parts)-1]...), nil
}

// NormalizeFQN re-quotes a user-typed FQN canonically, so that
// svc.db."my.table" and svc."db"."my.table" name the same entity.
func NormalizeFQN(fqn string) (string, error) {
	parts, err := SplitFQN(fqn)
	if err != nil {
		return "", err
	}
	return JoinFQN(parts...), nil
}
