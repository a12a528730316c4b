package storetest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// tenantData is what one connection holds in the tenancy estate: its
// entities, their history, a scan, lineage and an S3 location.
type tenantData struct {
	word    string // in every name of the connection's data, and nowhere else
	service string // the connection
	project *catalog.Project
	scanID  int64
}

func (d tenantData) root() string      { return catalog.JoinFQN(d.service) }
func (d tenantData) db() string        { return catalog.Child(d.root(), "db_"+d.word) }
func (d tenantData) table() string     { return catalog.Child(d.db(), "orders_"+d.word) }
func (d tenantData) view() string      { return catalog.Child(d.db(), "shared_view") }
func (d tenantData) column() string    { return catalog.Child(d.table(), "customer_"+d.word) }
func (d tenantData) container() string { return catalog.Child(d.root(), "lake_"+d.word) }

// tenantEstate fills s with two projects, A and B, one connection each, and
// a connection bound to no project. A's connection name has a dot, so its
// FQNs start with a quoted part. It also records lineage that crosses
// tenants: an edge from B's container into A's table, recorded by A's scan,
// and an edge between A's entities recorded by B's scan. A tenant of A must
// see neither: each names or reveals B.
func tenantEstate(t *testing.T, s catalog.Store) (a, b, loose tenantData) {
	t.Helper()
	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	pa, err := catalog.NewProject("tenant-a", now)
	must(t, err)
	pb, err := catalog.NewProject("tenant-b", now)
	must(t, err)
	must(t, s.CreateProject(ctx, pa))
	must(t, s.CreateProject(ctx, pb))
	a = tenantData{word: "alpha", service: "a.glue", project: &pa}
	b = tenantData{word: "bravo", service: "b_glue", project: &pb}
	loose = tenantData{word: "lima", service: "loose_glue"}
	all := []*tenantData{&a, &b, &loose}
	for _, d := range all {
		conn := catalog.Connection{Name: d.service, SourceType: "glue", Region: "eu-west-1", AccessLevel: catalog.ReadOnly, Created: now, Updated: now}
		if d.project != nil {
			conn.ProjectID, conn.ExternalID = d.project.ID, d.project.ExternalID
		}
		must(t, s.PutConnection(ctx, conn))
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: d.service, SourceType: "glue", Started: now})
		must(t, err)
		d.scanID = sc.ID
		mk := func(kind catalog.Kind, fqn, desc string) catalog.Entity {
			parent, _ := catalog.ParentFQN(fqn)
			return catalog.Entity{FQN: fqn, Kind: kind, Service: d.service, ParentFQN: parent, Description: desc}
		}
		_, err = s.Upsert(ctx, sc.ID, []catalog.Entity{
			mk(catalog.KindService, d.root(), ""),
			mk(catalog.KindDatabase, d.db(), "database "+d.word),
			mk(catalog.KindTable, d.table(), "orders of "+d.word),
			mk(catalog.KindColumn, d.column(), "customer of "+d.word),
			mk(catalog.KindTable, d.view(), "a view every tenant names alike"),
			mk(catalog.KindBucket, d.container(), "files of "+d.word),
		})
		must(t, err)
		must(t, s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: now}))
		must(t, s.ReplaceEdges(ctx, sc.ID, catalog.EdgeView, []string{d.view()}, []catalog.Edge{
			{From: d.table(), To: d.view(), Kind: catalog.EdgeView, Origin: d.view(), Service: d.service, At: now},
		}))
		must(t, s.ReplaceEdges(ctx, sc.ID, catalog.EdgeStorage, []string{d.table()}, []catalog.Edge{
			{From: d.container(), To: d.table(), Kind: catalog.EdgeStorage, Origin: d.table(), Service: d.service, At: now},
		}))
		must(t, s.ReplaceLocations(ctx, d.service, []catalog.Location{
			{FQN: d.container(), Kind: catalog.KindBucket, Service: d.service, Bucket: "shared-lake", Prefix: d.word + "/"},
		}))
	}
	// Crossing edges, under origins of their own so the edges above stay.
	must(t, s.ReplaceEdges(ctx, a.scanID, catalog.EdgeQuery, []string{catalog.Child(a.root(), "q1")}, []catalog.Edge{
		{From: b.container(), To: a.table(), Kind: catalog.EdgeQuery, Origin: catalog.Child(a.root(), "q1"), Service: a.service, At: now},
	}))
	must(t, s.ReplaceEdges(ctx, b.scanID, catalog.EdgeQuery, []string{catalog.Child(b.root(), "q2")}, []catalog.Edge{
		{From: a.column(), To: a.table(), Kind: catalog.EdgeQuery, Origin: catalog.Child(b.root(), "q2"), Service: b.service, At: now},
	}))
	return a, b, loose
}

// ownerOf is the connection an FQN lies under.
func ownerOf(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil {
		return "?" + fqn
	}
	return parts[0]
}

// tenantProbe reads one connection's data through one Reader method. seen
// says whether the data was returned; na that the probe does not apply
// (project reads of an unbound connection). visible says which services
// the reader may return: a probe fails on any other in a listing.
type tenantProbe func(r catalog.Reader, d tenantData, visible func(service string) bool) (seen, na bool, err error)

// found turns a single-item read into seen: NotFound is not seen, any other
// error fails the probe.
func found(err error) (bool, bool, error) {
	if apperr.Is(err, apperr.NotFound) {
		return false, false, nil
	}
	return err == nil, false, err
}

// leaked reports the first service in services that the reader must not see.
func leaked(what string, visible func(string) bool, services ...string) error {
	for _, svc := range services {
		if !visible(svc) {
			return fmt.Errorf("%s returned data of %q", what, svc)
		}
	}
	return nil
}

func entitiesSeen(what string, es []catalog.Entity, d tenantData, visible func(string) bool) (bool, bool, error) {
	seen := false
	for _, e := range es {
		if err := leaked(what, visible, e.Service); err != nil {
			return false, false, err
		}
		seen = seen || e.Service == d.service
	}
	return seen, false, nil
}

// searchSeen runs q; when unique, q's words match d's data alone, so a
// reader that may not see d must count no match at all.
func searchSeen(r catalog.Reader, q catalog.SearchQuery, unique bool, d tenantData, visible func(string) bool) (bool, bool, error) {
	res, err := r.Search(ctx, q)
	if err != nil {
		return false, false, err
	}
	seen := false
	for _, h := range res.Hits {
		if err := leaked("Search "+q.Text, visible, h.Service); err != nil {
			return false, false, err
		}
		seen = seen || h.Service == d.service
	}
	if unique && !visible(d.service) && (res.Total != 0 || len(res.Hits) != 0) {
		return false, false, fmt.Errorf("search %q counts %d hidden matches", q.Text, res.Total)
	}
	return seen, false, nil
}

func changesSeen(what string, cs []catalog.Change, d tenantData, visible func(string) bool) (bool, bool, error) {
	seen := false
	for _, c := range cs {
		if err := leaked(what, visible, ownerOf(c.FQN)); err != nil {
			return false, false, err
		}
		seen = seen || ownerOf(c.FQN) == d.service
	}
	return seen, false, nil
}

func edgesSeen(r catalog.Reader, fqn string, dir catalog.Direction, d tenantData, visible func(string) bool) (bool, bool, error) {
	edges, err := r.Edges(ctx, fqn, dir, 0)
	if err != nil {
		return false, false, err
	}
	for _, e := range edges {
		if err := leaked("Edges", visible, e.Service, ownerOf(e.From), ownerOf(e.To), ownerOf(e.Origin)); err != nil {
			return false, false, err
		}
	}
	return len(edges) > 0, false, nil
}

func tenantProbes() map[string]tenantProbe {
	return map[string]tenantProbe{
		"Get table": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			_, err := r.Get(ctx, d.table())
			return found(err)
		},
		"Get service": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			_, err := r.Get(ctx, d.root())
			return found(err)
		},
		"List children": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			p, err := r.List(ctx, catalog.ListQuery{ParentFQN: d.db(), IncludeDeleted: true})
			if err != nil {
				return false, false, err
			}
			return entitiesSeen("List children", p.Entities, d, v)
		},
		"List service roots": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			p, err := r.List(ctx, catalog.ListQuery{Service: d.service})
			if err != nil {
				return false, false, err
			}
			return entitiesSeen("List service", p.Entities, d, v)
		},
		"List all roots": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			p, err := r.List(ctx, catalog.ListQuery{})
			if err != nil {
				return false, false, err
			}
			return entitiesSeen("List roots", p.Entities, d, v)
		},
		"Stats of service": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			st, err := r.Stats(ctx, d.service)
			return len(st) > 0, false, err
		},
		"Search own word": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Text: d.word}, true, d, v)
		},
		"Search word prefix": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Text: d.word[:3]}, true, d, v)
		},
		"Search shared word": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Text: "orders", IncludeDeleted: true}, false, d, v)
		},
		"Search exact name": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Text: "shared_view"}, false, d, v)
		},
		"Search inside a word": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			// Three letters from inside the word: only the in-word pass finds them.
			return searchSeen(r, catalog.SearchQuery{Text: d.word[1:4]}, true, d, v)
		},
		"Search listing a kind": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Kinds: []catalog.Kind{catalog.KindBucket}}, false, d, v)
		},
		"Search listing a kind of service": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Kinds: []catalog.Kind{catalog.KindTable}, Services: []string{d.service}}, false, d, v)
		},
		"Search naming a kind": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			// No name holds "buckets": the search lists the buckets.
			return searchSeen(r, catalog.SearchQuery{Text: "buckets"}, false, d, v)
		},
		"Search by service": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return searchSeen(r, catalog.SearchQuery{Text: "customer", Services: []string{d.service}, Kinds: []catalog.Kind{catalog.KindColumn}}, false, d, v)
		},
		"History": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			cs, err := r.History(ctx, d.table(), 0)
			if err != nil {
				return false, false, err
			}
			return changesSeen("History", cs, d, v)
		},
		"Changes of service": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			cs, err := r.Changes(ctx, catalog.ChangesQuery{Service: d.service})
			if err != nil {
				return false, false, err
			}
			return changesSeen("Changes of service", cs, d, v)
		},
		"Changes under parent": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			cs, err := r.Changes(ctx, catalog.ChangesQuery{ParentFQN: d.db()})
			if err != nil {
				return false, false, err
			}
			return changesSeen("Changes under parent", cs, d, v)
		},
		"Changes of all": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			cs, err := r.Changes(ctx, catalog.ChangesQuery{Limit: catalog.MaxLimit})
			if err != nil {
				return false, false, err
			}
			return changesSeen("Changes", cs, d, v)
		},
		"GetScan": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			_, err := r.GetScan(ctx, d.scanID)
			return found(err)
		},
		"ListScans of service": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			scans, err := r.ListScans(ctx, d.service, 0)
			return len(scans) > 0, false, err
		},
		"ListScans of all": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			scans, err := r.ListScans(ctx, "", 0)
			seen := false
			for _, sc := range scans {
				if err := leaked("ListScans", v, sc.Service); err != nil {
					return false, false, err
				}
				seen = seen || sc.ID == d.scanID
			}
			return seen, false, err
		},
		"GetConnection": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			_, err := r.GetConnection(ctx, d.service)
			return found(err)
		},
		"ListConnections": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			conns, err := r.ListConnections(ctx)
			seen := false
			for _, c := range conns {
				if err := leaked("ListConnections", v, c.Name); err != nil {
					return false, false, err
				}
				seen = seen || c.Name == d.service
			}
			return seen, false, err
		},
		"GetProject by id": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			if d.project == nil {
				return false, true, nil
			}
			_, err := r.GetProject(ctx, d.project.ID)
			return found(err)
		},
		"GetProject by name": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			if d.project == nil {
				return false, true, nil
			}
			_, err := r.GetProject(ctx, d.project.Name)
			return found(err)
		},
		"ListProjects": func(r catalog.Reader, d tenantData, _ func(string) bool) (bool, bool, error) {
			if d.project == nil {
				return false, true, nil
			}
			ps, err := r.ListProjects(ctx)
			return slices.ContainsFunc(ps, func(p catalog.Project) bool { return p.ID == d.project.ID }), false, err
		},
		"Edges upstream": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return edgesSeen(r, d.view(), catalog.Upstream, d, v)
		},
		"Edges downstream": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return edgesSeen(r, d.container(), catalog.Downstream, d, v)
		},
		"Edges both": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			return edgesSeen(r, d.table(), catalog.Both, d, v)
		},
		"LocationsInBucket": func(r catalog.Reader, d tenantData, v func(string) bool) (bool, bool, error) {
			locs, err := r.LocationsInBucket(ctx, "shared-lake")
			seen := false
			for _, l := range locs {
				if err := leaked("LocationsInBucket", v, l.Service); err != nil {
					return false, false, err
				}
				seen = seen || l.Service == d.service
			}
			return seen, false, err
		},
	}
}

// testScopedReads: a scoped reader returns its tenant's data through every
// method and nothing of anyone else's: another project's ids, FQNs, names
// and words are NotFound or absent, exactly as if they did not exist.
func testScopedReads(t *testing.T, s catalog.Store) {
	a, b, loose := tenantEstate(t, s)
	// sees lists the connections whose data the tenant reads; projects
	// the connections whose project it reads (narrowing a tenant to some
	// connections keeps its projects readable).
	tenants := []struct {
		name     string
		tenant   catalog.Tenant
		sees     []string
		projects []string
	}{
		{"project A", catalog.Projects(a.project.ID), []string{a.service}, []string{a.service}},
		{"project B", catalog.Projects(b.project.ID), []string{b.service}, []string{b.service}},
		{"A and B", catalog.Projects(b.project.ID, a.project.ID), []string{a.service, b.service}, []string{a.service, b.service}},
		{"all projects", catalog.AllProjects(), []string{a.service, b.service, loose.service}, []string{a.service, b.service}},
		{"all narrowed to B", catalog.AllProjects().OnlyConnections(b.service), []string{b.service}, []string{a.service, b.service}},
		{"A narrowed to B's connection", catalog.Projects(a.project.ID).OnlyConnections(b.service), nil, []string{a.service}},
		{"A narrowed to empty names", catalog.Projects(a.project.ID).OnlyConnections(""), nil, nil},
		{"zero tenant", catalog.Tenant{}, nil, nil},
		{"empty project id", catalog.Projects(""), nil, nil},
		{"raw empty project id", catalog.Tenant{ProjectIDs: []string{""}}, nil, nil},
		{"unknown project", catalog.Projects("00000000-0000-4000-8000-000000000000"), nil, nil},
	}
	probes := tenantProbes()
	names := make([]string, 0, len(probes))
	for n := range probes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, tn := range tenants {
		t.Run(tn.name, func(t *testing.T) {
			r := s.Scoped(tn.tenant)
			visible := func(svc string) bool { return slices.Contains(tn.sees, svc) }
			for _, name := range names {
				for _, d := range []tenantData{a, b, loose} {
					seen, na, err := probes[name](r, d, visible)
					want := visible(d.service)
					if strings.Contains(name, "Project") {
						want = slices.Contains(tn.projects, d.service)
					}
					switch {
					case err != nil:
						t.Errorf("%s of %s: %v", name, d.service, err)
					case na:
					case seen != want:
						t.Errorf("%s of %s: seen = %v, want %v", name, d.service, seen, want)
					}
				}
			}
		})
	}
	t.Run("hidden is missing", func(t *testing.T) { testHiddenIsMissing(t, s.Scoped(catalog.Projects(a.project.ID)), b) })
	t.Run("stats count the tenant only", func(t *testing.T) {
		for _, tc := range []struct {
			tenant catalog.Tenant
			tables int64
		}{{catalog.Projects(a.project.ID), 2}, {catalog.AllProjects(), 6}, {catalog.Tenant{}, 0}} {
			st, err := s.Scoped(tc.tenant).Stats(ctx, "")
			must(t, err)
			if st[catalog.KindTable] != tc.tables {
				t.Errorf("Stats of %+v: %d tables, want %d", tc.tenant, st[catalog.KindTable], tc.tables)
			}
		}
	})
	t.Run("unscoped reads everything", func(t *testing.T) {
		for _, d := range []tenantData{a, b, loose} {
			if _, err := s.Get(ctx, d.table()); err != nil {
				t.Errorf("unscoped Get(%s): %v", d.table(), err)
			}
		}
	})
}

// testHiddenIsMissing: what another tenant holds fails exactly as a thing
// that does not exist, message and all, so errors reveal nothing.
func testHiddenIsMissing(t *testing.T, r catalog.Reader, b tenantData) {
	cases := []struct {
		name            string
		hidden, missing string
		read            func(id string) error
	}{
		{"Get", b.table(), catalog.Child(b.db(), "no_such_table"), func(id string) error { _, err := r.Get(ctx, id); return err }},
		{"GetConnection", b.service, "no_such_connection", func(id string) error { _, err := r.GetConnection(ctx, id); return err }},
		{"GetProject", b.project.Name, "no-such-project", func(id string) error { _, err := r.GetProject(ctx, id); return err }},
		{"GetProject by id", b.project.ID, "00000000-0000-4000-8000-000000000000", func(id string) error { _, err := r.GetProject(ctx, id); return err }},
		{"GetScan", strconv.FormatInt(b.scanID, 10), "999999", func(id string) error {
			n, err := strconv.ParseInt(id, 10, 64)
			if err == nil {
				_, err = r.GetScan(ctx, n)
			}
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hidden, missing := tc.read(tc.hidden), tc.read(tc.missing)
			if !apperr.Is(hidden, apperr.NotFound) || !apperr.Is(missing, apperr.NotFound) {
				t.Fatalf("hidden: %v; missing: %v; want both NotFound", hidden, missing)
			}
			if h, m := strings.ReplaceAll(hidden.Error(), tc.hidden, "ID"), strings.ReplaceAll(missing.Error(), tc.missing, "ID"); h != m {
				t.Errorf("a hidden thing fails unlike a missing one:\n hidden:  %s\n missing: %s", h, m)
			}
		})
	}
}
