package source

import "context"

// Check is one harmless call proving a permission group works, for
// `lakemap connection test`.
type Check struct {
	// Name is what the line says, e.g. "list Glue databases".
	Name string
	// Actions are the IAM actions the call needs, shown when it fails.
	Actions []string
	Run     func(ctx context.Context) error
}
