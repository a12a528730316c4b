package onboard

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// TrustPolicyFile is the file name the vendor guide's commands read.
const TrustPolicyFile = "trust-policy.json"

// PermissionsFile names a permission policy file the way the vendor guide
// does: glue-readonly-permissions.json.
func PermissionsFile(service, access string) string {
	return service + "-" + strings.ToLower(access) + "-permissions.json"
}

// CLI writes the trust policy and the permission policies into outDir and
// returns the vendor guide's "Method 2" commands that use them, one string
// per command. A ReadWrite role gets both the ReadOnly and the ReadWrite
// policy, like the CloudFormation template, so both methods create the same
// role. The file:// paths are relative when outDir is, so run the commands
// from the directory outDir is relative to.
func CLI(opts Options, outDir string) ([]string, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if outDir == "" {
		outDir = "."
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating --out directory %q: %w", outDir, err)
	}
	spec, _ := lookupService(opts.Service)
	trust, err := TrustPolicy(opts.VendorAccount, opts.ExternalID)
	if err != nil {
		return nil, err
	}
	if err := writePolicyFile(outDir, TrustPolicyFile, trust); err != nil {
		return nil, err
	}
	for _, level := range policyLevels(opts.Access) {
		doc, err := PermissionPolicy(spec.Name, level, opts.Resources)
		if err != nil {
			return nil, err
		}
		if err := writePolicyFile(outDir, PermissionsFile(spec.Name, level), doc); err != nil {
			return nil, err
		}
	}
	return manualCommands(spec, opts, outDir), nil
}

// policyLevels lists the policies a role of the access level gets.
func policyLevels(access string) []string {
	if access == ReadWrite {
		return []string{ReadOnly, ReadWrite}
	}
	return []string{ReadOnly}
}

// manualCommands are the create-role and put-role-policy commands reading
// the policy files in dir.
func manualCommands(spec serviceSpec, opts Options, dir string) []string {
	fileArg := func(name string) string {
		if dir != "" && dir != "." {
			name = filepath.ToSlash(filepath.Join(dir, name))
		}
		return shellQuote("file://" + name)
	}
	role := shellQuote(opts.RoleName)
	cmds := []string{fmt.Sprintf("aws iam create-role \\\n  --role-name %s \\\n  --assume-role-policy-document %s",
		role, fileArg(TrustPolicyFile))}
	for _, level := range policyLevels(opts.Access) {
		cmds = append(cmds, fmt.Sprintf("aws iam put-role-policy \\\n  --role-name %s \\\n  --policy-name %s \\\n  --policy-document %s",
			role, spec.policyName(level), fileArg(PermissionsFile(spec.Name, level))))
	}
	return cmds
}

func writePolicyFile(dir, name string, data []byte) error {
	// Policies hold no secret: the external ID is not one.
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

var shellSafe = regexp.MustCompile(`^[\w@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
