package conntest_test

import (
	"slices"
	"testing"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/source/athena"
	"github.com/lakemap/lakemap/internal/source/glue"
	"github.com/lakemap/lakemap/internal/source/s3"
)

// A registered source's connection is tested with its family's groups, its
// access level, and where its config says to probe.
func TestTargetOf(t *testing.T) {
	reg := all.NewRegistry()
	s3Conn := &s3.Connection{BucketNames: []string{"lake", "raw"}}
	s3Conn.AccessLevel = catalog.ReadWrite
	for _, tc := range []struct {
		typ  string
		conn source.AWSConfigHolder
		want conntest.Target
	}{
		{"glue", &glue.Connection{CatalogID: "111122223333"},
			conntest.Target{Service: "glue", Access: catalog.ReadOnly, Scope: source.ProbeScope{GlueCatalogID: "111122223333"}}},
		{"athena", &athena.Connection{},
			conntest.Target{Service: "glue", Access: catalog.ReadOnly}},
		{"s3", s3Conn,
			conntest.Target{Service: "s3", Access: catalog.ReadWrite, Scope: source.ProbeScope{Buckets: []string{"lake", "raw"}}}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			spec, _ := reg.Lookup(tc.typ)
			got := conntest.TargetOf("prod", spec, tc.conn, nil)
			if got.Connection != "prod" || got.Service != tc.want.Service || got.Access != tc.want.Access ||
				got.Scope.GlueCatalogID != tc.want.Scope.GlueCatalogID || !slices.Equal(got.Scope.Buckets, tc.want.Scope.Buckets) {
				t.Errorf("target = %+v, want %+v", got, tc.want)
			}
		})
	}
}
