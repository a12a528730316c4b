package web

import (
	"context"
	"sync"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/conntest"
)

// fakeConnections stands in for the connection service.
type fakeConnections struct {
	mu    sync.Mutex
	conns []catalog.Connection
}

func (f *fakeConnections) List(_ context.Context, projectID string) ([]catalog.Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []catalog.Connection
	for _, c := range f.conns {
		if c.ProjectID == projectID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeConnections) Save(_ context.Context, _ *auth.Principal, req ConnectRequest) error {
	if len(req.RoleARN) < 20 || req.RoleARN[:12] != "arn:aws:iam:" {
		return apperr.New(apperr.Invalid, "field \"roleArn\": %q is not an IAM role ARN: copy RoleArn from the stack's Outputs", req.RoleARN)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = append(f.conns, catalog.Connection{Name: req.Name, ProjectID: req.ProjectID, SourceType: req.Service, RoleARN: req.RoleARN,
		Region: req.Region, AccessLevel: catalog.AccessLevel(req.AccessLevel)})
	return nil
}

func (f *fakeConnections) Test(_ context.Context, _ *auth.Principal, _, name string) (conntest.Report, error) {
	return conntest.Report{Connection: name, Results: []conntest.Result{
		{Check: "assume role", Status: conntest.Pass},
		{Check: "GlueCatalogRead", Status: conntest.Pass},
		{Check: "S3DataRead", Status: conntest.Fail, Missing: []string{"s3:GetObject", "s3:ListBucket"},
			Advice: []string{"Attach the S3 statement of the permission policy to the role."}},
	}}, nil
}

// fakeTools lists two tools, one of them a write tool for readwrite.
type fakeTools struct{}

func (fakeTools) Tools(_ context.Context, _ string, scope catalog.TokenScope) ([]Tool, error) {
	out := []Tool{{Name: "search_catalog", Title: "Search the catalog"}}
	if scope == catalog.ScopeReadWrite {
		out = append(out, Tool{Name: "athena_start_query", Title: "Run an Athena query", Write: true})
	}
	return out, nil
}

// fakeScans has one running scan, 7, of connection "lake".
type fakeScans struct {
	mu        sync.Mutex
	cancelled []int64
}

func (f *fakeScans) History(_ context.Context, _, name string, _ int) ([]catalog.Scan, error) {
	return []catalog.Scan{{ID: 7, Service: name, SourceType: "glue", Status: catalog.ScanRunning, Started: time.Now()}}, nil
}

func (f *fakeScans) Start(context.Context, *auth.Principal, string, string) (int64, error) {
	return 8, nil
}

func (f *fakeScans) Cancel(_ context.Context, _ *auth.Principal, _, name string, id int64) error {
	if name != "lake" || id != 7 {
		return apperr.New(apperr.NotFound, "no scan %d of connection %q", id, name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancelled = append(f.cancelled, id)
	return nil
}

func (f *fakeScans) EventsURL(string, int64) string { return "" }
