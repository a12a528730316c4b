package ingest

import (
	"context"
	"fmt"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/workflow"
)

// Stores is what binding and remembering a connection need.
type Stores interface {
	catalog.ConnectionStore
	catalog.ProjectStore
}

// projectKey is where a workflow names its project, for messages.
const projectKey = "source.serviceConnection.config.project"

// BindProject applies the vendor guide's confused-deputy rule to a workflow
// before anything assumes its role: a connection that belongs to a project
// always uses the project's External ID, so no caller can pick one.
//
//   - The project is the one the workflow names (serviceConnection.config.
//     project, by name or id), or else the one the connection was registered
//     under: a remembered connection never leaves its project.
//   - A connection registered under one project cannot be taken over by a
//     workflow naming another (apperr.Conflict).
//   - assumeRoleExternalId, when given, must equal the project's External ID
//     (apperr.Invalid naming both); when absent, the project's is filled in.
//
// It rewrites wf's awsConfig in place and returns the project, or ok=false
// when the connection belongs to none (then nothing changes).
func BindProject(ctx context.Context, store Stores, wf *workflow.Workflow) (p catalog.Project, ok bool, err error) {
	name := wf.Source.ServiceName
	ref := projectRef(wf)
	var registered catalog.Connection
	switch old, err := store.GetConnection(ctx, name); {
	case err == nil:
		registered = old
	case !apperr.Is(err, apperr.NotFound):
		return p, false, fmt.Errorf("reading connection %q: %w", name, err)
	}
	if ref == "" {
		ref = registered.ProjectID
	}
	if ref == "" {
		return p, false, nil
	}
	p, err = store.GetProject(ctx, ref)
	if apperr.Is(err, apperr.NotFound) && ref == projectRef(wf) {
		return p, false, apperr.Wrap(apperr.NotFound, err, "%s: connection %q names project %q", projectKey, name, ref)
	}
	if err != nil {
		return p, false, fmt.Errorf("reading project of connection %q: %w", name, err)
	}
	if registered.ProjectID != "" && registered.ProjectID != p.ID {
		owner := registered.ProjectID
		if o, err := store.GetProject(ctx, owner); err == nil {
			owner = o.String()
		}
		return p, false, apperr.New(apperr.Conflict,
			"connection %q belongs to project %s; a workflow naming project %s cannot register it again: use another serviceName",
			name, owner, p)
	}
	aws := wf.Source.Connection.AWS()
	switch given := aws.AssumeRoleExternalID; {
	case given != "" && given != p.ExternalID:
		return p, false, &apperr.Error{Kind: apperr.Invalid,
			Msg: fmt.Sprintf("connection %q: awsConfig.assumeRoleExternalId %q differs from the External ID of project %s, %q: a project's connections always use the project's External ID",
				name, given, p.Name, p.ExternalID),
			Advice: []string{"Remove assumeRoleExternalId from the workflow (lakemap fills in the project's), or set it to " + p.ExternalID,
				"If the role trusts another External ID, the role belongs to another project: name that project instead"}}
	case given == "" && aws.AssumeRoleARN != "":
		aws.AssumeRoleExternalID = p.ExternalID
	}
	return p, true, nil
}

// projectRef is the project the workflow names, "" when none. Connection
// configs name it through source.AWSConnection.
func projectRef(wf *workflow.Workflow) string {
	if r, ok := wf.Source.Connection.(interface{ ProjectRef() string }); ok {
		return r.ProjectRef()
	}
	return ""
}
