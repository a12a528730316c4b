package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// testProjects: names and ids both find a project, and a project whose
// External ID is not lakemap-<id> is refused, so no caller can choose one.
func testProjects(t *testing.T, s catalog.Store) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	alpha, err := catalog.NewProject("alpha", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateProject(ctx, alpha); err != nil {
		t.Fatal(err)
	}
	beta, _ := catalog.NewProject("beta-2", now.Add(time.Minute))
	if err := s.CreateProject(ctx, beta); err != nil {
		t.Fatal(err)
	}

	t.Run("get by name and by id", func(t *testing.T) {
		for _, ref := range []string{"alpha", alpha.ID, strings.ToUpper(alpha.ID)} {
			got, err := s.GetProject(ctx, ref)
			if err != nil {
				t.Fatalf("GetProject(%q): %v", ref, err)
			}
			if got != alpha {
				t.Errorf("GetProject(%q) = %+v, want %+v", ref, got, alpha)
			}
		}
	})
	t.Run("list by name", func(t *testing.T) {
		list, err := s.ListProjects(ctx)
		if err != nil || len(list) != 2 || list[0] != alpha || list[1] != beta {
			t.Errorf("ListProjects = %+v, %v", list, err)
		}
	})

	other, _ := catalog.NewProject("other", now)
	badExternal := other
	badExternal.ExternalID = "lakemap-chosen-by-caller"
	sameName, _ := catalog.NewProject("alpha", now)
	sameID := other
	sameID.Name, sameID.ID, sameID.ExternalID = "gamma", alpha.ID, alpha.ExternalID
	for _, tc := range []struct {
		name string
		p    catalog.Project
		kind apperr.Kind
		want string
	}{
		{"empty name", catalog.Project{ID: other.ID, ExternalID: other.ExternalID}, apperr.Invalid, "project name is empty"},
		{"name too long", catalog.Project{Name: strings.Repeat("n", 65), ID: other.ID, ExternalID: other.ExternalID}, apperr.Invalid, "65 characters long; the limit is 64"},
		{"external id not the project's", badExternal, apperr.Invalid, `External ID "lakemap-chosen-by-caller" must be "lakemap-` + other.ID + `"`},
		{"id not a uuid", catalog.Project{Name: "x", ID: "42", ExternalID: "lakemap-42"}, apperr.Invalid, `id "42" is not a UUID`},
		{"duplicate name", sameName, apperr.Conflict, `a project named "alpha"`},
		{"duplicate id", sameID, apperr.Conflict, "already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CreateProject(ctx, tc.p)
			if !apperr.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CreateProject = %v (kind %v), want %v containing %q", err, apperr.KindOf(err), tc.kind, tc.want)
			}
		})
	}
	t.Run("unknown project", func(t *testing.T) {
		_, err := s.GetProject(ctx, "nope")
		if !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), `no project "nope"`) {
			t.Errorf("GetProject(nope) = %v", err)
		}
	})
}
