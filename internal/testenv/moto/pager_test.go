package moto

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func createTables(t *testing.T, cfg aws.Config, db string, n int) {
	t.Helper()
	createDatabase(t, cfg, db)
	client := glue.NewFromConfig(cfg)
	for i := range n {
		_, err := client.CreateTable(context.Background(), &glue.CreateTableInput{
			DatabaseName: aws.String(db),
			TableInput:   &gluetypes.TableInput{Name: aws.String(fmt.Sprintf("t%03d", i))},
		})
		if err != nil {
			t.Fatalf("creating table %d: %v", i, err)
		}
	}
}

func TestPagerPagesGetTables(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "300000000001")
	createTables(t, cust.AWS, "big", 250)
	pager := NewGluePager(t, srv.URL(), 100)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))

	for _, tc := range []struct {
		name      string
		limit     int32
		wantCalls int
	}{
		{"page size", 0, 3},
		{"MaxResults above page size", 500, 3},
		{"MaxResults below page size", 40, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pager.ClearRequests()
			in := &glue.GetTablesInput{DatabaseName: aws.String("big")}
			if tc.limit > 0 {
				in.MaxResults = aws.Int32(tc.limit)
			}
			var names []string
			for pg := glue.NewGetTablesPaginator(client, in); pg.HasMorePages(); {
				out, err := pg.NextPage(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, tbl := range out.TableList {
					names = append(names, aws.ToString(tbl.Name))
				}
			}
			if got := pager.Count("GetTables"); got != tc.wantCalls {
				t.Errorf("GetTables calls = %d, want %d", got, tc.wantCalls)
			}
			distinct := slices.Compact(slices.Sorted(slices.Values(names)))
			if len(names) != 250 || len(distinct) != 250 {
				t.Errorf("got %d tables (%d distinct), want 250", len(names), len(distinct))
			}
		})
	}
}

func TestPagerSegmentsPartitions(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "300000000002")
	ctx := context.Background()
	cfg := cust.AWS
	createDatabase(t, cfg, "db")
	raw := glue.NewFromConfig(cfg)
	_, err := raw.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("db"), TableInput: &gluetypes.TableInput{
		Name: aws.String("events"), PartitionKeys: []gluetypes.Column{{Name: aws.String("day"), Type: aws.String("string")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var parts []gluetypes.PartitionInput
	for i := range 23 {
		parts = append(parts, gluetypes.PartitionInput{Values: []string{fmt.Sprintf("d%02d", i)}})
	}
	if _, err := raw.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{
		DatabaseName: aws.String("db"), TableName: aws.String("events"), PartitionInputList: parts,
	}); err != nil {
		t.Fatal(err)
	}

	pager := NewGluePager(t, srv.URL(), 3)
	client := glue.NewFromConfig(pager.AWSConfig(cfg))
	seen := map[string]int{}
	for seg := range int32(4) {
		var inSegment int
		pg := glue.NewGetPartitionsPaginator(client, &glue.GetPartitionsInput{
			DatabaseName: aws.String("db"), TableName: aws.String("events"),
			Segment: &gluetypes.Segment{SegmentNumber: seg, TotalSegments: aws.Int32(4)},
		})
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Partitions) > 3 {
				t.Errorf("segment %d: page of %d partitions, want at most 3", seg, len(out.Partitions))
			}
			for _, p := range out.Partitions {
				seen[p.Values[0]]++
				inSegment++
			}
		}
		if want := (23 - int(seg) + 3) / 4; inSegment != want {
			t.Errorf("segment %d holds %d partitions, want %d", seg, inSegment, want)
		}
	}
	if len(seen) != 23 {
		t.Errorf("segments together hold %d distinct partitions, want 23", len(seen))
	}
	for v, n := range seen {
		if n != 1 {
			t.Errorf("partition %s appeared in %d segments", v, n)
		}
	}

	_, err = client.GetPartitions(ctx, &glue.GetPartitionsInput{
		DatabaseName: aws.String("db"), TableName: aws.String("events"),
		Segment: &gluetypes.Segment{SegmentNumber: 4, TotalSegments: aws.Int32(4)},
	})
	var invalid *gluetypes.InvalidInputException
	if !errorsAs(err, &invalid) {
		t.Errorf("segment 4 of 4: err = %v, want InvalidInputException", err)
	}
}

func TestPagerTokensAreTiedToTheirRequest(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "300000000003")
	createTables(t, cust.AWS, "a", 3)
	createTables(t, cust.AWS, "b", 3)
	pager := NewGluePager(t, srv.URL(), 2)
	client := glue.NewFromConfig(pager.AWSConfig(cust.AWS))
	ctx := context.Background()

	first, err := client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	// Tables added mid-listing do not show up in the listing's later pages.
	_, err = glue.NewFromConfig(cust.AWS).CreateTable(ctx, &glue.CreateTableInput{
		DatabaseName: aws.String("a"), TableInput: &gluetypes.TableInput{Name: aws.String("late")},
	})
	if err != nil {
		t.Fatal(err)
	}
	second, err := client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("a"), NextToken: first.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(second.TableList) != 1 || second.NextToken != nil {
		t.Errorf("second page: %d tables, NextToken %v; want 1 table and no token", len(second.TableList), second.NextToken)
	}

	_, err = client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("b"), NextToken: first.NextToken})
	if code := apiCode(err); code != "InvalidInputException" || !strings.Contains(err.Error(), "was not issued for this request") {
		t.Errorf("token of database a used for b: err = %v, want InvalidInputException", err)
	}
}

func TestPagerFaults(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := CustomerRole(t, srv, "300000000004")
	createTables(t, cust.AWS, "good", 1)
	createTables(t, cust.AWS, "secret", 1)
	pager := NewGluePager(t, srv.URL(), 100)
	cfg := pager.AWSConfig(cust.AWS)
	cfg.RetryMaxAttempts = 0 // AWSConfig's 1 would override the retryer's 3
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	client := glue.NewFromConfig(cfg)
	ctx := context.Background()

	pager.FailNext("GetDatabases", 2, "ThrottlingException", 400)
	if _, err := client.GetDatabases(ctx, &glue.GetDatabasesInput{}); err != nil {
		t.Fatalf("after two throttles the third attempt should pass: %v", err)
	}
	if got := pager.Count("GetDatabases"); got != 3 {
		t.Errorf("GetDatabases calls = %d, want 3 (two throttled, one retry that passed)", got)
	}

	pager.FailNext("GetDatabases", 1, "AccessDeniedException", 400)
	_, err := client.GetDatabases(ctx, &glue.GetDatabasesInput{})
	var denied *gluetypes.AccessDeniedException
	if !errorsAs(err, &denied) {
		t.Errorf("err = %v, want AccessDeniedException", err)
	}

	pager.FailWhen(func(op string, body []byte) *Fault {
		var in struct{ DatabaseName string }
		_ = json.Unmarshal(body, &in)
		if op == "GetTables" && in.DatabaseName == "secret" {
			return &Fault{Code: "AccessDeniedException", Status: 400, Message: "no access to secret"}
		}
		return nil
	})
	if _, err := client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("good")}); err != nil {
		t.Errorf("GetTables good: %v", err)
	}
	_, err = client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("secret")})
	if !errorsAs(err, &denied) || !strings.Contains(err.Error(), "no access to secret") {
		t.Errorf("GetTables secret: err = %v, want AccessDeniedException", err)
	}
	pager.FailWhen(nil)

	if w := pager.WriteOps(); len(w) != 0 {
		t.Errorf("write calls went out: %v", w)
	}
	if _, err := client.DeleteTable(ctx, &glue.DeleteTableInput{DatabaseName: aws.String("good"), Name: aws.String("t000")}); err != nil {
		t.Fatal(err)
	}
	if w := pager.WriteOps(); !slices.Equal(w, []string{"DeleteTable"}) {
		t.Errorf("WriteOps = %v, want [DeleteTable]", w)
	}
	reqs := pager.Requests()
	if last := reqs[len(reqs)-1]; last.Service != "glue" || last.Op != "DeleteTable" {
		t.Errorf("last request = %s %s, want glue DeleteTable", last.Service, last.Op)
	}
}
