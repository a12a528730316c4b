package conntest

import (
	"slices"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
)

// recorder collects what one group's calls showed, action by action.
type recorder struct {
	proven, denied, unproven []string
	notes                    []string
	// denial is the first refusal, whose message and advice the report shows.
	denial error
}

// call records a call that needed action. An error AWS raises after
// authorization — not found, invalid input, conflict — proves the action
// allowed: write probes rely on it, sending requests that must fail
// validation so that nothing changes. It reports whether the call
// succeeded, so a probe knows whether its answer can be used.
func (r *recorder) call(action string, err error) bool {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.NotFound, apperr.Conflict:
		r.prove(action)
		return false
	}
	return r.outcome(action, err)
}

// callOn records a call on an existing resource the probe found (a bucket,
// an object). Not found then means the resource is missing, which proves
// nothing about the permission.
func (r *recorder) callOn(action, resource string, err error) bool {
	if apperr.Is(err, apperr.NotFound) {
		r.skip(resource+" does not exist", action)
		return false
	}
	return r.call(action, err)
}

// outcome records a call whose every error counts against it.
func (r *recorder) outcome(action string, err error) bool {
	if err == nil {
		r.prove(action)
		return true
	}
	switch apperr.KindOf(err) {
	case apperr.AccessDenied:
		r.denied = addUnique(r.denied, action)
		if r.denial == nil {
			r.denial = err
		}
	default:
		r.unproven = addUnique(r.unproven, action)
		r.notes = append(r.notes, action+": "+err.Error())
	}
	return false
}

func (r *recorder) prove(action string) {
	r.proven = addUnique(r.proven, action)
}

// skip records actions the probe could not exercise, and why.
func (r *recorder) skip(reason string, actions ...string) {
	for _, a := range actions {
		r.unproven = addUnique(r.unproven, a)
	}
	r.notes = addUnique(r.notes, reason)
}

// settle drops from unproven what another call proved or saw denied.
func (r *recorder) settle() {
	r.unproven = slices.DeleteFunc(r.unproven, func(a string) bool {
		return slices.Contains(r.proven, a) || slices.Contains(r.denied, a)
	})
}

// result turns the record into the group's report line.
func (r *recorder) result(g Group) Result {
	r.settle()
	res := Result{Check: g.Sid, Proven: r.proven, Denied: r.denied, Unproven: r.unproven, Notes: r.notes}
	switch {
	case len(r.denied) > 0:
		res.Status = Fail
		res.Missing = g.Actions
		if r.denial != nil {
			res.Error = r.denial.Error()
			res.Advice = permissionAdvice(apperr.AdviceOf(r.denial))
		}
	case len(r.unproven) > 0 || len(r.proven) == 0:
		res.Status = Unproven
	default:
		res.Status = Pass
	}
	return res
}

func addUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// write records a write probe, a request AWS must authorize and then
// refuse. Success would mean the probe changed something (it never should
// on AWS): the note says what to remove.
func (r *recorder) write(action, what string, err error) {
	if err == nil {
		r.prove(action)
		r.notes = append(r.notes, "AWS accepted the probe of "+action+": remove "+what+" if it exists")
		return
	}
	r.call(action, err)
}

// permissionAdvice keeps the guide's advice that can still apply to a call
// refused after the role was assumed: the trust policy and the External ID
// are then known to be right.
func permissionAdvice(advice []string) []string {
	return slices.DeleteFunc(slices.Clone(advice), func(a string) bool {
		return a == awsconn.AdviceTrustPolicy || a == awsconn.AdviceExternalID
	})
}

// slicesWithout returns the actions of list that are not in drop.
func slicesWithout(list, drop []string) []string {
	var out []string
	for _, a := range list {
		if !slices.Contains(drop, a) {
			out = append(out, a)
		}
	}
	return out
}
