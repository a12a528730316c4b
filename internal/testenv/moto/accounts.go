package moto

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// CustomerRoleName is the role CustomerRole creates in each customer account.
const CustomerRoleName = "LakemapAccess"

// Customer is a simulated customer account.
type Customer struct {
	AccountID string
	// RoleARN is arn:aws:iam::<AccountID>:role/LakemapAccess; give it to the
	// code under test as assumeRoleArn.
	RoleARN string
	// AWS acts inside the customer account (credentials from AssumeRole):
	// seed the account's Glue, S3, Athena data with it.
	AWS aws.Config
}

// CustomerRole simulates a customer account: it assumes
// arn:aws:iam::<accountID>:role/LakemapAccess with moto's default keys,
// whose temporary key moto maps to that account, and creates the role there
// so IAM lists it. Data seeded with Customer.AWS is visible only to callers
// that assume a role in the same account — which is what lakemap does.
func CustomerRole(t testing.TB, srv *Server, accountID string) Customer {
	t.Helper()
	ctx := context.Background()
	roleARN := "arn:aws:iam::" + accountID + ":role/" + CustomerRoleName
	out, err := sts.NewFromConfig(srv.AWSConfig(t, "", "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(roleARN),
		RoleSessionName: aws.String("lakemap-test-seed"),
	})
	if err != nil {
		t.Fatalf("assuming %s in moto: %v", roleARN, err)
	}
	c := out.Credentials
	cfg := endpointConfig(srv.url, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))

	trust, _ := json.Marshal(policy("sts:AssumeRole", map[string]any{"AWS": "*"}, nil))
	_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(CustomerRoleName),
		AssumeRolePolicyDocument: aws.String(string(trust)),
	})
	var exists *iamtypes.EntityAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		t.Fatalf("creating %s: %v", roleARN, err)
	}
	return Customer{AccountID: accountID, RoleARN: roleARN, AWS: cfg}
}

// User is an IAM user with an access key, for tests that turn enforcement
// on (SetAuth): moto then accepts only real keys.
type User struct {
	ARN             string
	AccessKeyID     string
	SecretAccessKey string
}

// CreateUser creates an IAM user in moto's default account (123456789012)
// with an access key and the given inline policy document (skipped when
// nil). Call it while enforcement is off.
func CreateUser(t testing.TB, srv *Server, name string, inlinePolicy any) User {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(srv.AWSConfig(t, "", ""))
	u, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating IAM user %s: %v", name, err)
	}
	k, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating an access key for %s: %v", name, err)
	}
	if inlinePolicy != nil {
		doc, err := json.Marshal(inlinePolicy)
		if err != nil {
			t.Fatalf("encoding the policy of %s: %v", name, err)
		}
		if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String(name), PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(string(doc)),
		}); err != nil {
			t.Fatalf("attaching a policy to %s: %v", name, err)
		}
	}
	return User{ARN: aws.ToString(u.User.Arn), AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// CreateRole creates a role in moto's default account with the given trust
// policy document and returns its ARN. Only roles in the caller's own
// account get their trust policy (and sts:ExternalId condition) checked.
func CreateRole(t testing.TB, srv *Server, name string, trustPolicy any) string {
	t.Helper()
	doc, err := json.Marshal(trustPolicy)
	if err != nil {
		t.Fatalf("encoding the trust policy of %s: %v", name, err)
	}
	out, err := iam.NewFromConfig(srv.AWSConfig(t, "", "")).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(string(doc)),
	})
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}

// Policy builds an identity policy allowing actions on resource. For Glue,
// Athena and CloudWatch moto honours only "*" resources.
func Policy(resource string, actions ...string) map[string]any {
	return policy(actions, nil, nil, resource)
}

// TrustPolicy builds a trust policy letting principalARN assume the role,
// requiring externalID when it is not empty. moto understands exact ARNs
// and "*", not "arn:aws:iam::<account>:root".
func TrustPolicy(principalARN, externalID string) map[string]any {
	var cond map[string]any
	if externalID != "" {
		cond = map[string]any{"StringEquals": map[string]any{"sts:ExternalId": externalID}}
	}
	return policy("sts:AssumeRole", map[string]any{"AWS": principalARN}, cond)
}

func policy(action any, principal map[string]any, condition map[string]any, resource ...string) map[string]any {
	st := map[string]any{"Effect": "Allow", "Action": action}
	if principal != nil {
		st["Principal"] = principal
	}
	if len(resource) > 0 {
		st["Resource"] = resource[0]
	}
	if condition != nil {
		st["Condition"] = condition
	}
	return map[string]any{"Version": "2012-10-17", "Statement": []any{st}}
}
