package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/store/sqlite"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) {
	if db := os.Getenv(stdioHelperEnv); db != "" {
		os.Exit(runStdioHelper(db))
	}
	os.Exit(motoSrv.Run(m))
}

// env is one test's lakemap: a seeded SQLite catalog, connections to a
// fresh moto customer account behind a recording proxy, and a Server.
type env struct {
	t      testing.TB
	ctx    context.Context
	store  catalog.Store
	tokens catalog.TokenStore
	box    *secrets.Box
	srv    *Server
	// db is the catalog file, for commands that open it themselves.
	db string
	// Live parts: nil without moto.
	cust   *moto.Customer
	pager  *moto.Pager
	front  *front
	bucket string
}

// Connections of every env. The -ro ones are ReadOnly twins.
const (
	connGlue   = "prod"
	connGlueRO = "prod-ro"
	connS3     = "lake"
	connS3RO   = "lake-ro"
)

// openCatalog opens the SQLite catalog at path.
func openCatalog(ctx context.Context, path string) (catalog.Store, error) {
	return sqlite.Open(ctx, path)
}

func openStore(t testing.TB, path string) catalog.Store {
	t.Helper()
	st, err := openCatalog(context.Background(), path)
	if err != nil {
		t.Fatalf("opening the catalog: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newCatalogEnv is an env without AWS: catalog tools only, connections
// pointing nowhere.
func newCatalogEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: filepath.Join(t.TempDir(), "catalog.db")}
	e.store = openStore(t, e.db)
	e.tokens = e.store
	box, err := secrets.NewBox("test key for mcpserver")
	if err != nil {
		t.Fatal(err)
	}
	e.box = box
	seedCatalog(t, e.store)
	e.putConnections("http://127.0.0.1:9", "arn:aws:iam::111111111111:role/LakemapAccess")
	e.srv = New(Options{Store: e.store, Secrets: box, Version: "test", QueryWait: 5 * time.Second, Logger: quietLogger()})
	return e
}

// newLiveEnv adds a moto customer account with S3, Athena and Glue data.
func newLiveEnv(t testing.TB) *env {
	t.Helper()
	srv := motoSrv.Server(t)
	e := newCatalogEnv(t)
	acct := accountFor(t.Name())
	cust := moto.CustomerRole(t, srv, acct)
	e.cust = &cust
	e.pager = moto.NewGluePager(t, srv.URL(), 50)
	e.front = newFront(t, e.pager.URL(), srv.URL())
	e.bucket = "raw-" + acct
	e.putConnections(e.front.URL(), cust.RoleARN)
	// The catalog knows the bucket, as a scan would have left it.
	upsert(t, e.store, connS3, []catalog.Entity{{FQN: catalog.Child(connS3, e.bucket), Kind: catalog.KindBucket, Service: connS3,
		ParentFQN: connS3, Name: e.bucket, Attrs: map[string]any{"region": moto.Region}}})
	seedAWS(t, e)
	return e
}

// accountFor gives each test its own 12-digit customer account, so tests
// sharing one moto never see each other's data.
func accountFor(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return fmt.Sprintf("3%011d", h.Sum64()%100_000_000_000)
}

// putConnections remembers the four connections the way ingest does: the
// serviceConnection config without secrets as JSON, the keys sealed.
func (e *env) putConnections(endpoint, role string) {
	e.t.Helper()
	for _, c := range []struct {
		name, typ string
		level     catalog.AccessLevel
	}{{connGlue, "glue", catalog.ReadWrite}, {connGlueRO, "glue", catalog.ReadOnly}, {connS3, "s3", catalog.ReadWrite}, {connS3RO, "s3", catalog.ReadOnly}} {
		cfg, _ := json.Marshal(map[string]any{"type": c.typ, "accessLevel": c.level, "awsConfig": map[string]any{
			"awsRegion": moto.Region, "endPointURL": endpoint, "assumeRoleArn": role, "assumeRoleExternalId": "lakemap-test"}})
		sealed, err := e.box.SealFor([]byte(`{"awsAccessKeyId":"test","awsSecretAccessKey":"test"}`), c.name)
		if err != nil {
			e.t.Fatal(err)
		}
		now := time.Now().UTC()
		err = e.store.PutConnection(e.ctx, catalog.Connection{Name: c.name, SourceType: c.typ, RoleARN: role, ExternalID: "lakemap-test",
			Region: moto.Region, AccessLevel: c.level, EndpointURL: endpoint, Config: cfg, Secrets: sealed, Created: now, Updated: now})
		if err != nil {
			e.t.Fatalf("putting connection %s: %v", c.name, err)
		}
	}
}

// putDataZoneConnection remembers a ReadWrite DataZone connection the way
// ingest does.
func (e *env) putDataZoneConnection(name, endpoint string) {
	e.t.Helper()
	cfg, _ := json.Marshal(map[string]any{"type": "DataZone", "accessLevel": catalog.ReadWrite, "awsConfig": map[string]any{
		"awsRegion": moto.Region, "endPointURL": endpoint}})
	sealed, err := e.box.SealFor([]byte(`{"awsAccessKeyId":"test","awsSecretAccessKey":"test"}`), name)
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := e.store.PutConnection(e.ctx, catalog.Connection{Name: name, SourceType: "datazone", Region: moto.Region,
		AccessLevel: catalog.ReadWrite, EndpointURL: endpoint, Config: cfg, Secrets: sealed, Created: now, Updated: now}); err != nil {
		e.t.Fatalf("putting connection %s: %v", name, err)
	}
}

// upsert writes entities in one scan of service.
func upsert(t testing.TB, st catalog.Store, service string, entities []catalog.Entity) {
	t.Helper()
	ctx := context.Background()
	sc, err := st.BeginScan(ctx, catalog.ScanStart{Service: service, SourceType: "test", Started: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	for len(entities) > 0 {
		n := min(len(entities), 500)
		if _, err := st.Upsert(ctx, sc.ID, entities[:n]); err != nil {
			t.Fatalf("upserting into %s: %v", service, err)
		}
		entities = entities[n:]
	}
	if err := st.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

// wideColumns is the width of prod.sales.wide: more than one page.
const wideColumns = 1500

// seedCatalog writes the catalog every test starts from.
func seedCatalog(t testing.TB, st catalog.Store) {
	t.Helper()
	for _, svc := range []string{connGlue, connGlueRO} {
		db := catalog.Child(svc, "sales")
		ents := []catalog.Entity{
			{FQN: svc, Kind: catalog.KindService, Service: svc, Name: svc, Attrs: map[string]any{"sourceType": "glue", "region": "us-east-1"}},
			{FQN: db, Kind: catalog.KindDatabase, Service: svc, ParentFQN: svc, Name: "sales", Description: "Sales data mart",
				Attrs: map[string]any{"locationUri": "s3://warehouse/sales/", "tableCount": int64(3)}},
		}
		ents = append(ents, table(svc, db, "orders", "Customer orders, one row per order", []col{
			{"order_id", "bigint", "primary key"}, {"customer_id", "bigint", "who ordered"}, {"amount", "decimal(10,2)", "order total"},
			{"status", "string", ""}, {"dt", "string", "order date"}}, "dt")...)
		ents = append(ents, table(svc, db, "daily.totals", "Totals per day", []col{{"day", "date", ""}, {"total", "double", ""}}, "")...)
		var wide []col
		for i := range wideColumns {
			wide = append(wide, col{fmt.Sprintf("c%04d", i), "string", strings.Repeat("wide column comment ", 3)})
		}
		ents = append(ents, table(svc, db, "wide", "A very wide table", wide, "")...)
		upsert(t, st, svc, ents)
	}
	upsert(t, st, connS3, []catalog.Entity{
		{FQN: connS3, Kind: catalog.KindService, Service: connS3, Name: connS3, Attrs: map[string]any{"sourceType": "s3"}},
		{FQN: catalog.Child(connS3, "landing"), Kind: catalog.KindBucket, Service: connS3, ParentFQN: connS3, Name: "landing",
			Attrs: map[string]any{"region": "us-east-1", "sizeBytes": int64(1 << 30), "objectCount": int64(1200)}},
		{FQN: catalog.JoinFQN(connS3, "landing", "events"), Kind: catalog.KindContainer, Service: connS3, ParentFQN: catalog.Child(connS3, "landing"),
			Name: "events", Description: "Click events", Attrs: map[string]any{"path": "events/", "format": "parquet", "fileCount": int64(42)}},
	})
}

type col struct{ name, typ, comment string }

func table(svc, db, name, desc string, cols []col, partitionKey string) []catalog.Entity {
	fqn := catalog.Child(db, name)
	out := []catalog.Entity{{FQN: fqn, Kind: catalog.KindTable, Service: svc, ParentFQN: db, Name: name, Description: desc,
		Attrs: map[string]any{"tableType": "EXTERNAL_TABLE", "format": "parquet", "location": "s3://warehouse/sales/" + name + "/",
			"columnCount": int64(len(cols)), "viewOriginalText": strings.Repeat("x", 10)}}}
	for i, c := range cols {
		attrs := map[string]any{"dataType": c.typ, "ordinal": int64(i)}
		if c.name == partitionKey {
			attrs["isPartitionKey"] = true
		}
		out = append(out, catalog.Entity{FQN: catalog.Child(fqn, c.name), Kind: catalog.KindColumn, Service: svc, ParentFQN: fqn,
			Name: c.name, Description: c.comment, Attrs: attrs})
	}
	return out
}

// quietLogger drops logs; set LAKEMAP_TEST_LOG=1 to see them.
func quietLogger() *slog.Logger {
	if os.Getenv("LAKEMAP_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}

// Clients over both transports.

type transport struct {
	name    string
	connect func(t testing.TB, e *env, scope Scope) *mcp.ClientSession
}

var transports = []transport{{"inmemory", connectInMemory}, {"http", connectHTTP}}

func newClient() *mcp.Client {
	return mcp.NewClient(&mcp.Implementation{Name: "lakemap-test", Version: "test"}, nil)
}

func connectInMemory(t testing.TB, e *env, scope Scope) *mcp.ClientSession {
	t.Helper()
	ms, err := e.srv.ForScope(e.ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	st, ct := mcp.NewInMemoryTransports()
	ss, err := ms.Connect(e.ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := newClient().Connect(e.ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close(); ss.Close() })
	return cs
}

// connectHTTP creates a token for the scope and connects through /mcp.
func connectHTTP(t testing.TB, e *env, scope Scope) *mcp.ClientSession {
	t.Helper()
	url, token := e.serveHTTP(t, scope)
	return connectHTTPWith(t, url, token)
}

func connectHTTPWith(t testing.TB, url, token string) *mcp.ClientSession {
	t.Helper()
	cs, err := newClient().Connect(context.Background(), &mcp.StreamableClientTransport{
		Endpoint: url, HTTPClient: bearerClient(token), DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connecting over HTTP: %v", err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// serveHTTP starts lakemap's /mcp on 127.0.0.1 with a fresh token for scope.
func (e *env) serveHTTP(t testing.TB, scope Scope) (url, token string) {
	t.Helper()
	token = e.createToken(t, scope)
	mux := http.NewServeMux()
	mux.Handle("/mcp", e.srv.HTTPHandler())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL + "/mcp", token
}

func (e *env) createToken(t testing.TB, scope Scope) string {
	t.Helper()
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	if err := e.tokens.CreateToken(e.ctx, catalog.Token{Name: name, Hash: hash, Connections: scope.Connections, ReadOnly: scope.ReadOnly, Created: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	return tok
}

type bearerTransport struct {
	token string
	base  http.RoundTripper
}

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.token != "" {
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return b.base.RoundTrip(r)
}

func bearerClient(token string) *http.Client {
	return &http.Client{Transport: bearerTransport{token: token, base: http.DefaultTransport}}
}

// call invokes a tool and decodes its structured result into out (when
// non-nil). It fails the test on a protocol error, not on a tool error.
func call(t testing.TB, cs *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s(%v): %v", tool, args, err)
	}
	if out != nil && !res.IsError {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: decoding structured result %s: %v", tool, b, err)
		}
	}
	return res
}

// mustCall is call that also fails on a tool error.
func mustCall(t testing.TB, cs *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	res := call(t, cs, tool, args, out)
	if res.IsError {
		t.Fatalf("%s(%v) failed: %s", tool, args, text(res))
	}
	return res
}

// text is a result's text content.
func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// wantToolError checks that a call failed as a tool error whose message
// holds every fragment.
func wantToolError(t testing.TB, res *mcp.CallToolResult, fragments ...string) {
	t.Helper()
	if !res.IsError {
		t.Fatalf("want a tool error holding %q, got success: %s", fragments, text(res))
	}
	msg := text(res)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("tool error %q lacks %q", msg, f)
		}
	}
}

// resultSize is a result's size on the wire, in bytes.
func resultSize(res *mcp.CallToolResult) int {
	b, _ := json.Marshal(res)
	return len(b)
}

func readAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
