package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// Objects seeded in every live env's bucket.
const (
	keyText    = "notes/readme.txt"
	textBody   = "hello lakemap\nsecond line\n"
	keyLong    = "notes/long.txt"
	keyParquet = "data/part-0.parquet"
	keyPNG     = "img/logo"
	manyKeys   = 120
	resultRows = 120
)

// longBody is 10,000+ bytes of text with multi-byte characters, so slices
// cut through them.
var longBody = strings.Repeat("résumé ünïcode line ✓\n", 400)

func seedAWS(t testing.TB, e *env) {
	t.Helper()
	ctx := context.Background()
	cfg := e.pager.AWSConfig(e.cust.AWS)
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(e.bucket)}); err != nil {
		t.Fatalf("creating bucket: %v", err)
	}
	put := func(key, ctype string, body []byte) {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(key), Body: bytes.NewReader(body), ContentType: aws.String(ctype)})
		if err != nil {
			t.Fatalf("putting %s: %v", key, err)
		}
	}
	put(keyText, "text/plain", []byte(textBody))
	put(keyLong, "text/plain; charset=utf-8", []byte(longBody))
	put(keyParquet, "application/octet-stream", append([]byte("PAR1\x15\x00\x15\x1c"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 64)...))
	put(keyPNG, "application/octet-stream", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 0x80}, 64)...))
	for i := range manyKeys {
		put(fmt.Sprintf("many/k%03d.txt", i), "text/plain", []byte("x"))
	}

	// Athena: one finished query whose results moto serves from its queue.
	seedAthenaResults(t, motoSrv.Server(t).URL(), e.cust.AccountID, resultRows)
	ath := athena.NewFromConfig(cfg)
	if _, err := ath.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT id, name FROM sales.orders"),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String("sales")}}); err != nil {
		t.Fatalf("starting the seed query: %v", err)
	}

	// Glue: a ruleset and statistics of two columns, through the fake.
	gc := glue.NewFromConfig(cfg)
	if _, err := gc.CreateDataQualityRuleset(ctx, &glue.CreateDataQualityRulesetInput{Name: aws.String("orders_checks"),
		Ruleset:     aws.String(`Rules = [ IsComplete "order_id", ColumnValues "amount" > 0 ]`),
		TargetTable: &gluetypes.DataQualityTargetTable{DatabaseName: aws.String("sales"), TableName: aws.String("orders")}}); err != nil {
		t.Fatalf("creating the seed ruleset: %v", err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := gc.UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{DatabaseName: aws.String("sales"), TableName: aws.String("orders"),
		ColumnStatisticsList: []gluetypes.ColumnStatistics{
			{ColumnName: aws.String("order_id"), ColumnType: aws.String("bigint"), AnalyzedTime: &at, StatisticsData: &gluetypes.ColumnStatisticsData{
				Type: gluetypes.ColumnStatisticsTypeLong, LongColumnStatisticsData: &gluetypes.LongColumnStatisticsData{MinimumValue: 1, MaximumValue: 9000, NumberOfDistinctValues: 8999}}},
			{ColumnName: aws.String("status"), ColumnType: aws.String("string"), AnalyzedTime: &at, StatisticsData: &gluetypes.ColumnStatisticsData{
				Type: gluetypes.ColumnStatisticsTypeString, StringColumnStatisticsData: &gluetypes.StringColumnStatisticsData{MaximumLength: 9, AverageLength: 6.5, NumberOfNulls: 2, NumberOfDistinctValues: 4}}},
		}}); err != nil {
		t.Fatalf("seeding column statistics: %v", err)
	}
	e.front.ClearOps()
	e.pager.ClearRequests()
}

// seedAthenaResults queues result sets for the account's next queries: a
// header row, then rows of (id, name).
func seedAthenaResults(t testing.TB, motoURL, account string, rows int) {
	t.Helper()
	data := []any{map[string]any{"Data": []any{map[string]any{"VarCharValue": "id"}, map[string]any{"VarCharValue": "name"}}}}
	for i := range rows {
		name := map[string]any{"VarCharValue": fmt.Sprintf("name-%03d", i)}
		if i == 1 {
			name = map[string]any{} // SQL NULL
		}
		data = append(data, map[string]any{"Data": []any{map[string]any{"VarCharValue": fmt.Sprint(i)}, name}})
	}
	result := map[string]any{"rows": data, "column_info": []any{
		map[string]any{"Name": "id", "Label": "id", "Type": "integer", "Nullable": "NOT_NULL", "CaseSensitive": false},
		map[string]any{"Name": "name", "Label": "name", "Type": "varchar", "Nullable": "NULLABLE", "CaseSensitive": true},
	}}
	body, _ := json.Marshal(map[string]any{"account_id": account, "region": moto.Region, "results": []any{result, result, result}})
	resp, err := http.Post(motoURL+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("seeding Athena results: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("seeding Athena results: status %d", resp.StatusCode)
	}
}

// firstQueryID returns the id of the seeded query.
func (e *env) firstQueryID(t testing.TB) string {
	t.Helper()
	out, err := athena.NewFromConfig(e.pager.AWSConfig(e.cust.AWS)).ListQueryExecutions(context.Background(), &athena.ListQueryExecutionsInput{})
	if err != nil || len(out.QueryExecutionIds) == 0 {
		t.Fatalf("listing seeded queries: %v", err)
	}
	return out.QueryExecutionIds[len(out.QueryExecutionIds)-1]
}
