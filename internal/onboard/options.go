// Package onboard generates what a customer runs in their own AWS account so
// lakemap can assume a role there: the trust policy, the ReadOnly or ReadWrite
// permission policy of each service, a CloudFormation template, the console
// quick-create URL, AWS CLI commands and a Markdown checklist. The policies
// are the vendor guide's (seeds/000), renamed for lakemap; everything here is
// pure: no AWS call is made.
package onboard

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source/all"
)

// Services lakemap onboards. Glue covers Athena and the S3 data of Glue tables.
const (
	Glue     = "glue"
	S3       = "s3"
	DataZone = "datazone"
)

// Access levels, as the vendor guide and the workflow's accessLevel spell them.
const (
	ReadOnly  = string(catalog.ReadOnly)
	ReadWrite = string(catalog.ReadWrite)
)

// DefaultTemplateBaseURL is where lakemap's templates are expected to be
// published; it is a placeholder until lakemap hosts them, which is why
// --template-url exists.
const DefaultTemplateBaseURL = "https://lakemap-public-templates.s3.amazonaws.com/"

// VendorAccountEnv supplies --vendor-account when the flag is not given.
const VendorAccountEnv = "LAKEMAP_VENDOR_ACCOUNT_ID"

var (
	accountPattern = regexp.MustCompile(`^\d{12}$`)
	// Go regexps cap repeat counts at 1000, so the length is checked apart.
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	roleNamePattern   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	stackNamePattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	arnPattern        = regexp.MustCompile(`^arn:aws:([a-z0-9-]+):[^:]*:[^:]*:.+$`)
)

// Options are the flags of `lakemap onboard`.
type Options struct {
	Service       string   // glue, s3 or datazone
	Access        string   // ReadOnly or ReadWrite
	VendorAccount string   // lakemap's AWS account, trusted by the role
	ExternalID    string   // lakemap-<project-uuid>
	RoleName      string   // default <Title>AccessRoleForLakemap
	Region        string   // default us-east-1
	TemplateURL   string   // default DefaultTemplateBaseURL + lakemap-<template>-crossaccount.yaml
	StackName     string   // default Lakemap<Title>Access
	Resources     []string // ARNs replacing "*" in the statements of their service
}

// WithDefaults fills every optional field that is empty. Service and access
// names are normalised first, so the defaults follow the service.
func (o Options) WithDefaults() Options {
	o.Service = strings.ToLower(strings.TrimSpace(o.Service))
	o.Access = normaliseAccess(o.Access)
	if o.Access == "" {
		o.Access = ReadOnly
	}
	if o.Region == "" {
		o.Region = awsconn.DefaultRegion
	}
	spec, ok := lookupService(o.Service)
	if !ok {
		return o
	}
	if o.RoleName == "" {
		o.RoleName = spec.defaultRoleName()
	}
	if o.StackName == "" {
		o.StackName = spec.defaultStackName()
	}
	if o.TemplateURL == "" {
		o.TemplateURL = spec.defaultTemplateURL()
	}
	return o
}

// normaliseAccess accepts any letter case ("readonly") and returns the
// canonical spelling, or s unchanged when it is no access level.
func normaliseAccess(s string) string {
	s = strings.TrimSpace(s)
	for _, a := range []string{ReadOnly, ReadWrite} {
		if strings.EqualFold(s, a) {
			return a
		}
	}
	return s
}

// Validate checks every field, as given (call WithDefaults first), and names
// the flag of each problem. The vendor account and the external ID are
// required: every output but the permission policy and the template carries
// them.
func (o Options) Validate() error {
	return problemsError(o.problems(true))
}

// problems lists what is wrong; requireIdentity says whether the vendor
// account and external ID must be present (the permission policy and the
// CloudFormation template need neither).
func (o Options) problems(requireIdentity bool) []string {
	var p []string
	if msg := checkService(o.Service); msg != "" {
		p = append(p, msg)
	}
	if msg := checkAccess(o.Access); msg != "" {
		p = append(p, msg)
	}
	if o.VendorAccount != "" || requireIdentity {
		if msg := checkVendorAccount(o.VendorAccount); msg != "" {
			p = append(p, msg)
		}
	}
	if o.ExternalID != "" || requireIdentity {
		if msg := checkExternalID(o.ExternalID); msg != "" {
			p = append(p, msg)
		}
	}
	if o.RoleName != "" {
		if msg := checkRoleName(o.RoleName); msg != "" {
			p = append(p, msg)
		}
	}
	if o.Region != "" {
		if msg := checkRegion(o.Region); msg != "" {
			p = append(p, msg)
		}
	}
	if o.StackName != "" && !stackNamePattern.MatchString(o.StackName) {
		p = append(p, fmt.Sprintf("--stack-name: %q must start with a letter and hold at most 128 letters, digits and hyphens", o.StackName))
	}
	if o.TemplateURL != "" && !strings.HasPrefix(o.TemplateURL, "https://") {
		p = append(p, fmt.Sprintf("--template-url: %q must be an https:// URL (CloudFormation reads templates from S3 over HTTPS)", o.TemplateURL))
	}
	if spec, ok := lookupService(o.Service); ok {
		if msg := checkResources(spec, o.Resources); msg != "" {
			p = append(p, msg)
		}
	}
	return p
}

func problemsError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return apperr.New(apperr.Invalid, "invalid onboard options: %s", strings.Join(problems, "; "))
}

func checkService(s string) string {
	if _, ok := lookupService(s); ok {
		return ""
	}
	if s == "" {
		return "--service is required: glue, s3 or datazone"
	}
	// A workflow source type that is not an onboarding service of its own
	// (athena) is granted with its family's role: the registry says which.
	if fam, ok := all.NewRegistry().Service(s); ok && fam != s {
		if spec, ok := lookupService(fam); ok {
			return fmt.Sprintf("--service: %q is covered by --service %s (%s)", s, fam, spec.Description)
		}
	}
	return fmt.Sprintf("--service: unknown service %q; use glue, s3 or datazone", s)
}

func checkAccess(a string) string {
	if a == ReadOnly || a == ReadWrite {
		return ""
	}
	return fmt.Sprintf("--access: unknown access level %q; use ReadOnly or ReadWrite", a)
}

func checkVendorAccount(a string) string {
	if a == "" {
		return "--vendor-account is required: pass lakemap's 12-digit AWS account ID (ask the lakemap team) or set " + VendorAccountEnv
	}
	if !accountPattern.MatchString(a) {
		return fmt.Sprintf("--vendor-account: %q is not an AWS account ID: expected exactly 12 digits", a)
	}
	return ""
}

func checkExternalID(id string) string {
	if id == "" {
		return "--external-id is required: use your project's external ID, lakemap-<project-uuid>"
	}
	if len(id) < 2 || len(id) > 1224 || !externalIDPattern.MatchString(id) {
		return fmt.Sprintf("--external-id: must be 2-1224 characters of letters, digits and +=,.@:/-_ (got %d characters)", len(id))
	}
	return ""
}

func checkRoleName(name string) string {
	if len(name) > 64 || !roleNamePattern.MatchString(name) {
		return fmt.Sprintf("--role-name: %q must be 1-64 characters of letters, digits and +=,.@-_ (got %d characters)", name, len(name))
	}
	return ""
}

func checkRegion(region string) string {
	if len(awsconn.Config{Region: region}.Problems()) > 0 {
		return fmt.Sprintf("--region: %q is not an AWS region name (like us-east-1)", region)
	}
	// The trust policy and the console URL are written for the aws partition.
	if strings.HasPrefix(region, "cn-") || strings.HasPrefix(region, "us-gov-") || strings.Contains(region, "-iso") {
		return fmt.Sprintf("--region: %q is outside the standard aws partition, which is the only one onboard generates for", region)
	}
	return ""
}

func checkResources(spec serviceSpec, arns []string) string {
	for _, arn := range arns {
		m := arnPattern.FindStringSubmatch(arn)
		if m == nil {
			return fmt.Sprintf("--resources: %q is not an ARN like arn:aws:<service>:<region>:<account>:<resource>", arn)
		}
		if !slices.Contains(spec.ARNServices, m[1]) {
			return fmt.Sprintf("--resources: %q is a %s ARN; --service %s takes ARNs of %s", arn, m[1], spec.Name, strings.Join(spec.ARNServices, ", "))
		}
	}
	return ""
}
