package awsrecord

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lakemap/lakemap/internal/testenv/datazonefake"
)

// iamPrefix maps a SigV4 signing name to the IAM service prefix of its
// actions where the two differ: CloudWatch signs as "monitoring".
var iamPrefix = map[string]string{"monitoring": "cloudwatch"}

// s3Actions is THE table from S3 operation names to the IAM actions that
// authorize them: S3 is the service whose actions are not named after its
// operations (ListObjectsV2 is s3:ListBucket, HeadObject is s3:GetObject).
// Every other service's action is its operation's name.
var s3Actions = map[string]string{
	"ListBuckets":             "s3:ListAllMyBuckets",
	"HeadBucket":              "s3:ListBucket",
	"ListObjects":             "s3:ListBucket",
	"ListObjectsV2":           "s3:ListBucket",
	"ListObjectVersions":      "s3:ListBucketVersions",
	"GetBucketLocation":       "s3:GetBucketLocation",
	"GetBucketVersioning":     "s3:GetBucketVersioning",
	"GetBucketTagging":        "s3:GetBucketTagging",
	"GetBucketPolicy":         "s3:GetBucketPolicy",
	"CreateBucket":            "s3:CreateBucket",
	"DeleteBucket":            "s3:DeleteBucket",
	"PutBucketTagging":        "s3:PutBucketTagging",
	"DeleteBucketTagging":     "s3:PutBucketTagging",
	"GetObject":               "s3:GetObject",
	"HeadObject":              "s3:GetObject",
	"GetObjectVersion":        "s3:GetObjectVersion", // GetObject/HeadObject with versionId
	"GetObjectTagging":        "s3:GetObjectTagging",
	"GetObjectVersionTagging": "s3:GetObjectVersionTagging",
	"PutObject":               "s3:PutObject",
	"CopyObject":              "s3:PutObject",
	"CreateMultipartUpload":   "s3:PutObject",
	"UploadPart":              "s3:PutObject",
	"CompleteMultipartUpload": "s3:PutObject",
	"AbortMultipartUpload":    "s3:AbortMultipartUpload",
	"PutObjectTagging":        "s3:PutObjectTagging",
	"DeleteObject":            "s3:DeleteObject",
	"DeleteObjectVersion":     "s3:DeleteObjectVersion", // DeleteObject with versionId
	"DeleteObjects":           "s3:DeleteObject",
}

// Identify names a request's signing service, operation and IAM action.
// The operation comes from X-Amz-Target (JSON protocols: Glue, Athena),
// Action= (query protocol: STS, IAM, CloudWatch), the S3 REST shape
// (method, bucket or key, subresource) or DataZone's REST bindings. An
// unknown request gets op "METHOD /path" and action "<service>:?", which no
// policy allows.
func Identify(r *http.Request, body []byte) (service, op, action string) {
	service = signingService(r.Header.Get("Authorization"))
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		target := r.Header.Get("X-Amz-Target")
		op = target[strings.LastIndexByte(target, '.')+1:]
	case service == "s3":
		op = s3Operation(r)
	case service == "datazone":
		if o, ok := datazonefake.Operation(r.Method, r.URL.EscapedPath()); ok {
			op = o
		}
	default:
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			if v, err := url.ParseQuery(string(body)); err == nil {
				op = v.Get("Action")
			}
		}
		if op == "" {
			op = r.URL.Query().Get("Action")
		}
	}
	if op == "" {
		return service, r.Method + " " + r.URL.Path, service + ":?"
	}
	return service, op, ActionOf(service, op)
}

// ActionOf is the IAM action that authorizes op of the service (its SigV4
// signing name).
func ActionOf(service, op string) string {
	if service == "s3" {
		if a, ok := s3Actions[op]; ok {
			return a
		}
		return "s3:?" + op
	}
	prefix := service
	if p, ok := iamPrefix[service]; ok {
		prefix = p
	}
	return prefix + ":" + op
}

// s3Operation reads the operation from a path-style S3 request (lakemap
// uses path style against custom endpoints, as the tests do).
func s3Operation(r *http.Request) string {
	q := r.URL.Query()
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	has := func(k string) bool { _, ok := q[k]; return ok }
	versioned := q.Get("versionId") != ""
	if bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	}
	if key == "" {
		return s3BucketOperation(r.Method, has)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case has("tagging") && versioned:
			return "GetObjectVersionTagging"
		case has("tagging"):
			return "GetObjectTagging"
		case versioned:
			return "GetObjectVersion"
		case r.Method == http.MethodHead:
			return "HeadObject"
		}
		return "GetObject"
	case http.MethodPut:
		switch {
		case has("tagging"):
			return "PutObjectTagging"
		case has("uploadId"):
			return "UploadPart"
		case r.Header.Get("X-Amz-Copy-Source") != "":
			return "CopyObject"
		}
		return "PutObject"
	case http.MethodPost:
		if has("uploads") {
			return "CreateMultipartUpload"
		}
		if has("uploadId") {
			return "CompleteMultipartUpload"
		}
	case http.MethodDelete:
		switch {
		case has("uploadId"):
			return "AbortMultipartUpload"
		case versioned:
			return "DeleteObjectVersion"
		}
		return "DeleteObject"
	}
	return ""
}

func s3BucketOperation(method string, has func(string) bool) string {
	switch method {
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodGet:
		for _, sub := range []struct{ query, op string }{
			{"location", "GetBucketLocation"}, {"versioning", "GetBucketVersioning"}, {"tagging", "GetBucketTagging"},
			{"policy", "GetBucketPolicy"}, {"versions", "ListObjectVersions"}, {"list-type", "ListObjectsV2"},
		} {
			if has(sub.query) {
				return sub.op
			}
		}
		return "ListObjects"
	case http.MethodPut:
		if has("tagging") {
			return "PutBucketTagging"
		}
		return "CreateBucket"
	case http.MethodDelete:
		if has("tagging") {
			return "DeleteBucketTagging"
		}
		return "DeleteBucket"
	case http.MethodPost:
		if has("delete") {
			return "DeleteObjects"
		}
	}
	return ""
}

// signingService reads the service of the SigV4 credential scope:
// Credential=AKID/20240101/us-east-1/glue/aws4_request.
func signingService(auth string) string {
	if scope := credentialScope(auth); len(scope) >= 4 {
		return scope[3]
	}
	return ""
}

// accessKey is the key id a request was signed with.
func accessKey(auth string) string {
	if scope := credentialScope(auth); len(scope) >= 1 {
		return scope[0]
	}
	return ""
}

func credentialScope(auth string) []string {
	_, after, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return nil
	}
	cred, _, _ := strings.Cut(after, ",")
	return strings.Split(strings.TrimSpace(cred), "/")
}
