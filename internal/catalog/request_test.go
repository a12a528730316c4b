package catalog

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

// TestParseRead pins how each surface's catalog reads are checked: the same
// rules everywhere, errors naming the parameter as that surface spells it.
func TestParseRead(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		surface Surface
		read    Read
		args    ReadArgs
		want    ReadRequest // checked when wantErr is ""
		wantErr string
	}{
		// Page sizes: one default per surface and read.
		{"rest search default", SurfaceREST, ReadSearch, ReadArgs{Text: "orders"}, ReadRequest{Text: "orders", Limit: 50}, ""},
		{"cli search default", SurfaceCLI, ReadSearch, ReadArgs{Text: "orders"}, ReadRequest{Text: "orders", Limit: 50}, ""},
		{"mcp search default", SurfaceMCP, ReadSearch, ReadArgs{Text: "orders"}, ReadRequest{Text: "orders", Limit: 20}, ""},
		{"rest scans default", SurfaceREST, ReadScans, ReadArgs{}, ReadRequest{Limit: 20}, ""},
		{"mcp list default", SurfaceMCP, ReadList, ReadArgs{}, ReadRequest{Limit: DefaultLimit}, ""},
		{"limit given", SurfaceMCP, ReadSearch, ReadArgs{Text: "x", Limit: 7}, ReadRequest{Text: "x", Limit: 7, LimitGiven: true}, ""},
		{"limit above max is cut", SurfaceREST, ReadList, ReadArgs{Limit: 5000}, ReadRequest{Limit: MaxLimit, LimitGiven: true}, ""},
		{"rest negative limit", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Limit: -3}, ReadRequest{}, "query parameter limit -3: must be a positive number, not negative"},
		{"cli negative limit", SurfaceCLI, ReadScans, ReadArgs{Limit: -1}, ReadRequest{}, "--limit -1"},
		{"mcp negative limit", SurfaceMCP, ReadSearch, ReadArgs{Text: "x", Limit: -1}, ReadRequest{}, "limit -1: must be a positive number"},
		// Offsets.
		{"offset kept for search", SurfaceCLI, ReadSearch, ReadArgs{Text: "x", Offset: 40}, ReadRequest{Text: "x", Limit: 50, Offset: 40}, ""},
		{"offset at max", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Offset: MaxOffset}, ReadRequest{Text: "x", Limit: 50, Offset: MaxOffset}, ""},
		{"offset past max", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Offset: 999_999_999_999}, ReadRequest{}, "query parameter offset 999999999999: pages end at 10000"},
		{"negative offset", SurfaceCLI, ReadSearch, ReadArgs{Text: "x", Offset: -1}, ReadRequest{}, "--offset -1: must not be negative"},
		{"mcp offset is the cursor", SurfaceMCP, ReadSearch, ReadArgs{Text: "x", Offset: MaxOffset + 1}, ReadRequest{}, "cursor 10001"},
		{"offset ignored by list", SurfaceREST, ReadList, ReadArgs{Offset: -5}, ReadRequest{Limit: 50}, ""},
		// Kinds: any case, repeated or comma-separated.
		{"kinds any case", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Kinds: []string{"TABLE, Column", "", " bucket "}},
			ReadRequest{Text: "x", Kinds: []Kind{KindTable, KindColumn, KindBucket}, Limit: 50}, ""},
		{"rest unknown kind", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Kinds: []string{"tabel"}}, ReadRequest{}, `query parameter kind: unknown kind "tabel"`},
		{"cli unknown kind", SurfaceCLI, ReadList, ReadArgs{Kinds: []string{"Tabel"}}, ReadRequest{}, `--kind: unknown kind "tabel"`},
		{"mcp unknown kind", SurfaceMCP, ReadChanges, ReadArgs{Kinds: []string{"tabel"}}, ReadRequest{}, `kinds: unknown kind "tabel"`},
		// Text.
		{"search needs text", SurfaceREST, ReadSearch, ReadArgs{Text: "  "}, ReadRequest{}, "query parameter q is required"},
		{"mcp search needs query", SurfaceMCP, ReadSearch, ReadArgs{}, ReadRequest{}, "query is required"},
		{"text ignored by list", SurfaceREST, ReadList, ReadArgs{Text: "x"}, ReadRequest{Limit: 50}, ""},
		// FQNs: the same normalisation for list and changes.
		{"list parent normalised", SurfaceREST, ReadList, ReadArgs{Parent: `"svc".sales`}, ReadRequest{Parent: "svc.sales", Limit: 50}, ""},
		{"changes parent normalised", SurfaceREST, ReadChanges, ReadArgs{Parent: `svc."sales"`}, ReadRequest{Parent: "svc.sales", Limit: 50}, ""},
		{"quoted part kept quoted", SurfaceCLI, ReadList, ReadArgs{Parent: `svc.db."a.b"`}, ReadRequest{Parent: `svc.db."a.b"`, Limit: 50}, ""},
		{"bad parent", SurfaceREST, ReadChanges, ReadArgs{Parent: `svc."broken`}, ReadRequest{}, "query parameter parent: FQN"},
		// Services.
		{"search takes many services", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Services: []string{"a", " b ", ""}}, ReadRequest{Text: "x", Services: []string{"a", "b"}, Limit: 50}, ""},
		{"list takes one service", SurfaceREST, ReadList, ReadArgs{Services: []string{"a", "b"}}, ReadRequest{}, "query parameter service: give one service, not 2"},
		{"mcp names the connection", SurfaceMCP, ReadChanges, ReadArgs{Services: []string{"a", "b"}}, ReadRequest{}, "connection: give one service"},
		// Since: people get the whole history, agents the last day.
		{"rest since default", SurfaceREST, ReadChanges, ReadArgs{}, ReadRequest{Limit: 50}, ""},
		{"mcp since default", SurfaceMCP, ReadChanges, ReadArgs{}, ReadRequest{Since: now.Add(-24 * time.Hour), Limit: 50}, ""},
		{"since RFC 3339", SurfaceREST, ReadChanges, ReadArgs{Since: "2026-01-02T15:04:05Z"}, ReadRequest{Since: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), Limit: 50}, ""},
		{"since date", SurfaceCLI, ReadChanges, ReadArgs{Since: "2026-01-02"}, ReadRequest{Since: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Limit: 50}, ""},
		{"since duration", SurfaceMCP, ReadChanges, ReadArgs{Since: "90m"}, ReadRequest{Since: now.Add(-90 * time.Minute), Limit: 50}, ""},
		{"since days", SurfaceMCP, ReadChanges, ReadArgs{Since: "7d"}, ReadRequest{Since: now.Add(-7 * 24 * time.Hour), Limit: 50}, ""},
		{"since ignored by search", SurfaceREST, ReadSearch, ReadArgs{Text: "x", Since: "junk"}, ReadRequest{Text: "x", Limit: 50}, ""},
		{"rest bad since", SurfaceREST, ReadChanges, ReadArgs{Since: "yesterday"}, ReadRequest{}, `query parameter since "yesterday": give an RFC 3339 time`},
		{"mcp bad since", SurfaceMCP, ReadChanges, ReadArgs{Since: "yesterday"}, ReadRequest{}, `since "yesterday"`},
		{"negative duration", SurfaceMCP, ReadChanges, ReadArgs{Since: "-2h"}, ReadRequest{}, `since "-2h"`},
		{"negative days", SurfaceMCP, ReadChanges, ReadArgs{Since: "-2d"}, ReadRequest{}, `since "-2d"`},
		{"days that overflow", SurfaceMCP, ReadChanges, ReadArgs{Since: "99999999999d"}, ReadRequest{}, `since "99999999999d"`},
		// Pass-through.
		{"after and deleted", SurfaceREST, ReadList, ReadArgs{After: "svc.a", Deleted: true}, ReadRequest{After: "svc.a", Deleted: true, Limit: 50}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.surface.ParseRead(tt.read, tt.args, now)
			if tt.wantErr != "" {
				if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want Invalid containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadRequestQueries(t *testing.T) {
	r := ReadRequest{Text: "x", Kinds: []Kind{KindTable}, Services: []string{"svc"}, Parent: "svc.db", After: "svc.db.a",
		Since: time.Unix(5, 0), Limit: 9, Offset: 3, Deleted: true}
	if got, want := r.Search(), (SearchQuery{Text: "x", Kinds: []Kind{KindTable}, Services: []string{"svc"}, IncludeDeleted: true, Offset: 3, Limit: 9}); !reflect.DeepEqual(got, want) {
		t.Errorf("Search() = %+v", got)
	}
	if got, want := r.List(), (ListQuery{ParentFQN: "svc.db", Service: "svc", Kinds: []Kind{KindTable}, IncludeDeleted: true, After: "svc.db.a", Limit: 9}); !reflect.DeepEqual(got, want) {
		t.Errorf("List() = %+v", got)
	}
	if got, want := r.Changes(), (ChangesQuery{Service: "svc", ParentFQN: "svc.db", Since: time.Unix(5, 0), Kinds: []Kind{KindTable}, Limit: 9}); !reflect.DeepEqual(got, want) {
		t.Errorf("Changes() = %+v", got)
	}
	if (ReadRequest{}).Service() != "" {
		t.Error("no service should be \"\"")
	}
}
