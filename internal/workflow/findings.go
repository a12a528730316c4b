package workflow

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Finding is one problem in a workflow file, placed at the node it is about.
type Finding struct {
	File      string
	Line, Col int // 1-based; 0 when the YAML library gave no position
	// Path is the YAML path of the node, e.g. "source.serviceConnection.config.awsConfig.awsRegion".
	Path    string
	Message string
}

// Error prints the finding as file:line:col: message, the form editors and
// CI annotations understand.
func (f Finding) Error() string {
	switch {
	case f.Line == 0:
		return fmt.Sprintf("%s: %s", f.File, f.Message)
	case f.Col == 0:
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Col, f.Message)
}

// Findings are all the problems of one workflow file, sorted by position.
// It is the error Parse returns; errors.As finds it, and apperr sees it as
// Invalid.
type Findings []Finding

// Error prints one finding per line.
func (fs Findings) Error() string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the findings their kind, so a command that returns them
// exits with the Invalid exit code.
func (fs Findings) Unwrap() error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: fmt.Sprintf("%d problem(s) in the workflow file", len(fs))}
}

func (fs Findings) sorted() Findings {
	out := append(Findings(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
	return out
}
