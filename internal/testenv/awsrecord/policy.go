package awsrecord

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/onboard"
)

// Grant is what a role was onboarded for: `lakemap onboard --service
// <Service> --access <Access>`.
type Grant struct {
	Service string // onboard.Glue, onboard.S3, onboard.DataZone
	Access  string // onboard.ReadOnly, onboard.ReadWrite
}

// Optional is a read lakemap attempts beyond its onboard policy and does
// without when AWS denies it: the scan or tool goes on and says what is
// missing. A call on this list passes the least-privilege check; any other
// call outside the policy fails it.
type Optional struct {
	Service, Access, Action string
	Why                     string
}

// OptionalReads is the one list of optional reads tolerated when denied.
// Adding to it needs a reason: every entry is a call a customer's
// CloudTrail shows as AccessDenied.
func OptionalReads() []Optional {
	const (
		dzSearch  = "the DataZone scan probes datazone:Search once and, when denied, catalogs what listings show (the guide grants no Search)"
		dzLineage = "the DataZone scan probes datazone:GetLineageNode once and, when denied, scans without DataZone's lineage (the guide grants no lineage read)"
		simulate  = "connection test asks IAM policy simulation about writes no harmless request can prove, and reports them UNPROVEN when denied"
		colStats  = "column statistics enrich a table when the role may read them (the guide grants them with ReadWrite only)"
		dqRead    = "the data-quality read tools are offered on ReadOnly connections; the guide grants data quality with ReadWrite only, so a ReadOnly role gets AccessDenied, which the tool reports with the action to add"
	)
	out := []Optional{
		{onboard.DataZone, onboard.ReadOnly, "datazone:Search", dzSearch},
		{onboard.DataZone, onboard.ReadWrite, "datazone:Search", dzSearch},
		{onboard.DataZone, onboard.ReadOnly, "datazone:GetLineageNode", dzLineage},
		{onboard.DataZone, onboard.ReadWrite, "datazone:GetLineageNode", dzLineage},
		{onboard.Glue, onboard.ReadOnly, "glue:GetColumnStatisticsForTable", colStats},
	}
	for _, a := range []string{"glue:ListDataQualityRulesets", "glue:GetDataQualityRuleset", "glue:ListDataQualityResults", "glue:GetDataQualityResult"} {
		out = append(out, Optional{onboard.Glue, onboard.ReadOnly, a, dqRead})
	}
	for _, svc := range []string{onboard.Glue, onboard.S3, onboard.DataZone} {
		for _, access := range []string{onboard.ReadOnly, onboard.ReadWrite} {
			out = append(out, Optional{svc, access, "iam:SimulatePrincipalPolicy", simulate})
		}
	}
	return out
}

// callerIdentity is the one action IAM never denies.
const callerIdentity = "sts:GetCallerIdentity"

// Allowed is the set of actions the onboard policy of the grant allows.
func Allowed(g Grant) (map[string]bool, error) {
	doc, err := onboard.PermissionPolicy(g.Service, g.Access, nil)
	if err != nil {
		return nil, fmt.Errorf("onboard policy of %s %s: %w", g.Service, g.Access, err)
	}
	var p struct {
		Statement []struct {
			Action json.RawMessage
		}
	}
	if err := json.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("decoding the onboard policy of %s %s: %w", g.Service, g.Access, err)
	}
	set := map[string]bool{}
	for _, st := range p.Statement {
		var many []string
		if json.Unmarshal(st.Action, &many) != nil {
			var one string
			if err := json.Unmarshal(st.Action, &one); err != nil {
				return nil, fmt.Errorf("policy action %s: %w", st.Action, err)
			}
			many = []string{one}
		}
		for _, a := range many {
			set[a] = true
		}
	}
	return set, nil
}

// Violations lists the calls outside least privilege: a call signed by a
// role must be in the onboard policy of the role's grant (or an optional
// read of it); a call signed by base credentials may only be AssumeRole —
// everything else goes through a role. roles maps role ARNs to grants.
func Violations(calls []Call, roles map[string]Grant) ([]string, error) {
	allowed := map[string]map[string]bool{}
	for arn, g := range roles {
		set, err := Allowed(g)
		if err != nil {
			return nil, err
		}
		for _, o := range OptionalReads() {
			if o.Service == g.Service && o.Access == g.Access {
				set[o.Action] = true
			}
		}
		set[callerIdentity] = true
		allowed[arn] = set
	}
	var out []string
	for _, c := range calls {
		switch {
		case c.Role == "" && c.Action == "sts:AssumeRole":
		case c.Role == "":
			out = append(out, fmt.Sprintf("%s (%s) was signed by the base credentials, not by an assumed role", c.Action, c.Op))
		case allowed[c.Role] == nil:
			out = append(out, fmt.Sprintf("%s (%s) was signed by role %s, which the test granted nothing", c.Action, c.Op, c.Role))
		case !allowed[c.Role][c.Action]:
			g := roles[c.Role]
			out = append(out, fmt.Sprintf("%s (%s) is outside the %s %s onboard policy of %s", c.Action, c.Op, g.Service, g.Access, c.Role))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// CheckLeastPrivilege fails t for every recorded call outside the onboard
// policies of roles; it also fails when nothing was recorded, which would
// mean the traffic bypassed the Recorder.
func (r *Recorder) CheckLeastPrivilege(t testing.TB, roles map[string]Grant) {
	t.Helper()
	calls := r.Calls()
	if len(calls) == 0 {
		t.Fatal("no AWS call went through the recorder: is endPointURL its URL?")
	}
	v, err := Violations(calls, roles)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > 0 {
		t.Errorf("%d call(s) outside least privilege:\n  %s", len(v), strings.Join(v, "\n  "))
	}
}

// Actions returns the distinct IAM actions recorded, for failure messages.
func Actions(calls []Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Action)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
