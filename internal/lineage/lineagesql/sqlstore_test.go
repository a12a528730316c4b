package lineagesql_test

import (
	"context"
	"database/sql"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/lineagesql"
	"github.com/lakemap/lakemap/internal/lineage/lineagetest"
)

func TestConformance(t *testing.T) {
	lineagetest.RunConformance(t, func(t *testing.T) catalog.LineageStore {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		s, err := lineagesql.Open(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		// Opening twice is harmless: the schema is idempotent.
		if _, err := lineagesql.Open(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		return s
	})
}
