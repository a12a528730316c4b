package conntest

import (
	"fmt"
	"io"
	"strings"
)

// Status is a check's verdict.
type Status string

const (
	// Pass: every call the check meant to make was authorized.
	Pass Status = "PASS"
	// Fail: AWS refused a call (or the role cannot be assumed).
	Fail Status = "FAIL"
	// Unproven: some permission could not be shown either way without
	// changing anything, and IAM policy simulation was not available.
	Unproven Status = "UNPROVEN"
	// NotRun: the test was cancelled before this check finished; it says
	// nothing about the permissions.
	NotRun Status = "NOT RUN"
)

// Result is one line of the report.
type Result struct {
	// Check is "assume role <arn>", a permission group's Sid, or the name
	// of a source's own probe.
	Check  string `json:"check"`
	Status Status `json:"status"`
	// Proven are the IAM actions shown to be allowed, by a call or by IAM
	// policy simulation.
	Proven []string `json:"proven,omitempty"`
	// Denied are the actions AWS refused.
	Denied []string `json:"denied,omitempty"`
	// Unproven are the actions this run meant to show and could not; Notes
	// say why.
	Unproven []string `json:"unproven,omitempty"`
	// Missing is what to add to the role when the check fails: every action
	// of the group's statement.
	Missing []string `json:"missing,omitempty"`
	Detail  string   `json:"detail,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	Error   string   `json:"error,omitempty"`
	// Advice is the vendor guide's troubleshooting for the error.
	Advice []string `json:"advice,omitempty"`
}

// Report is the whole connection test.
type Report struct {
	Connection  string   `json:"connection"`
	Service     string   `json:"service,omitempty"`
	AccessLevel string   `json:"accessLevel,omitempty"`
	Results     []Result `json:"results"`
}

// Count returns how many results have the status.
func (r Report) Count(s Status) int {
	n := 0
	for _, res := range r.Results {
		if res.Status == s {
			n++
		}
	}
	return n
}

// Print writes one line per check, then what to do about failures.
func (r Report) Print(w io.Writer) {
	for _, res := range r.Results {
		line := fmt.Sprintf("%-8s  %s", res.Status, res.Check)
		if len(res.Proven) > 0 {
			line += ": " + strings.Join(res.Proven, ", ")
		}
		if res.Detail != "" {
			line += " — " + res.Detail
		}
		fmt.Fprintln(w, line)
		indent := strings.Repeat(" ", 10)
		if len(res.Denied) > 0 {
			fmt.Fprintf(w, "%sdenied: %s\n", indent, strings.Join(res.Denied, ", "))
		}
		if len(res.Unproven) > 0 {
			fmt.Fprintf(w, "%snot proven: %s\n", indent, strings.Join(res.Unproven, ", "))
		}
		for _, n := range res.Notes {
			fmt.Fprintf(w, "%s%s\n", indent, n)
		}
		if res.Error != "" {
			fmt.Fprintf(w, "%s%s\n", indent, res.Error)
		}
		if len(res.Missing) > 0 {
			fmt.Fprintf(w, "%sadd to the role (statement %s): %s\n", indent, res.Check, strings.Join(res.Missing, ", "))
		}
		for _, a := range res.Advice {
			fmt.Fprintf(w, "%s- %s\n", indent, a)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d unproven", r.Count(Pass), r.Count(Fail), r.Count(Unproven))
	if n := r.Count(NotRun); n > 0 {
		fmt.Fprintf(w, ", %d not run", n)
	}
	fmt.Fprintln(w)
}
