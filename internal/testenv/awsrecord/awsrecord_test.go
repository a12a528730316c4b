package awsrecord

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/onboard"
)

func sigv4(service string) string {
	return "AWS4-HMAC-SHA256 Credential=ASIAKEY/20240101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=x"
}

func TestIdentify(t *testing.T) {
	for _, tc := range []struct {
		name, service, method, target, url, body, copySource string
		wantOp, wantAction                                   string
	}{
		{name: "glue json", service: "glue", method: "POST", target: "AWSGlue.GetTables", url: "/", wantOp: "GetTables", wantAction: "glue:GetTables"},
		{name: "athena start is its own action", service: "athena", method: "POST", target: "AmazonAthena.StartQueryExecution", url: "/", wantOp: "StartQueryExecution", wantAction: "athena:StartQueryExecution"},
		{name: "sts query", service: "sts", method: "POST", url: "/", body: "Action=AssumeRole&RoleArn=x", wantOp: "AssumeRole", wantAction: "sts:AssumeRole"},
		{name: "cloudwatch signs as monitoring", service: "monitoring", method: "POST", url: "/", body: "Action=GetMetricData", wantOp: "GetMetricData", wantAction: "cloudwatch:GetMetricData"},
		{name: "s3 list buckets", service: "s3", method: "GET", url: "/", wantOp: "ListBuckets", wantAction: "s3:ListAllMyBuckets"},
		{name: "s3 listV2", service: "s3", method: "GET", url: "/b?list-type=2&prefix=a", wantOp: "ListObjectsV2", wantAction: "s3:ListBucket"},
		{name: "s3 location", service: "s3", method: "GET", url: "/b?location=", wantOp: "GetBucketLocation", wantAction: "s3:GetBucketLocation"},
		{name: "s3 head bucket", service: "s3", method: "HEAD", url: "/b", wantOp: "HeadBucket", wantAction: "s3:ListBucket"},
		{name: "s3 head object", service: "s3", method: "HEAD", url: "/b/k/x.csv", wantOp: "HeadObject", wantAction: "s3:GetObject"},
		{name: "s3 get version", service: "s3", method: "GET", url: "/b/k?versionId=3", wantOp: "GetObjectVersion", wantAction: "s3:GetObjectVersion"},
		{name: "s3 object tagging", service: "s3", method: "GET", url: "/b/k?tagging=", wantOp: "GetObjectTagging", wantAction: "s3:GetObjectTagging"},
		{name: "s3 put", service: "s3", method: "PUT", url: "/b/k", wantOp: "PutObject", wantAction: "s3:PutObject"},
		{name: "s3 copy", service: "s3", method: "PUT", url: "/b/k", copySource: "/b/j", wantOp: "CopyObject", wantAction: "s3:PutObject"},
		{name: "s3 delete version", service: "s3", method: "DELETE", url: "/b/k?versionId=3", wantOp: "DeleteObjectVersion", wantAction: "s3:DeleteObjectVersion"},
		{name: "s3 create bucket", service: "s3", method: "PUT", url: "/b", wantOp: "CreateBucket", wantAction: "s3:CreateBucket"},
		{name: "datazone rest", service: "datazone", method: "GET", url: "/v2/domains/dzd_1/projects", wantOp: "ListProjects", wantAction: "datazone:ListProjects"},
		{name: "unknown datazone path", service: "datazone", method: "GET", url: "/v2/nothing", wantOp: "GET /v2/nothing", wantAction: "datazone:?"},
		{name: "unsigned", method: "GET", url: "/x", wantOp: "GET /x", wantAction: ":?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if tc.service != "" {
				r.Header.Set("Authorization", sigv4(tc.service))
			}
			if tc.target != "" {
				r.Header.Set("X-Amz-Target", tc.target)
			}
			if tc.body != "" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tc.copySource != "" {
				r.Header.Set("X-Amz-Copy-Source", tc.copySource)
			}
			_, op, action := Identify(r, []byte(tc.body))
			if op != tc.wantOp || action != tc.wantAction {
				t.Errorf("Identify = %q %q, want %q %q", op, action, tc.wantOp, tc.wantAction)
			}
		})
	}
}

func TestViolations(t *testing.T) {
	const role = "arn:aws:iam::210987654321:role/LakemapAccess"
	grants := map[string]Grant{role: {onboard.Glue, onboard.ReadOnly}}
	for _, tc := range []struct {
		name string
		call Call
		want string // "" means allowed
	}{
		{"in policy", Call{Action: "glue:GetTables", Role: role}, ""},
		{"optional read", Call{Action: "glue:GetColumnStatisticsForTable", Role: role}, ""},
		{"caller identity", Call{Action: "sts:GetCallerIdentity", Role: role}, ""},
		{"base AssumeRole", Call{Action: "sts:AssumeRole"}, ""},
		{"athena start is a write", Call{Action: "athena:StartQueryExecution", Role: role}, "outside the glue ReadOnly onboard policy"},
		{"athena stop is a write", Call{Action: "athena:StopQueryExecution", Role: role}, "outside the glue ReadOnly onboard policy"},
		{"write on ReadOnly", Call{Action: "s3:PutObject", Role: role}, "outside the glue ReadOnly onboard policy"},
		{"base credentials", Call{Action: "glue:GetTables"}, "base credentials"},
		{"unknown role", Call{Action: "glue:GetTables", Role: "arn:aws:iam::1:role/x"}, "granted nothing"},
		{"unknown request", Call{Action: "s3:?", Role: role}, "outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Violations([]Call{tc.call}, grants)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.want == "" && len(v) > 0:
				t.Errorf("violations %v, want none", v)
			case tc.want != "" && (len(v) != 1 || !strings.Contains(v[0], tc.want)):
				t.Errorf("violations %v, want one with %q", v, tc.want)
			}
		})
	}
	if _, err := Violations(nil, map[string]Grant{role: {"ftp", onboard.ReadOnly}}); err == nil {
		t.Error("a grant of an unknown service was accepted")
	}
}
