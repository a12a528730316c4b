package catalog

import (
	"reflect"
	"testing"
)

func TestTenantConstructors(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  Tenant
		want Tenant
	}{
		{"zero reads nothing", Tenant{}, Tenant{}},
		{"all", AllProjects(), Tenant{All: true}},
		{"projects sorted and deduplicated", Projects("b", "a", "b"), Tenant{ProjectIDs: []string{"a", "b"}}},
		{"empty ids dropped: unbound data is not a project", Projects("", "a", ""), Tenant{ProjectIDs: []string{"a"}}},
		{"only empty ids read nothing", Projects(""), Tenant{ProjectIDs: []string{}}},
		{"no names leave a tenant as it is", Projects("a").OnlyConnections(), Tenant{ProjectIDs: []string{"a"}}},
		{"names narrow", AllProjects().OnlyConnections("y", "x", "y"), Tenant{All: true, Connections: []string{"x", "y"}}},
		{"empty names narrow to nothing", AllProjects().OnlyConnections(""), Tenant{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %+v, want %+v", tc.got, tc.want)
			}
		})
	}
}
