//go:build !cgo

package sqlitedb

const cgoBuilt = false
