//go:build !cgo

package sqlitedb

// lakemap's SQLite is compiled from C: building without cgo would give a
// binary whose every catalog open fails at run time. Fail the build
// instead, by name.
var _ = lakemap_needs_cgo_and_a_C_compiler__set_CGO_ENABLED_1_and_install_gcc
