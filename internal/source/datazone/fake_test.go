package datazone

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/store/sqlite/sqlitetest"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

const externalID = "lakemap-proj-dz-1"

// lake is one customer account: its role in moto (STS), its DataZone
// estate in the fake, which relays STS to moto.
type lake struct {
	fake *datazonefake.Fake
	cust moto.Customer
}

func newLake(t *testing.T, account string, pageSize int) *lake {
	t.Helper()
	srv := motoSrv.Server(t)
	l := &lake{fake: datazonefake.New(t, srv.URL(), pageSize, "test"), cust: moto.CustomerRole(t, srv, account)}
	l.fake.Edit(account, func(e *datazonefake.Estate) { *e = *datazonefake.Seed(account) })
	return l
}

// source builds the datazone source as ingest does: through the
// registry's spec, with a session that assumes the customer's role with the
// External ID against the fake.
func (l *lake) source(t *testing.T, cfg *SourceConfig) source.Source {
	t.Helper()
	r := source.NewRegistry()
	Register(r)
	spec, ok := r.Lookup("datazone")
	if !ok {
		t.Fatal("datazone not registered")
	}
	conn := spec.NewConnection().(*Connection)
	conn.AWSConfig = awsconn.Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: l.fake.URL(),
		AssumeRoleARN: l.cust.RoleARN, AssumeRoleExternalID: externalID}
	sess, err := awsconn.NewSession(context.Background(), conn.AWSConfig, awsconn.Options{ServiceName: "dz", MaxAttempts: 10, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if cfg == nil {
		cfg = spec.NewSourceConfig().(*SourceConfig)
	}
	if problems := cfg.Validate(); len(problems) > 0 {
		t.Fatalf("config problems: %+v", problems)
	}
	src, err := spec.New(source.Params{ServiceName: "dz", Connection: conn, SourceConfig: cfg, AWS: sess})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (l *lake) scan(t *testing.T, store *sqlite.Store, cfg *SourceConfig) scan.Summary {
	t.Helper()
	sum, err := (&scan.Runner{Store: store}).Run(context.Background(), "dz", "datazone", l.source(t, cfg))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return sum
}

func counts(t *testing.T, store *sqlite.Store) map[catalog.Kind]int {
	out := map[catalog.Kind]int{}
	for _, k := range []catalog.Kind{catalog.KindDomain, catalog.KindProject, catalog.KindEnvironment, catalog.KindEnvProfile,
		catalog.KindDataSource, catalog.KindAsset, catalog.KindListing, catalog.KindGlossary, catalog.KindGlossaryTerm} {
		out[k] = len(sqlitetest.Live(t, store, k))
	}
	return out
}

const (
	projects = datazonefake.SeedDomains * datazonefake.SeedProjectsPerDomain
	assets   = projects * datazonefake.SeedAssetsPerProject
	listed   = projects * (datazonefake.SeedAssetsPerProject - datazonefake.SeedUnlistedPerProject)
)

func wantCounts(search bool) map[catalog.Kind]int {
	w := map[catalog.Kind]int{
		catalog.KindDomain: datazonefake.SeedDomains, catalog.KindProject: projects,
		catalog.KindEnvironment: projects * datazonefake.SeedEnvsPerProject, catalog.KindDataSource: projects * datazonefake.SeedSourcesPerProject,
		catalog.KindEnvProfile: datazonefake.SeedDomains * datazonefake.SeedProfilesPerDomain, catalog.KindListing: listed,
		catalog.KindAsset: listed, catalog.KindGlossary: datazonefake.SeedReachableGlossarys, catalog.KindGlossaryTerm: datazonefake.SeedReachableTerms,
	}
	if search {
		w[catalog.KindAsset] = assets
		w[catalog.KindGlossary] = datazonefake.SeedGlossaries
		w[catalog.KindGlossaryTerm] = datazonefake.SeedTerms
	}
	return w
}

func compareCounts(t *testing.T, got, want map[catalog.Kind]int) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %d live, want %d", k, got[k], w)
		}
	}
}
