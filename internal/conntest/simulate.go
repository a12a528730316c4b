package conntest

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// simulator asks IAM whether the role's policies allow actions no harmless
// request can show. The role needs iam:SimulatePrincipalPolicy on itself,
// which onboard's policies do not grant; the first refusal is remembered
// so that later groups do not ask again.
type simulator struct {
	api       iamAPI
	principal string // the role's IAM ARN
	err       error  // why simulation is unavailable, once known
}

// resolve settles r's unproven actions by simulation, or notes why it
// cannot.
func (s *simulator) resolve(ctx context.Context, r *recorder) {
	if s.principal == "" {
		r.notes = append(r.notes, "IAM policy simulation needs the role's ARN, which is unknown here")
		return
	}
	if s.err == nil {
		s.err = s.simulate(ctx, r)
	}
	switch {
	case s.err == nil:
	case awsconn.NotImplemented(s.err):
		// Granting the permission would not help: the endpoint (an
		// emulator) lacks the operation.
		r.notes = append(r.notes, "IAM policy simulation is not available: this endpoint does not implement iam:SimulatePrincipalPolicy")
	default:
		r.notes = append(r.notes, fmt.Sprintf("IAM policy simulation was not available (%v): allow the role iam:SimulatePrincipalPolicy on %s to let lakemap show these without writing", s.err, s.principal))
	}
}

func (s *simulator) simulate(ctx context.Context, r *recorder) error {
	actions := append([]string(nil), r.unproven...)
	var results []iamtypes.EvaluationResult
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(s.principal), ActionNames: actions}
	for {
		out, err := s.api.SimulatePrincipalPolicy(ctx, in)
		if err != nil {
			return awsconn.Classify(err, "simulating the role's IAM policies")
		}
		results = append(results, out.EvaluationResults...)
		if !out.IsTruncated || out.Marker == nil {
			break
		}
		in.Marker = out.Marker
	}
	var denied []string
	for _, ev := range results {
		action := str(ev.EvalActionName)
		if ev.EvalDecision == iamtypes.PolicyEvaluationDecisionTypeAllowed {
			r.prove(action)
			continue
		}
		r.denied = addUnique(r.denied, action)
		denied = append(denied, fmt.Sprintf("%s (%s)", action, ev.EvalDecision))
	}
	if len(denied) > 0 && r.denial == nil {
		r.denial = &apperr.Error{Kind: apperr.AccessDenied,
			Msg:    "IAM policy simulation of " + s.principal + " denies " + strings.Join(denied, ", "),
			Advice: []string{awsconn.AdvicePermissionPolicy}}
	}
	r.notes = append(r.notes, "judged by IAM policy simulation against resource \"*\": "+strings.Join(actions, ", "))
	r.settle()
	return nil
}
