package onboard

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lakemap/lakemap/internal/catalog"
)

// accountPlaceholder stands for the customer's account in the role ARN: only
// the customer knows it, and the stack's RoleArn output gives the whole ARN.
const accountPlaceholder = "<YOUR_ACCOUNT_ID>"

// Checklist is the whole procedure for a human, in Markdown: the
// CloudFormation method, the manual method, the lakemap configuration, and
// the vendor guide's troubleshooting and monitoring advice.
func Checklist(opts Options) ([]byte, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	spec, _ := lookupService(opts.Service)
	consoleURL, err := ConsoleURL(opts)
	if err != nil {
		return nil, err
	}
	trust, err := TrustPolicy(opts.VendorAccount, opts.ExternalID)
	if err != nil {
		return nil, err
	}
	workflow, err := workflowSnippet(spec, opts)
	if err != nil {
		return nil, err
	}
	roleARN := "arn:aws:iam::" + accountPlaceholder + ":role/" + opts.RoleName
	workflowFile := spec.Name + "-workflow.yaml"

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Connect %s to lakemap (%s)\n\n", spec.Title, opts.Access)
	w("lakemap reaches %s by assuming an IAM role in your AWS account, with an External ID and 15-minute sessions: no long-term keys leave your account.\n\n", spec.Description)
	w("| Setting | Value |\n|---|---|\n")
	w("| lakemap's AWS account | `%s` |\n", opts.VendorAccount)
	w("| External ID | `%s` |\n", opts.ExternalID)
	w("| Role name | `%s` |\n", opts.RoleName)
	w("| Access level | `%s` |\n", opts.Access)
	w("| Region | `%s` |\n\n", opts.Region)
	if opts.Access == ReadWrite {
		w("ReadWrite lets lakemap change things in your account, not only read them (see the ReadWrite policy below). Choose ReadOnly unless you need that.\n\n")
	}

	w("## Option A: CloudFormation (recommended)\n\n")
	w("- [ ] Signed in to the AWS console of the account that owns the data, open the quick-create link:\n\n")
	w("      %s\n\n", consoleURL)
	w("  The link loads the template from %s. To host it yourself, save `lakemap onboard --service %s --format cloudformation` to your own S3 bucket and pass its URL with `--template-url`.\n", opts.TemplateURL, spec.Name)
	if len(opts.Resources) > 0 {
		w("  The template grants `\"Resource\": \"*\"`; for the policies restricted to your ARNs, use option B.\n")
	}
	w("- [ ] Check the parameters: `LakemapAccountId` `%s`, `ExternalId` `%s`, `RoleName` `%s`, `AccessLevel` `%s`.\n", opts.VendorAccount, opts.ExternalID, opts.RoleName, opts.Access)
	w("- [ ] Acknowledge that CloudFormation creates IAM resources with custom names, then choose **Create stack**.\n")
	w("- [ ] Wait for the stack status `CREATE_COMPLETE`.\n")
	w("- [ ] Copy the `RoleArn` value from the stack's **Outputs** tab.\n\n")

	w("## Option B: manual IAM role creation (AWS CLI)\n\n")
	w("- [ ] Save the trust policy as `%s`:\n\n```json\n%s```\n\n", TrustPolicyFile, trust)
	for _, level := range policyLevels(opts.Access) {
		doc, err := PermissionPolicy(spec.Name, level, opts.Resources)
		if err != nil {
			return nil, err
		}
		w("- [ ] Save the %s permission policy as `%s`:\n\n```json\n%s```\n\n", level, PermissionsFile(spec.Name, level), doc)
	}
	w("  (`%s --out DIR` writes these files and prints the commands below.)\n\n", commandLine(opts, "cli"))
	w("- [ ] Create the role and attach the policies:\n\n```bash\n%s\n```\n\n", strings.Join(manualCommands(spec, opts, "."), "\n\n"))
	w("- [ ] Copy the role ARN:\n\n```bash\naws iam get-role --role-name %s --query Role.Arn --output text\n```\n\n", shellQuote(opts.RoleName))
	if len(opts.Resources) > 0 {
		w("The policies are restricted to the ARNs you gave; statements of services none of them names keep `\"Resource\": \"*\"`.\n")
		if spec.Name == S3 {
			w("`s3:ListAllMyBuckets` takes no bucket ARN: with bucket ARNs only, lakemap cannot list your buckets and scans the buckets the workflow names.\n")
		}
		w("\n")
	}

	w("## Configure in lakemap\n\n")
	w("- [ ] Save this workflow as `%s`, with the role ARN you copied (it looks like `%s`):\n\n```yaml\n%s```\n\n", workflowFile, roleARN, workflow)
	w("- [ ] Test the connection; every check should say PASS:\n\n```bash\nlakemap connection test -c %s\n```\n\n", workflowFile)
	w("- [ ] Run the first scan:\n\n```bash\nlakemap ingest -c %s\n```\n\n", workflowFile)

	w("## Troubleshooting\n\n")
	w("**Error: \"Access Denied\"**\n")
	w("- Verify the IAM role trust policy includes lakemap's account ID (`%s`)\n", opts.VendorAccount)
	w("- Confirm the external ID matches (`%s` in both the trust policy and `assumeRoleExternalId`)\n", opts.ExternalID)
	w("- Check that the permissions policy is attached to the role\n\n")
	w("**Error: \"Role not found\"**\n")
	w("- Verify the role ARN format: `arn:aws:iam::{account}:role/{name}`\n")
	w("- Confirm the role exists in the correct AWS account\n")
	w("- Check for typos in the role name\n\n")
	w("**Error: \"Invalid credentials\"**\n")
	w("- Check that lakemap's own AWS credentials (the account `%s` side) are properly configured\n", opts.VendorAccount)
	w("- Verify network connectivity to the AWS STS endpoint\n\n")
	w("lakemap's operator can test the role by hand, with credentials of lakemap's account (`%s`):\n\n```bash\n", opts.VendorAccount)
	w("aws sts assume-role \\\n  --role-arn %s \\\n  --role-session-name test-session \\\n  --external-id %s\n\n", shellQuote(roleARN), shellQuote(opts.ExternalID))
	w("export AWS_ACCESS_KEY_ID=<from assume-role output>\nexport AWS_SECRET_ACCESS_KEY=<from assume-role output>\nexport AWS_SESSION_TOKEN=<from assume-role output>\n\n")
	w("%s --region %s\n```\n\n", spec.Probe, opts.Region)

	w("## Monitoring\n\n")
	w("CloudTrail records every time lakemap assumes the role:\n\n```bash\n")
	w("aws cloudtrail lookup-events \\\n  --lookup-attributes AttributeKey=EventName,AttributeValue=AssumeRole \\\n  --max-items 10\n```\n\n")
	w("Watch for `AssumeRole` events with your role ARN, the API calls made by the assumed role's sessions (named `lakemap-<connection>`), and failed authentication attempts.\n")
	return []byte(b.String()), nil
}

// workflowSnippet is a minimal ingestion workflow for the connection, built
// as YAML nodes so values such as the external ID are quoted when they must be.
func workflowSnippet(spec serviceSpec, opts Options) ([]byte, error) {
	roleARN := node("arn:aws:iam::" + accountPlaceholder + ":role/" + opts.RoleName)
	roleARN.LineComment = "the stack's RoleArn output"
	awsConfig := mapping(
		"awsRegion", opts.Region,
		"assumeRoleArn", roleARN,
		"assumeRoleExternalId", opts.ExternalID,
	)
	awsConfig.Content[0].HeadComment = fmt.Sprintf("lakemap's own credentials, in account %s, come from the standard AWS chain.", opts.VendorAccount)
	// A lakemap External ID belongs to its project: a workflow using one
	// must name the project, or ingest refuses it (confused-deputy rule).
	fields := []any{"type", spec.ConnectionType}
	if id, ok := strings.CutPrefix(opts.ExternalID, catalog.ExternalIDPrefix); ok {
		project := node(id)
		project.LineComment = "the lakemap project whose External ID the role trusts"
		fields = append(fields, "project", project)
	}
	fields = append(fields, "accessLevel", opts.Access, "awsConfig", awsConfig)
	connectionConfig := mapping(fields...)
	serviceName := node("aws_" + spec.Name)
	serviceName.LineComment = "the connection's name in lakemap; pick your own"
	doc := mapping(
		"source", mapping(
			"type", spec.Name,
			"serviceName", serviceName,
			"serviceConnection", mapping("config", connectionConfig),
		),
		"sink", mapping("type", "metadata-rest", "config", &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}),
		"workflowConfig", mapping("loggerLevel", "INFO"),
	)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding the workflow snippet: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding the workflow snippet: %w", err)
	}
	return buf.Bytes(), nil
}
