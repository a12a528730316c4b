package workflow

import (
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/all"
)

// registerSources registers every source the binary ships, so the committed
// schema covers them all.
func registerSources(r *source.Registry) {
	all.Register(r)
}
