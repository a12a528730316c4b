package workflow

import (
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"REGION": "eu-west-1", "EMPTY": "", "KEY": "AKIA"}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	tests := []struct {
		in, want string
		expanded bool
		problem  string
	}{
		{in: "plain", want: "plain"},
		{in: "${REGION}", want: "eu-west-1", expanded: true},
		{in: "x-${REGION}-${KEY}", want: "x-eu-west-1-AKIA", expanded: true},
		{in: "${MISSING:-us-east-1}", want: "us-east-1", expanded: true},
		{in: "${MISSING:-}", want: "", expanded: true},
		{in: "${EMPTY:-fallback}", want: "fallback", expanded: true},
		{in: "${EMPTY}", want: "", expanded: true},
		{in: "${MISSING:-arn:aws:iam::1:role/x}", want: "arn:aws:iam::1:role/x", expanded: true},
		{in: "$${REGION}", want: "${REGION}"},
		{in: "cost $5 and $REGION", want: "cost $5 and $REGION"},
		{in: "${MISSING}", problem: "environment variable MISSING is not set: export it, or write ${MISSING:-default}"},
		{in: "${REGION", problem: `unterminated ${ in "${REGION"`},
		{in: "${1X}", problem: `"1X" is not an environment variable name`},
		{in: "${}", problem: `"" is not an environment variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, expanded, problems := expandEnv(tt.in, lookup)
			if tt.problem != "" {
				if len(problems) != 1 || !strings.Contains(problems[0], tt.problem) {
					t.Fatalf("problems = %q, want one containing %q", problems, tt.problem)
				}
				return
			}
			if len(problems) > 0 {
				t.Fatalf("unexpected problems %q", problems)
			}
			if got != tt.want || expanded != tt.expanded {
				t.Errorf("got %q (expanded %v), want %q (expanded %v)", got, expanded, tt.want, tt.expanded)
			}
		})
	}
}
