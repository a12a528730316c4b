package mcpserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// TestLiveDeadline: against an endpoint that never answers, a live tool
// call ends at its deadline with an error naming the tool, the deadline,
// the AWS operation and the catalog tool that answers instead.
func TestLiveDeadline(t *testing.T) {
	// The endpoint holds every request until the caller gives up or the
	// test ends. The body is read first: only then does the server notice
	// a caller hanging up.
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(stop) })

	e := newCatalogEnv(t)
	// Static keys and no role: the first request is the tool's own.
	for _, c := range []struct{ name, typ string }{{"slow-glue", "glue"}, {"slow-s3", "s3"}} {
		cfg, _ := json.Marshal(map[string]any{"type": c.typ, "accessLevel": catalog.ReadWrite, "awsConfig": map[string]any{
			"awsRegion": moto.Region, "endPointURL": slow.URL}})
		sealed, err := e.box.SealFor([]byte(`{"awsAccessKeyId":"test","awsSecretAccessKey":"test"}`), c.name)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := e.store.PutConnection(e.ctx, catalog.Connection{Name: c.name, SourceType: c.typ, Region: moto.Region,
			AccessLevel: catalog.ReadWrite, EndpointURL: slow.URL, Config: cfg, Secrets: sealed, Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
	}
	const deadline = 300 * time.Millisecond
	e.srv = New(Options{Store: e.store, Secrets: e.box, Logger: quietLogger(), LiveDeadline: deadline, QueryWait: 100 * time.Millisecond})

	// Each live tool's description states this server's deadline; catalog
	// tools, which have none, say nothing.
	cs := connectInMemory(t, e, Scope{Name: "deadline"})
	if got := cs.InitializeResult().Instructions; !strings.Contains(got, "each call ends within 0.3 s") {
		t.Errorf("instructions do not state this server's deadline: %q", got)
	}
	tools := listTools(t, cs)
	for name, want := range map[string]string{
		"s3_list_objects":    "Max 0.3 s.",
		"athena_start_query": "Max wait + 0.3 s.",
		"search_catalog":     "",
	} {
		tool, ok := tools[name]
		switch {
		case !ok:
			t.Errorf("%s not listed", name)
		case want != "" && !strings.HasSuffix(tool.Description, " "+want):
			t.Errorf("%s: description %q does not end with %q", name, tool.Description, want)
		case want == "" && strings.Contains(tool.Description, "Max "):
			t.Errorf("%s: a catalog tool states a deadline: %q", name, tool.Description)
		}
	}

	cases := []struct {
		tool      string
		args      map[string]any
		fragments []string
	}{
		{"athena_list_query_executions", map[string]any{"connection": "slow-glue"},
			[]string{"unavailable: athena_list_query_executions stopped at its 300ms deadline", "Athena ListQueryExecutions did not answer in time",
				`search_catalog with kinds=["query_execution"]`}},
		{"s3_list_objects", map[string]any{"connection": "slow-s3", "bucket": "b"},
			[]string{"s3_list_objects stopped at its 300ms deadline", "S3 ListObjectsV2", "list_entities (kind bucket or container)"}},
		{"glue_get_column_statistics", map[string]any{"connection": "slow-glue", "database": "sales", "table": "orders", "columns": []string{"amount"}},
			[]string{"glue_get_column_statistics stopped", "Glue GetColumnStatisticsForTable", "get_table_schema"}},
		// A write: the deadline includes the query wait, and the agent is
		// told the change may have happened.
		{"athena_start_query", map[string]any{"connection": "slow-glue", "query": "SELECT 1"},
			[]string{"athena_start_query stopped at its 400ms deadline", "Athena StartQueryExecution", "may have applied"}},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cs := tr.connect(t, e, Scope{Name: "deadline"})
			for _, c := range cases {
				t.Run(c.tool, func(t *testing.T) {
					// Bounded: a hang fails here instead of stalling the package.
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
					if err != nil {
						t.Fatalf("%s: %v", c.tool, err)
					}
					wantToolError(t, res, c.fragments...)
				})
			}
		})
	}
}
