package onboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

const policyVersion = "2012-10-17"

// policyDocument is an IAM policy with the vendor guide's key order.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    any                          `json:"Action"` // string or []string
	Resource  any                          `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// TrustPolicy lets the vendor account assume the role, and only with the
// external ID (the confused-deputy guard of the vendor guide).
func TrustPolicy(vendorAccount, externalID string) ([]byte, error) {
	var p []string
	if msg := checkVendorAccount(vendorAccount); msg != "" {
		p = append(p, msg)
	}
	if msg := checkExternalID(externalID); msg != "" {
		p = append(p, msg)
	}
	if err := problemsError(p); err != nil {
		return nil, err
	}
	return marshalPolicy(trustDocument(vendorAccount, externalID))
}

func trustDocument(vendorAccount, externalID string) policyDocument {
	return policyDocument{Version: policyVersion, Statement: []policyStatement{{
		Effect:    "Allow",
		Principal: map[string]string{"AWS": "arn:aws:iam::" + vendorAccount + ":root"},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]string{"StringEquals": {"sts:ExternalId": externalID}},
	}}}
}

// PermissionPolicy returns the service's policy for the access level: the
// vendor guide's statements, plus CloudWatch metric reads for s3.
//
// resources, when given, restricts statements the way the guide's "Restrict
// to Specific Resources" shows: each ARN replaces "*" in the statements whose
// actions belong to the ARN's service (a glue ARN restricts the Glue
// statements, an s3 ARN the S3 ones, and so on). Statements of a service no
// ARN names keep "*", as do CloudWatch metric reads, which IAM cannot scope.
func PermissionPolicy(service, access string, resources []string) ([]byte, error) {
	service = strings.ToLower(strings.TrimSpace(service))
	access = normaliseAccess(access)
	var p []string
	if msg := checkService(service); msg != "" {
		p = append(p, msg)
	}
	if msg := checkAccess(access); msg != "" {
		p = append(p, msg)
	}
	spec, ok := lookupService(service)
	if ok {
		if msg := checkResources(spec, resources); msg != "" {
			p = append(p, msg)
		}
	}
	if err := problemsError(p); err != nil {
		return nil, err
	}
	return marshalPolicy(permissionDocument(spec.statements(access), resources))
}

func permissionDocument(statements []statement, resources []string) policyDocument {
	doc := policyDocument{Version: policyVersion}
	for _, st := range statements {
		doc.Statement = append(doc.Statement, policyStatement{
			Sid:      st.Sid,
			Effect:   "Allow",
			Action:   st.Actions,
			Resource: st.resource(resources),
		})
	}
	return doc
}

// resource is "*" or the given ARNs of the statement's service.
func (st statement) resource(arns []string) any {
	if st.Unscoped {
		return "*"
	}
	var mine []string
	for _, arn := range arns {
		if m := arnPattern.FindStringSubmatch(arn); m != nil && m[1] == st.service() {
			mine = append(mine, arn)
		}
	}
	if len(mine) == 0 {
		return "*"
	}
	return mine
}

// service is the IAM service prefix of the statement's actions.
func (st statement) service() string {
	prefix, _, _ := strings.Cut(st.Actions[0], ":")
	return prefix
}

func marshalPolicy(doc policyDocument) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// External IDs and ARNs are shown as written, not as \u0026 escapes.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding IAM policy: %w", err)
	}
	return buf.Bytes(), nil
}
