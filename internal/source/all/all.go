// Package all registers every source lakemap ships, so the binary and the
// schema test see the same set.
package all

import (
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena"
	"github.com/lakemap/lakemap/internal/source/datazone"
	"github.com/lakemap/lakemap/internal/source/glue"
	"github.com/lakemap/lakemap/internal/source/s3"
)

// Register adds every source to r.
func Register(r *source.Registry) {
	glue.Register(r)
	athena.Register(r)
	s3.Register(r)
	datazone.Register(r)
}

// NewRegistry returns a registry with every source.
func NewRegistry() *source.Registry {
	r := source.NewRegistry()
	Register(r)
	return r
}
