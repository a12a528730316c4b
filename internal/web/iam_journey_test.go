package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"

	"github.com/lakemap/lakemap/internal/onboard"
	"github.com/lakemap/lakemap/internal/testenv/moto"
	"github.com/lakemap/lakemap/internal/web"
)

// TestMissingGroupInBrowser, against moto with IAM enforced: a ReadOnly
// Glue role made from onboard's policy without its S3ReadAccess statement
// tests FAIL for that group, with the actions and the statement to add;
// once the role has the whole policy, Test again passes every group.
func TestMissingGroupInBrowser(t *testing.T) {
	ctx := web.Tab(t)
	srv := moto.Start(t)
	bg := context.Background()
	seed := srv.AWSConfig(t, "", "")
	gc := glue.NewFromConfig(seed)
	_, err := gc.CreateDatabase(bg, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("sales")}})
	web.Must(t, err)
	// No "/" after the bucket: moto 5.2.1 with IAM enforced misreads the
	// signature of an S3 query holding an encoded "/" (see conntest).
	_, err = gc.CreateTable(bg, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &gluetypes.TableInput{
		Name: aws.String("orders"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/orders"),
			Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
	}})
	web.Must(t, err)
	sc := s3.NewFromConfig(seed, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = sc.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("lake")})
	web.Must(t, err)
	_, err = sc.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("orders/part-0.parquet"), Body: strings.NewReader("PAR1")})
	web.Must(t, err)

	s := newStack(t)
	proj := s.admin(t, "root", "alpha")
	// lakemap acts as a vendor user that may only assume roles; the
	// customer's role trusts it with the project's External ID. moto reads
	// exact principals, not the guide's "<account>:root".
	vendor := moto.CreateUser(t, srv, "lakemap-vendor", moto.Policy("*", "sts:AssumeRole"))
	trust, err := onboard.TrustPolicy(moto.DefaultAccountID, proj.ExternalID)
	web.Must(t, err)
	trustDoc := strings.Replace(string(trust), "arn:aws:iam::"+moto.DefaultAccountID+":root", vendor.ARN, 1)
	full, err := onboard.PermissionPolicy(onboard.Glue, onboard.ReadOnly, nil)
	web.Must(t, err)
	partial := withoutStatement(t, full, "S3ReadAccess")
	ic := iam.NewFromConfig(seed)
	role, err := ic.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("GlueReadOnlyRole"), AssumeRolePolicyDocument: aws.String(trustDoc)})
	web.Must(t, err)
	putPolicy := func(doc string) {
		_, err := ic.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("GlueReadOnlyRole"),
			PolicyName: aws.String("GlueReadOnlyAccess"), PolicyDocument: aws.String(doc)})
		web.Must(t, err)
	}
	putPolicy(partial)
	srv.SetAuth(t, true)
	t.Cleanup(func() { srv.SetAuth(t, false) })
	t.Setenv("AWS_ACCESS_KEY_ID", vendor.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", vendor.SecretAccessKey)
	t.Setenv("AWS_SESSION_TOKEN", "")

	base := s.srv.URL
	web.SignIn(t, ctx, base+"/signin", "root")
	web.Step(t, ctx, "connect the role",
		chromedp.Navigate(base+"/projects/alpha/integrations/aws/glue"),
		chromedp.WaitVisible(chromedp.CSS("#f-roleArn")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "lake"),
		chromedp.SendKeys(chromedp.CSS("#f-roleArn"), aws.ToString(role.Role.Arn)),
		chromedp.Click(chromedp.CSS("form.stack details:last-of-type summary")),
		chromedp.SendKeys(chromedp.CSS("#f-endpointUrl"), srv.URL()),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[value=test]`)))

	testConnection := func(name string) {
		t.Helper()
		// The report page replaces a page that may show a report already:
		// a mark on the old document tells the two apart.
		web.Eval(t, ctx, `document.body.setAttribute("data-old", ""), true`)
		web.Step(t, ctx, name,
			chromedp.Click(chromedp.CSS(`button[value=test]`)),
			chromedp.WaitNotPresent(chromedp.CSS("body[data-old]")),
			chromedp.WaitVisible(chromedp.CSS("table.report")))
	}
	testConnection("test the role without S3ReadAccess")
	row := web.TextOf(t, ctx, `tr[data-check="S3ReadAccess"]`)
	for _, want := range []string{"FAIL", "s3:GetObject", "s3:ListBucket", "statement to add"} {
		if !strings.Contains(row, want) {
			t.Errorf("S3ReadAccess row lacks %q:\n%s", want, row)
		}
	}
	stmt := web.TextOf(t, ctx, `tr[data-check="S3ReadAccess"] details.statement pre`)
	if !strings.Contains(stmt, `"Sid": "S3ReadAccess"`) {
		t.Errorf("statement to add:\n%s", stmt)
	}
	if got := web.TextOf(t, ctx, `tr[data-check="GlueCatalogReadAccess"]`); !strings.Contains(got, "PASS") {
		t.Errorf("GlueCatalogReadAccess row: %q", got)
	}

	// The customer attaches the whole policy, as the page says.
	srv.SetAuth(t, false)
	putPolicy(string(full))
	srv.SetAuth(t, true)

	testConnection("test again")
	for _, check := range []string{"GlueCatalogReadAccess", "AthenaQueryRead", "S3ReadAccess"} {
		if got := web.TextOf(t, ctx, `tr[data-check="`+check+`"] .badge`); got != "PASS" {
			t.Errorf("%s after the fix: %s", check, got)
		}
	}
	if h := web.TextOf(t, ctx, "#test-h"); !strings.Contains(h, "0 failed") {
		t.Errorf("report heading after the fix: %q", h)
	}
}

// withoutStatement drops the statement sid from a policy document.
func withoutStatement(t *testing.T, doc []byte, sid string) string {
	t.Helper()
	var p map[string]any
	web.Must(t, json.Unmarshal(doc, &p))
	var kept []any
	for _, st := range p["Statement"].([]any) {
		if st.(map[string]any)["Sid"] != sid {
			kept = append(kept, st)
		}
	}
	if len(kept) == len(p["Statement"].([]any)) {
		t.Fatalf("the policy has no statement %s", sid)
	}
	p["Statement"] = kept
	b, err := json.Marshal(p)
	web.Must(t, err)
	return string(b)
}
