package ingest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
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
//   - The same holds for every other AWS config the source config carries
//     (S3's storageMetadataConfigSource.securityConfig, see RoleConfigs): it
//     may name another role of the customer's (the project's External ID is
//     what the customer's trust policies check, so it reaches only roles
//     that trust this project), but never another External ID.
//   - A connection that belongs to no project may not use an External ID of
//     the lakemap-<uuid> form in any of its configs (CheckUnbound): those
//     belong to projects, and only the project's connections present them.
//
// It rewrites wf's AWS configs in place and returns the project, or ok=false
// when the connection belongs to none (then nothing changes). All of this
// happens before any AWS call.
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
		return p, false, CheckUnbound(wf)
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
	for _, rc := range awsConfigs(wf) {
		if err := bindConfig(name, rc, p); err != nil {
			return p, false, err
		}
	}
	return p, true, nil
}

// RoleConfigs is implemented by source configs that carry AWS configs of
// their own besides the connection's, keyed by their field path in the
// workflow (S3's manifest securityConfig). Every role lakemap assumes is in
// the connection's awsConfig or in one of these, so binding them all binds
// every AssumeRole a workflow can cause.
type RoleConfigs interface {
	AWSRoleConfigs() map[string]*awsconn.Config
}

// roleConfig is one AWS config of a workflow and where it is written.
type roleConfig struct {
	path string
	cfg  *awsconn.Config
}

// awsConfigs lists the connection's awsConfig first, then the source
// config's own, sorted by path.
func awsConfigs(wf *workflow.Workflow) []roleConfig {
	out := []roleConfig{{path: "source.serviceConnection.config.awsConfig", cfg: wf.Source.Connection.AWS()}}
	rc, ok := wf.Source.SourceConfig.(RoleConfigs)
	if !ok {
		return out
	}
	m := rc.AWSRoleConfigs()
	paths := make([]string, 0, len(m))
	for k, c := range m {
		if c != nil {
			paths = append(paths, k)
		}
	}
	sort.Strings(paths)
	for _, k := range paths {
		out = append(out, roleConfig{path: "source.sourceConfig.config." + k, cfg: m[k]})
	}
	return out
}

// bindConfig holds one AWS config to the project's External ID.
func bindConfig(name string, rc roleConfig, p catalog.Project) error {
	switch given := rc.cfg.AssumeRoleExternalID; {
	case given != "" && given != p.ExternalID:
		return &apperr.Error{Kind: apperr.Invalid,
			Msg: fmt.Sprintf("connection %q: %s.assumeRoleExternalId %q differs from the External ID of project %s, %q: a project's connections always use the project's External ID",
				name, rc.path, given, p.Name, p.ExternalID),
			Advice: []string{"Remove assumeRoleExternalId from " + rc.path + " (lakemap fills in the project's), or set it to " + p.ExternalID,
				"If the role trusts another External ID, the role belongs to another project: name that project instead"}}
	case given == "" && rc.cfg.AssumeRoleARN != "":
		rc.cfg.AssumeRoleExternalID = p.ExternalID
	}
	return nil
}

// CheckUnbound refuses a connection that belongs to no project but presents
// an External ID of the lakemap-<uuid> form, in its awsConfig or any other
// AWS config of the workflow: such an ID is a project's, and a workflow
// could otherwise borrow a project's trust without being bound to it.
// BindProject calls it for unbound connections; callers that skip
// BindProject (no catalog yet) call it themselves.
func CheckUnbound(wf *workflow.Workflow) error {
	for _, rc := range awsConfigs(wf) {
		if id := rc.cfg.AssumeRoleExternalID; strings.HasPrefix(id, catalog.ExternalIDPrefix) {
			return &apperr.Error{Kind: apperr.Invalid,
				Msg: fmt.Sprintf("connection %q: %s.assumeRoleExternalId %q has the form of a lakemap project's External ID, but the connection names no project",
					wf.Source.ServiceName, rc.path, id),
				Advice: []string{"Name the project the External ID belongs to in " + projectKey + " (lakemap project list), and leave assumeRoleExternalId out: lakemap fills in the project's",
					"If the role's trust policy uses an External ID of your own, choose one that does not start with " + catalog.ExternalIDPrefix}}
		}
	}
	return nil
}

// projectRef is the project the workflow names, "" when none. Connection
// configs name it through source.AWSConnection.
func projectRef(wf *workflow.Workflow) string {
	if r, ok := wf.Source.Connection.(interface{ ProjectRef() string }); ok {
		return r.ProjectRef()
	}
	return ""
}
