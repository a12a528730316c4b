package onboard

import (
	"net/url"
	"strings"
)

// ConsoleURL returns the CloudFormation console's quick-create link with
// every stack parameter filled in. The console reads the stack parameters
// from the query inside the URL fragment, after '#'; each value is
// query-escaped there, so '&', '+', '/' or '=' in a value cannot end it.
func ConsoleURL(opts Options) (string, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("https://console.aws.amazon.com/cloudformation/home?region=")
	b.WriteString(url.QueryEscape(opts.Region))
	b.WriteString("#/stacks/create/review")
	// The vendor guide's parameter order, which url.Values would sort away.
	for i, kv := range [][2]string{
		{"templateURL", opts.TemplateURL},
		{"stackName", opts.StackName},
		{"param_LakemapAccountId", opts.VendorAccount},
		{"param_ExternalId", opts.ExternalID},
		{"param_RoleName", opts.RoleName},
		{"param_AccessLevel", opts.Access},
	} {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[1]))
	}
	return b.String(), nil
}
