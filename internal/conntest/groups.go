package conntest

import (
	"encoding/json"
	"fmt"

	"github.com/lakemap/lakemap/internal/onboard"
)

// Group is one permission group: a statement of the permission policy
// `lakemap onboard` generates, named by its Sid.
type Group struct {
	Sid     string   `json:"sid"`
	Actions []string `json:"actions"`
}

// Groups returns the statements the service's policy holds at that access
// level. They are read from onboard's own policy, so the connection test
// checks exactly what the customer was told to grant.
func Groups(service, access string) ([]Group, error) {
	doc, err := onboard.PermissionPolicy(service, access, nil)
	if err != nil {
		return nil, err
	}
	var policy struct {
		Statement []struct {
			Sid    string
			Action []string
		}
	}
	if err := json.Unmarshal(doc, &policy); err != nil {
		return nil, fmt.Errorf("reading the %s %s policy: %w", service, access, err)
	}
	out := make([]Group, 0, len(policy.Statement))
	for _, st := range policy.Statement {
		out = append(out, Group{Sid: st.Sid, Actions: st.Action})
	}
	return out, nil
}
