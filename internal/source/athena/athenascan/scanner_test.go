package athenascan

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"

	"github.com/lakemap/lakemap/internal/catalog"
)

// fakeAPI answers from fixed lists; deny makes every call AccessDenied.
type fakeAPI struct {
	catalogs   []string
	workgroups []string
	deny       bool
}

var errDenied = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}

func (f *fakeAPI) ListDataCatalogs(context.Context, *athena.ListDataCatalogsInput, ...func(*athena.Options)) (*athena.ListDataCatalogsOutput, error) {
	if f.deny {
		return nil, errDenied
	}
	out := &athena.ListDataCatalogsOutput{}
	for _, c := range f.catalogs {
		out.DataCatalogsSummary = append(out.DataCatalogsSummary, types.DataCatalogSummary{CatalogName: aws.String(c), Type: types.DataCatalogTypeGlue})
	}
	return out, nil
}
func (f *fakeAPI) GetDataCatalog(_ context.Context, in *athena.GetDataCatalogInput, _ ...func(*athena.Options)) (*athena.GetDataCatalogOutput, error) {
	return &athena.GetDataCatalogOutput{DataCatalog: &types.DataCatalog{Name: in.Name, Type: types.DataCatalogTypeGlue, Parameters: map[string]string{"catalog-id": "111122223333"}}}, nil
}
func (f *fakeAPI) ListWorkGroups(context.Context, *athena.ListWorkGroupsInput, ...func(*athena.Options)) (*athena.ListWorkGroupsOutput, error) {
	if f.deny {
		return nil, errDenied
	}
	out := &athena.ListWorkGroupsOutput{}
	for _, w := range f.workgroups {
		out.WorkGroups = append(out.WorkGroups, types.WorkGroupSummary{Name: aws.String(w)})
	}
	return out, nil
}
func (f *fakeAPI) GetWorkGroup(_ context.Context, in *athena.GetWorkGroupInput, _ ...func(*athena.Options)) (*athena.GetWorkGroupOutput, error) {
	return &athena.GetWorkGroupOutput{WorkGroup: &types.WorkGroup{Name: in.WorkGroup, State: types.WorkGroupStateEnabled}}, nil
}
func (f *fakeAPI) ListQueryExecutions(context.Context, *athena.ListQueryExecutionsInput, ...func(*athena.Options)) (*athena.ListQueryExecutionsOutput, error) {
	return &athena.ListQueryExecutionsOutput{}, nil
}
func (f *fakeAPI) BatchGetQueryExecution(context.Context, *athena.BatchGetQueryExecutionInput, ...func(*athena.Options)) (*athena.BatchGetQueryExecutionOutput, error) {
	return nil, errors.New("not called")
}
func (f *fakeAPI) GetQueryExecution(context.Context, *athena.GetQueryExecutionInput, ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error) {
	return nil, errors.New("not called")
}

type recordingSink struct {
	mu        sync.Mutex
	entities  []catalog.Entity
	completed []string
	warnings  []string
}

func (r *recordingSink) Emit(_ context.Context, es ...catalog.Entity) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entities = append(r.entities, es...)
	return nil
}
func (r *recordingSink) EmitComplete(ctx context.Context, es []catalog.Entity, done ...catalog.Listing) error {
	_ = r.Emit(ctx, es...)
	for _, l := range done {
		_ = r.Complete(ctx, l.ParentFQN, l.Kinds...)
	}
	return nil
}
func (r *recordingSink) EmitPart(ctx context.Context, _ string, es ...catalog.Entity) error {
	return r.Emit(ctx, es...)
}
func (r *recordingSink) Complete(_ context.Context, parent string, kinds ...catalog.Kind) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range kinds {
		r.completed = append(r.completed, parent+"/"+string(k))
	}
	return nil
}
func (r *recordingSink) Warn(_ context.Context, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, err.Error())
}
func (r *recordingSink) Progress(catalog.Kind, int) {}

func TestNamesStayUnique(t *testing.T) {
	s, err := New(&fakeAPI{catalogs: []string{"AwsDataCatalog", "sales"}, workgroups: []string{"primary", "sales", "AWSDATACATALOG"}}, "svc", DefaultOptions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A Glue database named "sales" lives beside them.
	s = s.WithReserved(func(name string) bool { return strings.EqualFold(name, "sales") })
	sink := &recordingSink{}
	catalogs, err := s.Scan(context.Background(), sink, "svc")
	if err != nil {
		t.Fatal(err)
	}
	var fqns []string
	for _, e := range sink.entities {
		fqns = append(fqns, string(e.Kind)+" "+e.FQN)
	}
	sort.Strings(fqns) // workgroups are read in parallel
	want := "data_catalog svc.AwsDataCatalog,data_catalog svc.data_catalog:sales,workgroup svc.primary,workgroup svc.workgroup:AWSDATACATALOG,workgroup svc.workgroup:sales"
	if got := strings.Join(fqns, ","); got != want {
		t.Errorf("FQNs:\n%s\nwant\n%s", got, want)
	}
	if len(catalogs) != 2 || GlueCatalogID(catalogs[1]) != "111122223333" {
		t.Errorf("catalogs = %+v", catalogs)
	}
	if strings.Join(sink.completed, ",") != "svc/data_catalog,svc/workgroup" {
		t.Errorf("completed = %v", sink.completed)
	}
}

func TestDeniedIsAWarningWithHint(t *testing.T) {
	s, err := New(&fakeAPI{deny: true}, "svc", DefaultOptions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.DenyHint = "set includeAthena: false"
	sink := &recordingSink{}
	if _, err := s.Scan(context.Background(), sink, "svc"); err != nil {
		t.Fatal(err)
	}
	if len(sink.warnings) != 2 || len(sink.completed) != 0 {
		t.Fatalf("warnings %q, completed %v: want two warnings and nothing declared complete", sink.warnings, sink.completed)
	}
	for _, w := range sink.warnings {
		if !strings.Contains(w, "access denied") || !strings.HasSuffix(w, "(set includeAthena: false)") {
			t.Errorf("warning %q", w)
		}
	}
}
