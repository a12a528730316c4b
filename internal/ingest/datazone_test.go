package ingest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/source/all"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
	"github.com/lakemap/lakemap/internal/workflow"
)

// A DataZone service and a Glue service of one account, linked, rescanned
// unchanged through ingest.Run (as the CLI and the server scan): neither
// side writes a history entry, and the link stays.
func TestDataZoneGlueRescanWritesNoHistory(t *testing.T) {
	e := newEstate(t)
	e.createDatabase(t, "lake_0", "DataZone's Glue database")
	e.createTable(t, "lake_0", gluetypes.TableInput{Name: aws.String("orders"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Columns: cols("order_id bigint")}})
	acct := e.cust.AccountID
	fake := datazonefake.New(t, motoSrv.Server(t).URL(), 10, "AKIAVENDOR0000000000")
	fake.Edit(acct, func(es *datazonefake.Estate) { *es = *datazonefake.Seed(acct) })
	dzYAML := fmt.Sprintf(`source:
  type: datazone
  serviceName: dz
  serviceConnection:
    config:
      type: DataZone
      awsConfig:
        awsAccessKeyId: AKIAVENDOR0000000000
        awsSecretAccessKey: vendor-secret-value
        awsRegion: us-east-1
        endPointURL: %s
        assumeRoleArn: %s
        assumeRoleExternalId: vendor-5f0c2a8e
  sourceConfig:
    config:
      type: DataZoneMetadata
      domains: [dzd_0001]
sink:
  type: metadata-rest
  config: {}
`, fake.URL(), e.cust.RoleARN)
	dzWF, err := workflow.Parse("dz.yaml", []byte(dzYAML), all.NewRegistry())
	if err != nil {
		t.Fatalf("parse workflow: %v", err)
	}
	glueWF := e.workflow(t, "vendor-5f0c2a8e")
	st, _ := openStore(t)
	ctx := context.Background()
	run := func(wf *workflow.Workflow) ingest.Result {
		t.Helper()
		sum, err := ingest.Run(ctx, st, wf, ingest.Options{})
		if err != nil || sum.Status != catalog.ScanSucceeded {
			t.Fatalf("scan of %s: %v %s %v", wf.Source.ServiceName, err, sum.Status, sum.Errors)
		}
		return sum
	}
	run(glueWF)
	run(dzWF)
	const asset, table = "dz.Sales Analytics.Team 01.orders", "prod_glue.lake_0.orders"
	a, err := st.Get(ctx, asset)
	if err != nil {
		t.Fatal(err)
	}
	if a.Attrs[lineage.AttrGlueTable] != table {
		t.Fatalf("asset glueTable = %v, want %s", a.Attrs[lineage.AttrGlueTable], table)
	}
	changes := func(service string) int {
		t.Helper()
		ch, err := st.Changes(ctx, catalog.ChangesQuery{Service: service, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		return len(ch)
	}
	before := map[string]int{"dz": changes("dz"), "prod_glue": changes("prod_glue")}
	for _, wf := range []*workflow.Workflow{dzWF, glueWF, dzWF} {
		sum := run(wf)
		for k, c := range sum.Stats {
			if c.Added+c.Updated+c.Deleted != 0 {
				t.Errorf("rescan of %s: %s %+v", wf.Source.ServiceName, k, *c)
			}
		}
	}
	for service, n := range before {
		if got := changes(service); got != n {
			t.Errorf("%s: %d history entries after unchanged rescans, %d before", service, got, n)
		}
	}
	tb, err := st.Get(ctx, table)
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := tb.Attrs[lineage.AttrDataZoneAssets].([]any); len(as) != datazonefake.SeedProjectsPerDomain {
		t.Errorf("table governed as %v, want the %d orders assets of the domain", as, datazonefake.SeedProjectsPerDomain)
	}
}
