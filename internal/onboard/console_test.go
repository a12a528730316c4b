package onboard

import (
	"net/url"
	"strings"
	"testing"
)

func TestConsoleURLRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want map[string]string
	}{
		{
			name: "defaults",
			opts: Options{Service: Glue, VendorAccount: "123456789012", ExternalID: "lakemap-proj-abc123"},
			want: map[string]string{
				"region":                 "us-east-1",
				"templateURL":            "https://lakemap-public-templates.s3.amazonaws.com/lakemap-glue-athena-crossaccount.yaml",
				"stackName":              "LakemapGlueAccess",
				"param_LakemapAccountId": "123456789012",
				"param_ExternalId":       "lakemap-proj-abc123",
				"param_RoleName":         "GlueAccessRoleForLakemap",
				"param_AccessLevel":      "ReadOnly",
			},
		},
		{
			name: "values needing escapes",
			opts: Options{
				Service: DataZone, Access: "readwrite", VendorAccount: "000000000001",
				ExternalID:  "lakemap+a=b,c.d@e:f/g-h_i",
				RoleName:    "Role+=,.@-_x",
				Region:      "eu-central-2",
				StackName:   "My-Stack-1",
				TemplateURL: "https://bucket.s3.amazonaws.com/t.yaml?versionId=a+b/c&x=1#frag",
			},
			want: map[string]string{
				"region":                 "eu-central-2",
				"templateURL":            "https://bucket.s3.amazonaws.com/t.yaml?versionId=a+b/c&x=1#frag",
				"stackName":              "My-Stack-1",
				"param_LakemapAccountId": "000000000001",
				"param_ExternalId":       "lakemap+a=b,c.d@e:f/g-h_i",
				"param_RoleName":         "Role+=,.@-_x",
				"param_AccessLevel":      "ReadWrite",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := ConsoleURL(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "https" || u.Host != "console.aws.amazon.com" || u.Path != "/cloudformation/home" {
				t.Errorf("URL %s: wrong console page", raw)
			}
			if got := u.Query().Get("region"); got != tc.want["region"] {
				t.Errorf("region = %q, want %q", got, tc.want["region"])
			}
			// The console parses the query inside the fragment itself, so
			// the fragment is read escaped, as the browser hands it over.
			route, rawQuery, ok := strings.Cut(u.EscapedFragment(), "?")
			if !ok || route != "/stacks/create/review" {
				t.Fatalf("fragment %q: want /stacks/create/review?...", u.EscapedFragment())
			}
			q, err := url.ParseQuery(rawQuery)
			if err != nil {
				t.Fatal(err)
			}
			wantKeys := []string{"templateURL", "stackName", "param_LakemapAccountId", "param_ExternalId", "param_RoleName", "param_AccessLevel"}
			if len(q) != len(wantKeys) {
				t.Errorf("fragment query has %d keys, want %d: %v", len(q), len(wantKeys), q)
			}
			for _, k := range wantKeys {
				if got := q[k]; len(got) != 1 || got[0] != tc.want[k] {
					t.Errorf("%s = %q, want %q", k, got, tc.want[k])
				}
			}
			// The vendor guide's order, for people who read the link.
			var order []string
			for _, kv := range strings.Split(rawQuery, "&") {
				k, _, _ := strings.Cut(kv, "=")
				order = append(order, k)
			}
			if strings.Join(order, ",") != strings.Join(wantKeys, ",") {
				t.Errorf("parameter order %v, want %v", order, wantKeys)
			}
		})
	}
}
