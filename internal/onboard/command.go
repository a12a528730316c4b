package onboard

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// format is one thing `lakemap onboard` prints.
type format struct {
	Name string
	// Ext is the file extension of the output, for golden files and --help.
	Ext string
	// Identity says whether the output names the vendor account and the
	// external ID, which are then required.
	Identity bool
	// Scoped says whether --resources applies; the template and its console
	// link grant "*", like the vendor guide's.
	Scoped bool
	render func(o Options, outDir string) ([]byte, error)
}

var formats = [...]format{
	{Name: "trust-policy", Ext: "json", Identity: true, render: func(o Options, _ string) ([]byte, error) {
		return TrustPolicy(o.VendorAccount, o.ExternalID)
	}},
	{Name: "permissions", Ext: "json", Scoped: true, render: func(o Options, _ string) ([]byte, error) {
		return PermissionPolicy(o.Service, o.Access, o.Resources)
	}},
	{Name: "cloudformation", Ext: "yaml", render: func(o Options, _ string) ([]byte, error) {
		return CloudFormation(o.Service)
	}},
	{Name: "console-url", Ext: "txt", Identity: true, render: func(o Options, _ string) ([]byte, error) {
		u, err := ConsoleURL(o)
		return []byte(u + "\n"), err
	}},
	{Name: "cli", Ext: "sh", Identity: true, Scoped: true, render: renderCLI},
	{Name: "checklist", Ext: "md", Identity: true, Scoped: true, render: func(o Options, _ string) ([]byte, error) {
		return Checklist(o)
	}},
}

// Formats lists the --format values.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return names
}

// Render returns one output of `lakemap onboard`. Only the cli format
// touches the disk: it writes the policy files into outDir.
func Render(opts Options, formatName, outDir string) ([]byte, error) {
	var f *format
	for i := range formats {
		if formats[i].Name == formatName {
			f = &formats[i]
		}
	}
	if f == nil {
		return nil, problemsError([]string{fmt.Sprintf("--format: unknown format %q; use %s", formatName, strings.Join(Formats(), ", "))})
	}
	opts = opts.WithDefaults()
	problems := opts.problems(f.Identity)
	if !f.Scoped && len(opts.Resources) > 0 {
		problems = append(problems, fmt.Sprintf("--resources: --format %s grants \"*\" as the vendor's template does; restrict with --format permissions or cli", f.Name))
	}
	if err := problemsError(problems); err != nil {
		return nil, err
	}
	return f.render(opts, outDir)
}

func renderCLI(o Options, outDir string) ([]byte, error) {
	cmds, err := CLI(o, outDir)
	if err != nil {
		return nil, err
	}
	files := []string{TrustPolicyFile}
	for _, level := range policyLevels(o.Access) {
		files = append(files, PermissionsFile(o.Service, level))
	}
	if outDir == "" {
		outDir = "."
	}
	return fmt.Appendf(nil, "# Policy files written to directory %q: %s.\n# Run these commands from the directory --out is relative to, with credentials of the account that owns the data.\n\n%s\n",
		outDir, strings.Join(files, ", "), strings.Join(cmds, "\n\n")), nil
}

// NewCommand returns `lakemap onboard`.
func NewCommand() *cobra.Command {
	var opts Options
	var formatName, outDir string
	cmd := &cobra.Command{
		Use:   "onboard --service glue|s3|datazone --external-id ID --format FORMAT",
		Short: "Print what a customer runs in their AWS account to let lakemap in",
		Long: `Prints what a customer runs in their own AWS account so lakemap can assume a
role there: the trust policy, the ReadOnly or ReadWrite permission policy of a
service, the CloudFormation template, the console quick-create link, the AWS
CLI commands (which read policy files written into --out) or a Markdown
checklist of the whole procedure. Nothing is sent to AWS.

Formats: ` + strings.Join(Formats(), ", ") + `.`,
		Example: `  lakemap onboard --service glue --access ReadOnly --vendor-account 123456789012 \
    --external-id lakemap-3f1c0d2e --format checklist
  lakemap onboard --service s3 --format cloudformation > lakemap-s3-crossaccount.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("vendor-account") {
				opts.VendorAccount = os.Getenv(VendorAccountEnv)
			}
			out, err := Render(opts, formatName, outDir)
			if err != nil {
				return err
			}
			return write(cmd.OutOrStdout(), out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Service, "service", "", "service to grant: glue (Glue, Athena and S3 reads), s3 or datazone")
	f.StringVar(&opts.Access, "access", ReadOnly, "access level: ReadOnly or ReadWrite")
	f.StringVar(&opts.ExternalID, "external-id", "", "your project's External ID, lakemap-<project-uuid>")
	f.StringVar(&opts.VendorAccount, "vendor-account", "", "lakemap's 12-digit AWS account ID (default $"+VendorAccountEnv+")")
	f.StringVar(&opts.RoleName, "role-name", "", "IAM role name (default <Service>AccessRoleForLakemap)")
	f.StringVar(&opts.Region, "region", "", "AWS region of the console link and the workflow (default us-east-1)")
	f.StringVar(&opts.TemplateURL, "template-url", "", "HTTPS URL of the published template (default "+DefaultTemplateBaseURL+"lakemap-<template>-crossaccount.yaml)")
	f.StringVar(&opts.StackName, "stack-name", "", "CloudFormation stack name (default Lakemap<Service>Access)")
	f.StringSliceVar(&opts.Resources, "resources", nil, `ARNs that replace "*" in the statements of their service, comma-separated`)
	f.StringVar(&outDir, "out", ".", "directory the cli format writes the policy files into")
	f.StringVar(&formatName, "format", "checklist", "output: "+strings.Join(Formats(), ", "))
	return cmd
}

// commandLine is the `lakemap onboard` invocation that renders the format
// for opts, for the checklist to quote.
func commandLine(o Options, formatName string) string {
	args := []string{"lakemap onboard", "--service", o.Service, "--access", o.Access,
		"--vendor-account", o.VendorAccount, "--external-id", shellQuote(o.ExternalID),
		"--role-name", shellQuote(o.RoleName)}
	if len(o.Resources) > 0 {
		args = append(args, "--resources", shellQuote(strings.Join(o.Resources, ",")))
	}
	args = append(args, "--format", formatName)
	return strings.Join(args, " ")
}

func write(w io.Writer, data []byte) error {
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("writing the onboard output: %w", err)
	}
	return nil
}
