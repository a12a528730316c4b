//go:build !sqlite_fts5

package sqlitedb

const fts5Built = false
