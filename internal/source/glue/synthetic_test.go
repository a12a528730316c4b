package glue

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syntheticGlue is a Glue and Athena JSON 1.1 endpoint serving a generated
// catalog of any size with AWS's page sizes (100 tables per GetTables page,
// 1,000 partitions per GetPartitions page, 50 query ids per
// ListQueryExecutions page), with Segment support, injected latency and
// faults, so tests and the benchmark measure the scanner rather than an
// emulator. Nothing is stored: every page is generated on demand.
type syntheticGlue struct {
	databases, tablesPerDB, columnsPerTable int
	// partitions returns the partition count of table t of database d; nil
	// means none (and then tables have no partition keys).
	partitions        func(d, t int) int
	pageSize          int // tables per GetTables page
	partitionPageSize int // partitions per GetPartitions page
	functionsPerDB    int
	statsColumns      int // columns of each table that have statistics
	workgroups        int
	queriesPerWG      int
	latency           time.Duration
	// fault, when set, may answer a call with an error instead: it gets
	// the operation, the call's sequence number and the request body.
	fault func(op string, n int64, body []byte) *fakeFault
	now   time.Time
	// stats, when set, answers GETs of its paths with the JSON of what
	// the function returns (a fake in a child process reporting its
	// counts).
	stats map[string]func() any

	calls    atomic.Int64
	conns    atomic.Int64 // connections accepted
	inflight atomic.Int64
	// trace, when set, records (offset, in-flight) at each call start.
	trace    func(inflight int64)
	mu       sync.Mutex
	ops      map[string]int
	distinct map[string]map[string]bool
}

type fakeFault struct {
	code   string
	status int
	// hang: no answer at all, until the client gives up.
	hang bool
}

func (g *syntheticGlue) start(tb testing.TB) *httptest.Server {
	if g.pageSize == 0 {
		g.pageSize = 100
	}
	if g.partitionPageSize == 0 {
		g.partitionPageSize = 1000
	}
	if g.now.IsZero() {
		g.now = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	}
	g.ops = map[string]int{}
	g.distinct = map[string]map[string]bool{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(g.serve))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			g.conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

// count returns the calls made to op.
func (g *syntheticGlue) count(op string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ops[op]
}

// requests returns the distinct requests made to op: a call the SDK
// retried (after a connection reset, say) counts once.
func (g *syntheticGlue) requests(op string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.distinct[op])
}

type syntheticRequest struct {
	DatabaseName, TableName, NextToken, WorkGroup, Name string
	MaxResults                                          int
	Segment                                             *struct{ SegmentNumber, TotalSegments int }
	ColumnNames, QueryExecutionIds                      []string
}

// serve answers after exactly the injected latency, counted from the
// request's arrival: building a page of 1,000 partitions takes the fake
// several milliseconds of CPU, which AWS's latency already includes, so the
// answer is built first and the rest of the latency slept after.
func (g *syntheticGlue) serve(w http.ResponseWriter, r *http.Request) {
	if report, ok := g.stats[r.URL.Path]; ok && r.Method == http.MethodGet {
		_ = json.NewEncoder(w).Encode(report())
		return
	}
	arrived := time.Now()
	f := g.inflight.Add(1)
	defer g.inflight.Add(-1)
	if g.trace != nil {
		g.trace(f)
	}
	rec := httptest.NewRecorder()
	g.respond(rec, r)
	if wait := g.latency - time.Since(arrived); wait > 0 {
		time.Sleep(wait)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (g *syntheticGlue) respond(w http.ResponseWriter, r *http.Request) {
	n := g.calls.Add(1)
	target := r.Header.Get("X-Amz-Target")
	op := target[strings.LastIndexByte(target, '.')+1:]
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	g.ops[op]++
	if g.distinct[op] == nil {
		g.distinct[op] = map[string]bool{}
	}
	g.distinct[op][string(body)] = true
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if g.fault != nil {
		if f := g.fault(op, n, body); f != nil {
			if f.hang {
				<-r.Context().Done()
				return
			}
			w.WriteHeader(f.status)
			fmt.Fprintf(w, `{"__type":%q,"Message":"injected"}`, f.code)
			return
		}
	}
	var in syntheticRequest
	_ = json.Unmarshal(body, &in)
	start, _ := strconv.Atoi(in.NextToken)
	switch op {
	case "GetDatabases":
		var list []any
		for i := start; i < g.databases && i < start+g.pageSize; i++ {
			list = append(list, map[string]any{"Name": dbName(i), "Description": "synthetic database", "CatalogId": "123456789012"})
		}
		writePage(w, "DatabaseList", list, start+g.pageSize, g.databases)
	case "GetTables":
		d := indexOf(in.DatabaseName, "db_")
		var list []any
		for i := start; i < g.tablesPerDB && i < start+g.pageSize; i++ {
			list = append(list, g.table(d, i))
		}
		writePage(w, "TableList", list, start+g.pageSize, g.tablesPerDB)
	case "GetPartitions":
		g.getPartitions(w, in, start)
	case "GetColumnStatisticsForTable":
		g.columnStats(w, in)
	case "GetUserDefinedFunctions":
		var list []any
		for i := start; i < g.functionsPerDB && i < start+g.pageSize; i++ {
			list = append(list, map[string]any{
				"FunctionName": fmt.Sprintf("fn_%02d", i), "DatabaseName": in.DatabaseName, "ClassName": "com.example.Fn",
				"OwnerName": "etl", "OwnerType": "USER", "ResourceUris": []any{map[string]any{"ResourceType": "JAR", "Uri": "s3://jars/fn.jar"}},
			})
		}
		writePage(w, "UserDefinedFunctions", list, start+g.pageSize, g.functionsPerDB)
	case "ListDataCatalogs":
		writeJSON(w, map[string]any{"DataCatalogsSummary": []any{map[string]any{"CatalogName": "AwsDataCatalog", "Type": "GLUE"}}})
	case "GetDataCatalog":
		writeJSON(w, map[string]any{"DataCatalog": map[string]any{"Name": in.Name, "Type": "GLUE", "Description": "account catalog", "Parameters": map[string]string{"catalog-id": "123456789012"}}})
	case "ListWorkGroups":
		var list []any
		for i := 0; i < g.workgroups; i++ {
			list = append(list, map[string]any{"Name": wgName(i), "State": "ENABLED"})
		}
		writeJSON(w, map[string]any{"WorkGroups": list})
	case "GetWorkGroup":
		writeJSON(w, map[string]any{"WorkGroup": map[string]any{
			"Name": in.WorkGroup, "State": "ENABLED", "CreationTime": float64(g.now.Add(-24 * time.Hour).Unix()),
			"Configuration": map[string]any{
				"ResultConfiguration":           map[string]any{"OutputLocation": "s3://athena-results/" + in.WorkGroup + "/"},
				"EngineVersion":                 map[string]any{"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
				"EnforceWorkGroupConfiguration": true, "BytesScannedCutoffPerQuery": 10_000_000_000,
			},
		}})
	case "ListQueryExecutions":
		var ids []string
		for i := start; i < g.queriesPerWG && i < start+50; i++ {
			ids = append(ids, fmt.Sprintf("%s-q%05d", in.WorkGroup, i))
		}
		out := map[string]any{"QueryExecutionIds": ids}
		if start+50 < g.queriesPerWG {
			out["NextToken"] = strconv.Itoa(start + 50)
		}
		writeJSON(w, out)
	case "BatchGetQueryExecution":
		g.batchGetQueries(w, in)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"InvalidInputException","Message":"synthetic glue does not serve %s"}`, op)
	}
}

func dbName(i int) string { return fmt.Sprintf("db_%03d", i) }
func wgName(i int) string { return fmt.Sprintf("wg_%02d", i) }

func tableName(i int) string { return fmt.Sprintf("orders_%05d", i) }

func indexOf(name, prefix string) int {
	i, _ := strconv.Atoi(strings.TrimPrefix(name, prefix))
	return i
}

func (g *syntheticGlue) partitionCount(d, t int) int {
	if g.partitions == nil {
		return 0
	}
	return g.partitions(d, t)
}

func (g *syntheticGlue) table(d, i int) map[string]any {
	db := dbName(d)
	cols := make([]map[string]any, g.columnsPerTable)
	for c := range cols {
		cols[c] = map[string]any{"Name": columnName(c), "Type": []string{"bigint", "string", "timestamp", "decimal(10,2)"}[c%4], "Comment": "synthetic column"}
	}
	t := map[string]any{
		"Name": tableName(i), "DatabaseName": db, "Description": "synthetic orders table " + strconv.Itoa(i),
		"TableType":  "EXTERNAL_TABLE",
		"CreateTime": 1.7e9,
		"Parameters": map[string]string{"classification": "parquet"},
		"StorageDescriptor": map[string]any{
			"Columns": cols, "Location": fmt.Sprintf("s3://lake/%s/%s/", db, tableName(i)),
			"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
		},
	}
	if g.partitions != nil {
		t["PartitionKeys"] = []map[string]any{{"Name": "dt", "Type": "string"}}
	}
	return t
}

func columnName(c int) string {
	return fmt.Sprintf("col_%02d_%s", c, []string{"amount", "customer_id", "order_ts", "status"}[c%4])
}

// getPartitions serves one page of one segment: partition i of a table
// belongs to segment i % TotalSegments, and the token is the position
// within the segment.
func (g *syntheticGlue) getPartitions(w http.ResponseWriter, in syntheticRequest, start int) {
	d, t := indexOf(in.DatabaseName, "db_"), indexOf(in.TableName, "orders_")
	total := g.partitionCount(d, t)
	seg, segs := 0, 1
	if in.Segment != nil {
		seg, segs = in.Segment.SegmentNumber, in.Segment.TotalSegments
	}
	inSegment := (total - seg + segs - 1) / segs
	size := g.partitionPageSize
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	// Written by hand: encoding 500,000 partitions through maps would make
	// the fake, not the scanner, the benchmark's bottleneck.
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	b := make([]byte, 0, 400*size)
	b = append(b, `{"Partitions":[`...)
	for k := start; k < inSegment && k < start+size; k++ {
		i := seg + k*segs
		var dayBuf [10]byte
		day := base.Add(time.Duration(i)*24*time.Hour).AppendFormat(dayBuf[:0], "2006-01-02")
		if k > start {
			b = append(b, ',')
		}
		b = append(b, `{"Values":["`...)
		b = append(b, day...)
		b = append(b, `"],"DatabaseName":"`...)
		b = append(b, in.DatabaseName...)
		b = append(b, `","TableName":"`...)
		b = append(b, in.TableName...)
		b = append(b, `","CreationTime":`...)
		b = strconv.AppendInt(b, base.Unix()+int64(i)*86400, 10)
		b = append(b, `,"StorageDescriptor":{"Location":"s3://lake/`...)
		b = append(b, in.DatabaseName...)
		b = append(b, '/')
		b = append(b, in.TableName...)
		b = append(b, "/dt="...)
		b = append(b, day...)
		b = append(b, `/","InputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"},"Parameters":{"numRows":"`...)
		b = strconv.AppendInt(b, int64(i)*10, 10)
		b = append(b, `"}}`...)
	}
	b = append(b, ']')
	if start+size < inSegment {
		b = append(b, `,"NextToken":"`...)
		b = strconv.AppendInt(b, int64(start+size), 10)
		b = append(b, '"')
	}
	b = append(b, '}')
	_, _ = w.Write(b)
}

func (g *syntheticGlue) columnStats(w http.ResponseWriter, in syntheticRequest) {
	var list, errs []any
	for _, name := range in.ColumnNames {
		c, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "col_"), "_", 2)[0])
		if c >= g.statsColumns {
			errs = append(errs, map[string]any{"ColumnName": name, "Error": map[string]any{"ErrorCode": "EntityNotFoundException", "ErrorMessage": "no statistics"}})
			continue
		}
		list = append(list, map[string]any{
			"ColumnName": name, "ColumnType": "bigint", "AnalyzedTime": float64(g.now.Unix()),
			"StatisticsData": map[string]any{"Type": "LONG", "LongColumnStatisticsData": map[string]any{
				"MinimumValue": 1, "MaximumValue": 1000 + c, "NumberOfNulls": 3, "NumberOfDistinctValues": 900,
			}},
		})
	}
	writeJSON(w, map[string]any{"ColumnStatisticsList": list, "Errors": errs})
}

func (g *syntheticGlue) batchGetQueries(w http.ResponseWriter, in syntheticRequest) {
	var list []any
	for _, id := range in.QueryExecutionIds {
		wg, num, _ := strings.Cut(id, "-q")
		i, _ := strconv.Atoi(num)
		sql := fmt.Sprintf("SELECT count(*) FROM db_000.%s", tableName(i%max(g.tablesPerDB, 1)))
		if i%5 == 0 {
			sql = fmt.Sprintf("INSERT INTO db_001.%s SELECT * FROM db_000.%s", tableName(i%max(g.tablesPerDB, 1)), tableName(i%max(g.tablesPerDB, 1)))
		}
		submitted := g.now.Add(-time.Duration(i) * time.Minute)
		list = append(list, map[string]any{
			"QueryExecutionId": id, "Query": sql, "StatementType": "DML", "WorkGroup": wg,
			"QueryExecutionContext": map[string]any{"Database": "db_000", "Catalog": "AwsDataCatalog"},
			"Status":                map[string]any{"State": "SUCCEEDED", "SubmissionDateTime": float64(submitted.Unix()), "CompletionDateTime": float64(submitted.Add(2 * time.Second).Unix())},
			"Statistics":            map[string]any{"DataScannedInBytes": 1024 * i, "EngineExecutionTimeInMillis": 1500, "TotalExecutionTimeInMillis": 2000},
			"ResultConfiguration":   map[string]any{"OutputLocation": "s3://athena-results/" + id + ".csv"},
		})
	}
	writeJSON(w, map[string]any{"QueryExecutions": list, "UnprocessedQueryExecutionIds": []any{}})
}

func writePage(w http.ResponseWriter, key string, list []any, next, total int) {
	if list == nil {
		list = []any{}
	}
	out := map[string]any{key: list}
	if next < total {
		out["NextToken"] = strconv.Itoa(next)
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}
