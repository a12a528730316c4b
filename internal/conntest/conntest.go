// Package conntest is `lakemap connection test`: it assumes the
// connection's role, then proves each permission group of the connection's
// service and access level with harmless calls, and reports per group PASS,
// FAIL (with the exact IAM actions to add) or UNPROVEN.
//
// The groups are the statements of the policy `lakemap onboard` generates
// (Groups), so the test checks what the customer was told to grant.
//
// Nothing is created, changed or deleted:
//   - read groups make one or a few read calls (list, get, head);
//   - write groups send requests AWS authorizes and then must reject: an
//     invalid data-quality ruleset, statistics for a table that does not
//     exist, an update of a workgroup or data catalog that does not exist,
//     a query in a workgroup that does not exist. AccessDenied means the
//     action is missing; a validation or not-found error means it is
//     allowed. The names used (lakemap-connection-test-<random>) cannot
//     match a real resource;
//   - what no request can show without writing (s3:PutObject, S3 and
//     DataZone writes) is asked of IAM policy simulation
//     (iam:SimulatePrincipalPolicy on the role itself) when the role may
//     call it, and is reported UNPROVEN otherwise.
//
// Limits: probes touch made-up or discovered resources, so a policy
// restricted to specific ARNs (onboard --resources) can deny a probe that
// the real resources would pass; policy simulation evaluates against "*".
// Both show as FAIL, and the notes say how the call was judged.
package conntest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
)

// Target is the connection to test.
type Target struct {
	// Connection names it in the report (the workflow's serviceName).
	Connection string
	// Service is the onboarding service whose groups are checked: glue, s3
	// or datazone. Empty: only the role.
	Service string
	Access  catalog.AccessLevel
	Session *awsconn.Session
	// Scope is where the connection's config says to probe first
	// (source.Spec.Probe): its buckets, its Glue catalog.
	Scope source.ProbeScope
	// ProbeTimeout bounds each check, retries included, so that an
	// endpoint that never answers cannot hang the test. 0 means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
}

// DefaultProbeTimeout is how long one check may take: a few calls, each
// retried a few times when throttled.
const DefaultProbeTimeout = 30 * time.Second

// ProbePrefix starts the made-up names write probes use.
const ProbePrefix = "lakemap-connection-test-"

// RunSource tests a configured connection of a registered source: the one
// entry point for `lakemap connection test` and any other surface. The
// spec says which permission groups to prove (Spec.Service) and where to
// probe (Spec.Probe); sess is the connection's session, not yet used.
func RunSource(ctx context.Context, name string, spec source.Spec, conn source.AWSConfigHolder, sess *awsconn.Session) Report {
	return Run(ctx, TargetOf(name, spec, conn, sess))
}

// TargetOf is the Target a registered source's connection is tested as.
func TargetOf(name string, spec source.Spec, conn source.AWSConfigHolder, sess *awsconn.Session) Target {
	t := Target{Connection: name, Service: spec.Service, Session: sess, Scope: spec.ProbeScopeOf(conn)}
	if conn != nil {
		t.Access = conn.Access()
	}
	return t
}

// Run tests the connection. It never returns an error: every problem is a
// line of the report. Cancelled, it returns at once, the checks it did not
// finish reported NOT RUN.
func Run(ctx context.Context, t Target) Report {
	return run(ctx, t, sessionClients(t.Session))
}

func run(ctx context.Context, t Target, c clients) Report {
	access := t.Access
	if access == "" {
		access = catalog.ReadOnly
	}
	timeout := t.ProbeTimeout
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	rep := Report{Connection: t.Connection, Service: t.Service, AccessLevel: string(access)}
	var groups []Group
	if t.Service != "" {
		var err error
		if groups, err = Groups(t.Service, string(access)); err != nil {
			rep.Results = append(rep.Results, Result{Check: "permission groups", Status: Fail, Error: err.Error(), Advice: apperr.AdviceOf(err)})
			return rep
		}
	}
	id, res := identity(ctx, t.Session, timeout)
	rep.Results = append(rep.Results, res)
	switch res.Status {
	case Fail:
		// Nothing else can work without credentials.
		return rep
	case NotRun:
		for _, g := range groups {
			rep.Results = append(rep.Results, notRun(g, cancelledNote))
		}
		return rep
	}
	if len(groups) > 0 {
		e := &env{
			service:   t.Service,
			access:    access,
			c:         c,
			region:    t.Session.Region(),
			probeName: probeName(),
			buckets:   t.Scope.Buckets,
			catalogID: t.Scope.GlueCatalogID,
			sim:       &simulator{api: c.iam, principal: principalARN(t.Session.Config().AssumeRoleARN, id.ARN)},
		}
		for _, g := range groups {
			if ctx.Err() != nil {
				rep.Results = append(rep.Results, notRun(g, cancelledNote))
				continue
			}
			rep.Results = append(rep.Results, e.check(ctx, g, timeout))
		}
	}
	return rep
}

const cancelledNote = "the connection test was cancelled before this check finished"

// notRun is the line of a group the test did not get to.
func notRun(g Group, why string) Result {
	return Result{Check: g.Sid, Status: NotRun, Unproven: g.Actions, Notes: []string{why}}
}

// identity fetches credentials, assuming the role if there is one. Only a
// refusal is reported as the action denied: an endpoint that fails or
// does not answer says nothing about the role's trust policy.
func identity(ctx context.Context, s *awsconn.Session, timeout time.Duration) (awsconn.Identity, Result) {
	check, action := "resolve credentials", "sts:GetCallerIdentity"
	if arn := s.Config().AssumeRoleARN; arn != "" {
		check, action = "assume role "+arn, "sts:AssumeRole"
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := s.Identity(pctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return id, Result{Check: check, Status: NotRun, Unproven: []string{action}, Notes: []string{cancelledNote}}
	case err != nil:
		res := Result{Check: check, Status: Fail, Error: err.Error(), Advice: apperr.AdviceOf(err)}
		if pctx.Err() != nil {
			res.Error = fmt.Sprintf("no answer within %v: %v", timeout, err)
		}
		if apperr.Is(err, apperr.AccessDenied) {
			res.Denied = []string{action}
		}
		return id, res
	}
	detail := fmt.Sprintf("as %s (account %s)", id.ARN, id.Account)
	if id.SessionName != "" {
		detail += ", session " + id.SessionName
	}
	if !id.Expires.IsZero() {
		detail += ", expires " + id.Expires.UTC().Format(time.RFC3339)
	}
	return id, Result{Check: check, Status: Pass, Proven: []string{action}, Detail: detail}
}

// check proves one group: its probe, then policy simulation for what the
// probe could not show, within timeout. A group the caller cancels half-way
// is NOT RUN: its cancelled calls prove nothing, and least of all a denial.
func (e *env) check(ctx context.Context, g Group, timeout time.Duration) Result {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := &recorder{}
	switch p, why := probeFor(g.Sid), unprovable(g.Sid); {
	case p != nil:
		p(pctx, e, r)
	case why != "":
		r.skip(why, g.Actions...)
	default:
		r.skip("lakemap has no probe for this statement", g.Actions...)
	}
	r.settle()
	if len(r.unproven) > 0 && pctx.Err() == nil {
		e.sim.resolve(pctx, r)
	}
	if ctx.Err() != nil && len(r.denied) == 0 {
		res := r.result(g)
		res.Status, res.Notes = NotRun, append(res.Notes, cancelledNote)
		res.Unproven = slicesWithout(g.Actions, res.Proven)
		return res
	}
	if pctx.Err() != nil {
		r.skip(fmt.Sprintf("the check did not finish within %v: what it had left to call is not proven", timeout),
			slicesWithout(g.Actions, append(r.proven, r.denied...))...)
	}
	res := r.result(g)
	if res.Status == Fail {
		res.Advice = append(res.Advice, fmt.Sprintf("lakemap onboard --service %s --access %s --format permissions prints the whole policy to attach", e.service, e.access))
	}
	return res
}

// principalARN is the IAM ARN policy simulation evaluates: the role given,
// else the caller (an assumed-role session maps back to its role; a path
// in the role's ARN is then lost, which only weakens simulation).
func principalARN(roleARN, callerARN string) string {
	if roleARN != "" {
		return roleARN
	}
	if strings.HasPrefix(callerARN, "arn:aws:iam::") {
		return callerARN
	}
	rest, ok := strings.CutPrefix(callerARN, "arn:aws:sts::")
	if !ok {
		return ""
	}
	account, role, ok := strings.Cut(rest, ":assumed-role/")
	if !ok {
		return ""
	}
	role, _, _ = strings.Cut(role, "/")
	return "arn:aws:iam::" + account + ":role/" + role
}

func probeName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return ProbePrefix + hex.EncodeToString(b)
}
