package conntest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/onboard"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

// customer is moto's default account seen as a customer's: a Glue table
// over s3://lake/orders with one object, and lakemap's roles created from
// `lakemap onboard`'s own JSON.
//
// The location holds no "/" after the bucket because moto 5.2.1, with IAM
// enforcement on, miscomputes the signature of S3 query strings holding an
// encoded "/" (ListObjectsV2 prefix=a%2Fb answers SignatureDoesNotMatch).
type customer struct {
	srv    *moto.Server
	proxy  *authProxy
	vendor moto.User
	// roles by access level.
	roles map[catalog.AccessLevel]string
}

// newCustomer seeds the account, creates a ReadOnly and a ReadWrite role
// trusting the vendor user with externalID, and turns IAM enforcement on.
func newCustomer(t *testing.T, externalID string) *customer {
	t.Helper()
	srv := motoSrv.Server(t)
	srv.Reset(t)
	ctx := context.Background()
	seed := srv.AWSConfig(t, "", "")
	gc := glue.NewFromConfig(seed)
	if _, err := gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("sales")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &gluetypes.TableInput{
		Name: aws.String("orders"), TableType: aws.String("EXTERNAL_TABLE"),
		StorageDescriptor: &gluetypes.StorageDescriptor{Location: aws.String("s3://lake/orders"),
			Columns: []gluetypes.Column{{Name: aws.String("order_id"), Type: aws.String("bigint")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	sc := s3.NewFromConfig(seed, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lake")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("orders/part-0.parquet"), Body: strings.NewReader("PAR1")}); err != nil {
		t.Fatal(err)
	}

	c := &customer{srv: srv, proxy: newAuthProxy(t, srv.URL()), roles: map[catalog.AccessLevel]string{}}
	c.vendor = moto.CreateUser(t, srv, "lakemap-vendor", moto.Policy("*", "sts:AssumeRole"))
	for _, access := range []catalog.AccessLevel{catalog.ReadOnly, catalog.ReadWrite} {
		c.roles[access] = createOnboardRole(t, srv, "Glue"+string(access)+"Role", string(access), c.vendor.ARN, externalID)
	}
	srv.SetAuth(t, true)
	t.Cleanup(func() { srv.SetAuth(t, false) })
	return c
}

// createOnboardRole creates a role with onboard's trust and permission
// policies. moto does not understand the guide's "<account>:root"
// principal, so the trust policy names the vendor user exactly.
func createOnboardRole(t *testing.T, srv *moto.Server, name, access, vendorARN, externalID string) string {
	t.Helper()
	ctx := context.Background()
	trust, err := onboard.TrustPolicy(moto.DefaultAccountID, externalID)
	if err != nil {
		t.Fatal(err)
	}
	root := "arn:aws:iam::" + moto.DefaultAccountID + ":root"
	if !strings.Contains(string(trust), root) {
		t.Fatalf("trust policy has no %s principal:\n%s", root, trust)
	}
	trustDoc := strings.Replace(string(trust), root, vendorARN, 1)
	perms, err := onboard.PermissionPolicy(onboard.Glue, access, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := iam.NewFromConfig(srv.AWSConfig(t, "", ""))
	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustDoc)})
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name),
		PolicyName: aws.String("Glue" + access + "Access"), PolicyDocument: aws.String(string(perms))}); err != nil {
		t.Fatalf("attaching the %s policy to %s: %v", access, name, err)
	}
	return aws.ToString(out.Role.Arn)
}

// config is an awsConfig block acting as the vendor through the proxy.
func (c *customer) config(role, externalID string) awsconn.Config {
	return awsconn.Config{
		AccessKeyID: c.vendor.AccessKeyID, SecretAccessKey: c.vendor.SecretAccessKey,
		EndpointURL: c.proxy.URL(), AssumeRoleARN: role, AssumeRoleExternalID: externalID,
	}
}

func (c *customer) session(t *testing.T, role, externalID string) *awsconn.Session {
	t.Helper()
	s, err := awsconn.NewSession(context.Background(), c.config(role, externalID),
		awsconn.Options{ServiceName: "prod_glue", MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// assertUnchanged checks the connection test left no trace in moto: no
// workgroup, data catalog or query besides what moto starts with.
func assertUnchanged(t *testing.T, srv *moto.Server) {
	t.Helper()
	srv.SetAuth(t, false)
	defer srv.SetAuth(t, true)
	ctx := context.Background()
	ac := athena.NewFromConfig(srv.AWSConfig(t, "", ""))
	wgs, err := ac.ListWorkGroups(ctx, &athena.ListWorkGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, wg := range wgs.WorkGroups {
		if aws.ToString(wg.Name) != "primary" {
			t.Errorf("workgroup %s exists after the connection test", aws.ToString(wg.Name))
		}
	}
	qs, err := ac.ListQueryExecutions(ctx, &athena.ListQueryExecutionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs.QueryExecutionIds) > 0 {
		t.Errorf("the connection test started queries: %v", qs.QueryExecutionIds)
	}
	dbs, err := glue.NewFromConfig(srv.AWSConfig(t, "", "")).GetDatabases(ctx, &glue.GetDatabasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dbs.DatabaseList) != 1 {
		t.Errorf("databases after the connection test: %d, want 1 (sales)", len(dbs.DatabaseList))
	}
}
