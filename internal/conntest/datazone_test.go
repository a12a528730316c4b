package conntest_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/conntest"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/datazone"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// TestDataZoneConnectionCoverage: `connection test` on a datazone
// connection, through the DataZone fake (STS from moto), reports whether
// datazone:Search and datazone:GetLineageNode widen the scan, and never
// fails the group over them.
func TestDataZoneConnectionCoverage(t *testing.T) {
	srv := motoSrv.Server(t)
	const account = "444455556666"
	cust := moto.CustomerRole(t, srv, account)
	fake := datazonefake.New(t, srv.URL(), 10, "test")
	fake.Edit(account, func(e *datazonefake.Estate) { *e = *datazonefake.Seed(account) })

	reg := source.NewRegistry()
	datazone.Register(reg)
	spec, _ := reg.Lookup("datazone")
	conn := spec.NewConnection().(*datazone.Connection)
	conn.AWSConfig = awsconn.Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: fake.URL(), Region: moto.Region,
		AssumeRoleARN: cust.RoleARN, AssumeRoleExternalID: "lakemap-dz"}

	for _, tc := range []struct {
		name    string
		allowed []string
		notes   []string
	}{
		{"role with datazone:Search", nil, []string{conntest.SearchAllowedNote, conntest.LineageAllowedNote}},
		{"guide-built ReadOnly role", datazonefake.GuideReadOnly, []string{conntest.SearchDeniedNote, conntest.LineageDeniedNote}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.Allow(account, tc.allowed)
			sess, err := awsconn.NewSession(context.Background(), conn.AWSConfig, awsconn.Options{ServiceName: "dz", MaxAttempts: 2, MaxBackoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			rep := conntest.RunSource(context.Background(), "dz", spec, conn, sess)
			var found bool
			for _, r := range rep.Results {
				if r.Check != "DataZoneReadAccess" {
					continue
				}
				found = true
				if r.Status == conntest.Fail || !slices.Contains(r.Proven, "datazone:ListDomains") {
					t.Errorf("DataZoneReadAccess: %+v", r)
				}
				for _, note := range tc.notes {
					if !slices.Contains(r.Notes, note) {
						t.Errorf("notes %q lack %q", r.Notes, note)
					}
				}
			}
			if !found {
				t.Fatalf("no DataZoneReadAccess check in %+v", rep.Results)
			}
		})
	}
	if w := fake.WriteRequests(); len(w) != 0 {
		t.Errorf("connection test wrote: %+v", w)
	}
}
