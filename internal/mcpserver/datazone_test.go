package mcpserver

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/datazone"
	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

// The DataZone connections of a dz env: a ReadWrite one and its ReadOnly
// twin, both scanned from the same fake estate.
const (
	connDZ   = "dz"
	connDZRO = "dz-ro"
)

var dzReadTools = []string{"datazone_search", "datazone_get_asset", "datazone_list_projects", "datazone_get_glossary_term"}

var dzWriteTools = []string{"datazone_write_asset", "datazone_write_data_source"}

// dzWriteOps are the DataZone writes, as operation names: the tool
// (dzTool) and its action.
var dzWriteOps = []string{"create_asset", "update_asset", "delete_asset", "publish_asset",
	"unpublish_asset", "create_data_source", "update_data_source", "delete_data_source"}

func dzTool(op string) string {
	if strings.HasSuffix(op, "_data_source") {
		return "datazone_write_data_source"
	}
	return "datazone_write_asset"
}

type dzEnv struct {
	*env
	fake *datazonefake.Fake
}

// newDZEnv adds to a catalog env a DataZone fake holding the seeded estate
// of a moto customer account, two connections to it, and their scans.
func newDZEnv(t *testing.T) *dzEnv {
	t.Helper()
	srv := motoSrv.Server(t)
	e := newCatalogEnv(t)
	acct := accountFor(t.Name())
	cust := moto.CustomerRole(t, srv, acct)
	fake := datazonefake.New(t, srv.URL(), 50, "test")
	fake.Edit(acct, func(es *datazonefake.Estate) { *es = *datazonefake.Seed(acct) })
	reg := source.NewRegistry()
	datazone.Register(reg)
	spec, _ := reg.Lookup("datazone")
	for _, c := range []struct {
		name  string
		level catalog.AccessLevel
	}{{connDZ, catalog.ReadWrite}, {connDZRO, catalog.ReadOnly}} {
		awsCfg := awsconn.Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: fake.URL(), Region: moto.Region,
			AssumeRoleARN: cust.RoleARN, AssumeRoleExternalID: "lakemap-test"}
		cfg, _ := json.Marshal(map[string]any{"type": "DataZone", "accessLevel": c.level, "awsConfig": map[string]any{
			"awsRegion": moto.Region, "endPointURL": fake.URL(), "assumeRoleArn": cust.RoleARN, "assumeRoleExternalId": "lakemap-test"}})
		sealed, err := e.box.SealFor([]byte(`{"awsAccessKeyId":"test","awsSecretAccessKey":"test"}`), c.name)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		if err := e.store.PutConnection(e.ctx, catalog.Connection{Name: c.name, SourceType: "datazone", RoleARN: cust.RoleARN, ExternalID: "lakemap-test",
			Region: moto.Region, AccessLevel: c.level, EndpointURL: fake.URL(), Config: cfg, Secrets: sealed, Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
		sess, err := awsconn.NewSession(e.ctx, awsCfg, awsconn.Options{ServiceName: c.name, MaxAttempts: 5, MaxBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		conn := spec.NewConnection()
		src, err := spec.New(source.Params{ServiceName: c.name, Connection: conn, SourceConfig: spec.NewSourceConfig(), AWS: sess})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&scan.Runner{Store: e.store}).Run(e.ctx, c.name, "datazone", src); err != nil {
			t.Fatalf("scanning %s: %v", c.name, err)
		}
	}
	fake.ClearRequests()
	return &dzEnv{env: e, fake: fake}
}

// Seeded names (datazonefake.Seed).
const (
	dzDomain0  = "Sales Analytics"
	dzProject1 = "Team 01"
)

func dzAssetFQN(svc, project, asset string) string {
	return catalog.JoinFQN(svc, dzDomain0, project, asset)
}

func TestDataZoneToolVisibility(t *testing.T) {
	e := newDZEnv(t)
	for _, tc := range []struct {
		name      string
		scope     Scope
		want, not []string
	}{
		{"ReadWrite connection", Scope{Connections: []string{connDZ}}, append(append([]string{}, dzReadTools...), dzWriteTools...), []string{"athena_start_query"}},
		{"ReadOnly connection", Scope{Connections: []string{connDZRO}}, dzReadTools, dzWriteTools},
		{"read-only token", Scope{ReadOnly: true}, dzReadTools, dzWriteTools},
		{"Glue only", Scope{Connections: []string{connGlue}}, nil, append(append([]string{}, dzReadTools...), dzWriteTools...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tools := listTools(t, connectInMemory(t, e.env, tc.scope))
			for _, n := range tc.want {
				if tools[n] == nil {
					t.Errorf("tools/list lacks %s", n)
				}
			}
			for _, n := range tc.not {
				if tools[n] != nil {
					t.Errorf("tools/list shows %s", n)
				}
			}
			for _, n := range tc.want {
				a := tools[n].Annotations
				write := strings.Contains(strings.Join(dzWriteTools, ","), n)
				_, destructive, _, _ := hints(a)
				if write == a.ReadOnlyHint || (strings.Contains(n, "delete") && !destructive) || (write && a.DestructiveHint == nil) {
					t.Errorf("%s: annotations %+v", n, a)
				}
			}
		})
	}
}

func TestDataZoneReadTools(t *testing.T) {
	e := newDZEnv(t)
	cs := connectInMemory(t, e.env, Scope{Connections: []string{connDZRO}})
	orders := dzAssetFQN(connDZRO, dzProject1, "orders")

	t.Run("search with facets", func(t *testing.T) {
		var out DZSearchOutput
		mustCall(t, cs, "datazone_search", map[string]any{"connection": connDZRO, "query": "orders", "limit": 5}, &out)
		if out.Total == 0 || len(out.Hits) != 5 || out.NextCursor == "" || out.Facets["kind"]["asset"] == 0 || len(out.Facets["domain"]) == 0 {
			t.Fatalf("search: %+v", out)
		}
		var next DZSearchOutput
		mustCall(t, cs, "datazone_search", map[string]any{"connection": connDZRO, "query": "orders", "limit": 5, "cursor": out.NextCursor}, &next)
		if len(next.Hits) == 0 || next.Hits[0].FQN == out.Hits[0].FQN {
			t.Errorf("second page: %+v", next.Hits)
		}
		var narrow DZSearchOutput
		mustCall(t, cs, "datazone_search", map[string]any{"connection": connDZRO, "query": "orders", "domain": "dzd_0001", "project": dzProject1, "kinds": []string{"asset"}}, &narrow)
		if len(narrow.Hits) != 1 || narrow.Hits[0].FQN != orders || narrow.Hits[0].Project != catalog.JoinFQN(connDZRO, dzDomain0, dzProject1) {
			t.Errorf("narrowed search: %+v", narrow)
		}
		var terms DZSearchOutput
		mustCall(t, cs, "datazone_search", map[string]any{"connection": connDZRO, "query": "Revenue"}, &terms)
		if terms.Facets["kind"]["glossary_term"] != 1 {
			t.Errorf("glossary term search: %+v", terms)
		}
	})
	t.Run("get asset, catalogued and live", func(t *testing.T) {
		var v DZAssetView
		mustCall(t, cs, "datazone_get_asset", map[string]any{"connection": connDZRO, "asset": orders}, &v)
		if v.Source != "catalog" || v.ID != "a0010" || !v.Listed || len(v.Forms) != 3 || len(v.GlossaryTerms) != 1 || v.GlueTableArn == "" || len(v.Revisions) != 1 {
			t.Errorf("catalogued asset: %+v", v)
		}
		if e.fake.Count("GetAsset") != 0 {
			t.Error("a catalogued read called DataZone")
		}
		var live DZAssetView
		mustCall(t, cs, "datazone_get_asset", map[string]any{"connection": connDZRO, "asset": "a0013", "domain": dzDomain0, "live": true}, &live)
		if live.Source != "live" || live.Name != "returns" || live.Listed || len(live.Forms) != 3 || e.fake.Count("GetAsset") != 1 {
			t.Errorf("live asset: %+v", live)
		}
	})
	t.Run("list projects", func(t *testing.T) {
		var out DZProjectsOutput
		mustCall(t, cs, "datazone_list_projects", map[string]any{"connection": connDZRO, "limit": 10}, &out)
		if out.Total != datazonefake.SeedDomains*datazonefake.SeedProjectsPerDomain || len(out.Projects) != 10 || out.NextCursor != "10" {
			t.Errorf("projects: total %d, %d shown, cursor %q", out.Total, len(out.Projects), out.NextCursor)
		}
		mustCall(t, cs, "datazone_list_projects", map[string]any{"connection": connDZRO, "domain": "Finance"}, &out)
		if out.Total != datazonefake.SeedProjectsPerDomain || out.Projects[0].DomainID != "dzd_0002" {
			t.Errorf("Finance projects: %+v", out)
		}
	})
	t.Run("glossary term", func(t *testing.T) {
		var v DZTerm
		mustCall(t, cs, "datazone_get_glossary_term", map[string]any{"connection": connDZRO, "term": "t-rev", "domain": "dzd_0001"}, &v)
		if v.Name != "Revenue" || v.GlossaryName != "Business Terms" || len(v.IsA) != 1 || !strings.HasSuffix(v.IsA[0], "KPI") {
			t.Errorf("term: %+v", v)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			tool string
			args map[string]any
			want string
		}{
			{"datazone_search", map[string]any{"query": " "}, "query is required"},
			{"datazone_search", map[string]any{"query": "x", "kinds": []string{"table"}}, "not a DataZone kind"},
			{"datazone_search", map[string]any{"query": "x", "cursor": "zz"}, "cursor"},
			{"datazone_search", map[string]any{"query": "x", "domain": "Nowhere"}, "no domain"},
			{"datazone_get_asset", map[string]any{"asset": "a0010"}, "give its domain"},
			{"datazone_get_asset", map[string]any{"asset": "nope", "domain": dzDomain0}, "no catalogued asset"},
			{"datazone_get_asset", map[string]any{"asset": catalog.JoinFQN(connDZRO, dzDomain0)}, "not a DataZone asset"},
			{"datazone_get_asset", map[string]any{"asset": orders, "connection": connGlueRO}, "datazone connection"},
			{"datazone_list_projects", map[string]any{"limit": -1}, "limit"},
			{"datazone_get_glossary_term", map[string]any{"term": ""}, "term is required"},
		} {
			args := map[string]any{"connection": connDZRO}
			for k, v := range tc.args {
				args[k] = v
			}
			wantToolError(t, call(t, connectInMemory(t, e.env, Scope{}), tc.tool, args, nil), tc.want)
		}
	})
	if w := e.fake.WriteRequests(); len(w) != 0 {
		t.Errorf("reads sent writes: %+v", w)
	}
}

func dzWriteArgs(conn string) map[string]map[string]any {
	asset := dzAssetFQN(conn, dzProject1, "orders")
	ds := catalog.JoinFQN(conn, dzDomain0, dzProject1, "data_source:glue-import")
	return map[string]map[string]any{
		"create_asset":       {"connection": conn, "action": "create", "domain": dzDomain0, "project": dzProject1, "name": "refunds", "typeIdentifier": "amazon.datazone.GlueTableAssetType"},
		"update_asset":       {"connection": conn, "action": "update", "asset": asset, "description": "new words"},
		"delete_asset":       {"connection": conn, "action": "delete", "asset": asset, "confirm": "orders"},
		"publish_asset":      {"connection": conn, "action": "publish", "asset": asset},
		"unpublish_asset":    {"connection": conn, "action": "unpublish", "asset": asset, "confirm": "orders"},
		"create_data_source": {"connection": conn, "action": "create", "domain": dzDomain0, "project": dzProject1, "name": "more", "environment": "env001", "databases": []string{"lake_0"}},
		"update_data_source": {"connection": conn, "action": "update", "dataSource": ds, "schedule": "cron(0 4 * * ? *)"},
		"delete_data_source": {"connection": conn, "action": "delete", "dataSource": ds, "confirm": "glue-import"},
	}
}

func TestDataZoneWritesRefusedOnReadOnly(t *testing.T) {
	e := newDZEnv(t)
	args := dzWriteArgs(connDZRO)
	mixed := connectInMemory(t, e.env, Scope{})
	roConns := connectInMemory(t, e.env, Scope{Connections: []string{connDZRO}})
	roToken := connectInMemory(t, e.env, Scope{ReadOnly: true})
	for _, op := range dzWriteOps {
		tool := dzTool(op)
		wantToolError(t, call(t, mixed, tool, args[op], nil), "access_denied", "is ReadOnly", "nothing was sent to AWS")
		// Absent from these sessions' tools/list, the write tools answer
		// why rather than "unknown tool" (gating_test.go).
		for _, cs := range []*mcp.ClientSession{roConns, roToken} {
			wantToolError(t, call(t, cs, tool, dzWriteArgs(connDZ)[op], nil), "access_denied", "is available only on ReadWrite connections")
		}
	}
	if reqs := e.fake.Requests(); len(reqs) != 0 {
		t.Errorf("refused writes reached DataZone: %+v", reqs)
	}
}

func TestDataZoneWrites(t *testing.T) {
	e := newDZEnv(t)
	cs := connectInMemory(t, e.env, Scope{Connections: []string{connDZ}})
	args := dzWriteArgs(connDZ)
	get := func(fqn string) catalog.Entity {
		t.Helper()
		ent, err := e.store.Get(e.ctx, fqn)
		if err != nil {
			t.Fatalf("catalog lacks %s: %v", fqn, err)
		}
		return ent
	}

	t.Run("confirm must repeat the name", func(t *testing.T) {
		bad := map[string]any{}
		for k, v := range args["delete_asset"] {
			bad[k] = v
		}
		bad["confirm"] = "invoices"
		wantToolError(t, call(t, cs, "datazone_write_asset", bad, nil), "confirm must repeat", "nothing was sent")
		if len(e.fake.WriteRequests()) != 0 {
			t.Fatal("an unconfirmed delete was sent")
		}
	})
	t.Run("create, revise, publish, unpublish, delete an asset", func(t *testing.T) {
		create := args["create_asset"]
		create["externalIdentifier"] = "arn:aws:glue:us-east-1:123456789012:table/lake_0/refunds"
		create["forms"] = []any{map[string]any{"formName": "BusinessMetadata", "typeIdentifier": datazonefake.FormBusiness, "content": map[string]any{"owner": "me"}}}
		create["clientToken"] = "create-refunds-1"
		var out DZWriteOutput
		mustCall(t, cs, "datazone_write_asset", create, &out)
		fqn := dzAssetFQN(connDZ, dzProject1, "refunds")
		if out.FQN != fqn || out.ID == "" {
			t.Fatalf("create: %+v", out)
		}
		if a := get(fqn); a.Attrs["glueTableArn"] == nil || a.Attrs["forms"] == nil || a.Attrs["listed"] != false {
			t.Errorf("created asset in the catalog: %+v", a.Attrs)
		}
		var hits DZSearchOutput
		mustCall(t, cs, "datazone_search", map[string]any{"connection": connDZ, "query": "refunds"}, &hits)
		if len(hits.Hits) == 0 || hits.Hits[0].FQN != fqn {
			t.Errorf("search after create: %+v", hits)
		}
		mustCall(t, cs, "datazone_write_asset", map[string]any{"connection": connDZ, "action": "update", "asset": fqn, "description": "money back"}, &out)
		if a := get(fqn); out.Revision != "2" || a.Description != "money back" || a.Attrs["revisionCount"] != float64(2) || a.Attrs["forms"] == nil {
			t.Errorf("revised asset: %+v %+v", out, a)
		}
		mustCall(t, cs, "datazone_write_asset", map[string]any{"connection": connDZ, "action": "publish", "asset": fqn}, &out)
		listing := get(catalog.Child(catalog.JoinFQN(connDZ, dzDomain0), "listing:"+out.ListingID))
		if listing.Deleted || listing.Attrs["assetFqn"] != fqn || get(fqn).Attrs["listed"] != true {
			t.Errorf("published: %+v", listing)
		}
		mustCall(t, cs, "datazone_write_asset", map[string]any{"connection": connDZ, "action": "unpublish", "asset": fqn, "confirm": "refunds"}, &out)
		if !get(listing.FQN).Deleted || get(fqn).Attrs["listed"] != false {
			t.Error("unpublished listing still live in the catalog")
		}
		mustCall(t, cs, "datazone_write_asset", map[string]any{"connection": connDZ, "action": "delete", "asset": fqn, "confirm": "refunds"}, &out)
		if !get(fqn).Deleted || get(dzAssetFQN(connDZ, dzProject1, "invoices")).Deleted {
			t.Error("delete: wrong catalog state")
		}
	})
	t.Run("data sources", func(t *testing.T) {
		var out DZWriteOutput
		mustCall(t, cs, "datazone_write_data_source", args["create_data_source"], &out)
		created := catalog.JoinFQN(connDZ, dzDomain0, dzProject1, "data_source:more")
		if out.FQN != created || get(created).Attrs["configuration"] == nil {
			t.Errorf("create data source: %+v", out)
		}
		mustCall(t, cs, "datazone_write_data_source", args["update_data_source"], &out)
		ds := get(catalog.JoinFQN(connDZ, dzDomain0, dzProject1, "data_source:glue-import"))
		if ds.Attrs["schedule"] != "cron(0 4 * * ? *)" {
			t.Errorf("updated data source: %+v", ds.Attrs)
		}
		mustCall(t, cs, "datazone_write_data_source", args["delete_data_source"], &out)
		if !get(ds.FQN).Deleted || get(created).Deleted {
			t.Error("delete data source: wrong catalog state")
		}
	})
	var ops []string
	for _, r := range e.fake.WriteRequests() {
		ops = append(ops, r.Op)
	}
	want := "CreateAsset CreateAssetRevision CreateListingChangeSet CreateListingChangeSet DeleteAsset CreateDataSource UpdateDataSource DeleteDataSource"
	if strings.Join(ops, " ") != want {
		t.Errorf("write requests %v, want %s", ops, want)
	}
}

// TestToolsListSizeWithDataZone: a session reaching Glue, S3 and DataZone
// connections, all ReadWrite, sees every tool lakemap has; its tools/list
// stays under the same bound as any other (maxToolsListBytes).
func TestToolsListSizeWithDataZone(t *testing.T) {
	e := newDZEnv(t)
	tools := listTools(t, connectInMemory(t, e.env, Scope{Name: "all"}))
	list := make([]*mcp.Tool, 0, len(tools))
	for _, tool := range tools {
		list = append(list, tool)
	}
	b, _ := json.Marshal(map[string]any{"tools": list})
	t.Logf("tools/list: %d tools, %d bytes", len(list), len(b))
	if len(b) > maxToolsListBytes {
		t.Errorf("tools/list with DataZone is %d bytes, over %d", len(b), maxToolsListBytes)
	}
	if len(list) != len(e.srv.tools) {
		t.Errorf("%d tools listed, lakemap has %d: the widest session must see them all", len(list), len(e.srv.tools))
	}
}
