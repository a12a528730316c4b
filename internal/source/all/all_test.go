package all_test

import (
	"testing"

	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/source/athena"
	"github.com/lakemap/lakemap/internal/source/glue"
	"github.com/lakemap/lakemap/internal/source/s3"
)

// The facts other packages ask the registry instead of switching on the
// source type: the IAM family, the FQN layout and where probes go.
func TestSourceFacts(t *testing.T) {
	r := all.NewRegistry()
	for _, tc := range []struct {
		typ        string
		service    string
		underCatal bool
		conn       source.AWSConfigHolder
		scope      source.ProbeScope
	}{
		{"glue", source.ServiceGlue, false, &glue.Connection{CatalogID: "111122223333"}, source.ProbeScope{GlueCatalogID: "111122223333"}},
		{"athena", source.ServiceGlue, true, &athena.Connection{CatalogID: "444455556666"}, source.ProbeScope{GlueCatalogID: "444455556666"}},
		{"s3", source.ServiceS3, false, &s3.Connection{BucketNames: []string{"lake", "raw"}}, source.ProbeScope{Buckets: []string{"lake", "raw"}}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			spec, ok := r.Lookup(tc.typ)
			if !ok {
				t.Fatal("not registered")
			}
			if svc, _ := r.Service(tc.typ); svc != tc.service || spec.Service != tc.service {
				t.Errorf("service = %q, want %q", svc, tc.service)
			}
			if got := r.DatabasesUnderDataCatalogs(tc.typ); got != tc.underCatal {
				t.Errorf("DatabasesUnderDataCatalogs = %v, want %v", got, tc.underCatal)
			}
			got := spec.ProbeScopeOf(tc.conn)
			if got.GlueCatalogID != tc.scope.GlueCatalogID || len(got.Buckets) != len(tc.scope.Buckets) {
				t.Errorf("probe scope = %+v, want %+v", got, tc.scope)
			}
			if _, isOwn := spec.NewConnection().(interface{ ProjectRef() string }); !isOwn {
				t.Errorf("NewConnection gave %T", spec.NewConnection())
			}
		})
	}
}
