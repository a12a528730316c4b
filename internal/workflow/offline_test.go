package workflow

import (
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestParserIsOffline keeps the parser offline by design: Parse takes bytes
// and no context, and the package imports nothing that can reach a network
// or run a program. (The CLI's own test checks that `validate` opens no
// socket end to end.)
func TestParserIsOffline(t *testing.T) {
	allowed := map[string]bool{
		"bytes": true, "encoding/json": true, "errors": true, "fmt": true, "io": true, "io/fs": true,
		"log/slog": true, "math": true, "os": true, "reflect": true, "regexp": true, "regexp/syntax": true,
		"slices": true, "sort": true, "strconv": true, "strings": true, "time": true,
		"go.yaml.in/yaml/v3":                           true,
		"github.com/google/jsonschema-go/jsonschema":   true,
		"github.com/lakemap/lakemap/internal/apperr":   true,
		"github.com/lakemap/lakemap/internal/awsconn":  true,
		"github.com/lakemap/lakemap/internal/catalog":  true,
		"github.com/lakemap/lakemap/internal/source":   true,
		"github.com/lakemap/lakemap/internal/textdist": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, name, nil, goparser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %s: the workflow parser must stay offline; if this import is harmless, add it to the list", name, path)
			}
		}
	}
}
