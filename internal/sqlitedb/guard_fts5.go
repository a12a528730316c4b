//go:build !sqlite_fts5

package sqlitedb

// The catalog's search is SQLite FTS5, which go-sqlite3 compiles in only
// under the sqlite_fts5 build tag; without it every catalog fails to open
// ("no such module: fts5"). The Makefile sets the tag through GOFLAGS;
// plain go commands need -tags sqlite_fts5. Fail the build, by name.
var _ = lakemap_needs_the_build_tag_sqlite_fts5__run_make_or_pass_tags_sqlite_fts5
