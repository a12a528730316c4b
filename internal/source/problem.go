package source

// FieldProblem is one invalid field of a connection or source config, found
// without any network call. Path is the field's YAML path relative to the
// config struct: keys joined by dots, list items as [i], e.g.
// "tableFilterPattern.includes[0]"; "" means the config as a whole. The
// workflow parser turns it into a file:line:col finding at that node.
type FieldProblem struct {
	Path    string
	Message string
}

// Validator is implemented by connection and source config structs that check
// more than their field types. The workflow parser calls it after decoding
// and defaulting, so a spec never parses YAML itself.
type Validator interface {
	Validate() []FieldProblem
}
