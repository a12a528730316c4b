package catalog

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/lakemap/lakemap/internal/apperr"
)

// ProjectStore keeps projects: the unit a customer onboards under. Each
// project owns one External ID, lakemap-<project id>, which every role
// trusting lakemap for that project requires (the vendor guide's
// confused-deputy protection): connections of a project always assume their
// role with it, whatever a workflow says.
//
// Errors: an unknown name or id is apperr.NotFound; a bad name is
// apperr.Invalid; a second project with the same name is apperr.Conflict.
type ProjectStore interface {
	ProjectReader
	CreateProject(ctx context.Context, p Project) error
}

// Project is one customer project.
type Project struct {
	ID         string    `json:"id"` // a UUID
	Name       string    `json:"name"`
	ExternalID string    `json:"externalId"` // lakemap-<ID>
	Created    time.Time `json:"created"`
}

// ExternalIDPrefix starts every project's External ID.
const ExternalIDPrefix = "lakemap-"

// MaxProjectName bounds a project name; it goes into CLI tables and
// workflow files, not into AWS.
const MaxProjectName = 64

var projectNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// NewProject gives a project a fresh random ID and its External ID.
func NewProject(name string, created time.Time) (Project, error) {
	if err := ValidateProjectName(name); err != nil {
		return Project{}, err
	}
	id := uuid.NewString()
	return Project{ID: id, Name: name, ExternalID: ExternalIDPrefix + id, Created: created.UTC()}, nil
}

// ValidateProjectName checks a project name. Names shaped like a UUID are
// refused so that "name or id" lookups are never ambiguous.
func ValidateProjectName(name string) error {
	switch {
	case name == "":
		return apperr.New(apperr.Invalid, "project name is empty: give 1-%d letters, digits, '.', '_' or '-'", MaxProjectName)
	case len(name) > MaxProjectName:
		return apperr.New(apperr.Invalid, "project name is %d characters long; the limit is %d", len(name), MaxProjectName)
	case !projectNamePattern.MatchString(name):
		return apperr.New(apperr.Invalid, "project name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
	}
	if _, err := uuid.Parse(name); err == nil {
		return apperr.New(apperr.Invalid, "project name %q looks like a project id: choose a name that is not a UUID", name)
	}
	return nil
}

// Validate checks a whole project record, as a store does before saving it.
func (p Project) Validate() error {
	if err := ValidateProjectName(p.Name); err != nil {
		return err
	}
	if _, err := uuid.Parse(p.ID); err != nil {
		return apperr.New(apperr.Invalid, "project %q: id %q is not a UUID", p.Name, p.ID)
	}
	if want := ExternalIDPrefix + p.ID; p.ExternalID != want {
		return apperr.New(apperr.Invalid, "project %q: External ID %q must be %q", p.Name, p.ExternalID, want)
	}
	return nil
}

// String names the project in messages.
func (p Project) String() string { return fmt.Sprintf("%s (%s)", p.Name, p.ID) }
