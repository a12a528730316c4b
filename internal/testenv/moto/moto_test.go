package moto

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

var motoSrv Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

func createDatabase(t *testing.T, cfg aws.Config, name string) {
	t.Helper()
	_, err := glue.NewFromConfig(cfg).CreateDatabase(context.Background(), &glue.CreateDatabaseInput{
		DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(name)},
	})
	if err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
}

func databaseNames(t *testing.T, cfg aws.Config) []string {
	t.Helper()
	out, err := glue.NewFromConfig(cfg).GetDatabases(context.Background(), &glue.GetDatabasesInput{})
	if err != nil {
		t.Fatalf("listing databases: %v", err)
	}
	var names []string
	for _, db := range out.DatabaseList {
		names = append(names, aws.ToString(db.Name))
	}
	return names
}

func TestServerResetAndAuth(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cfg := srv.AWSConfig(t, "", "")
	createDatabase(t, cfg, "before_reset")
	if got := databaseNames(t, cfg); len(got) != 1 || got[0] != "before_reset" {
		t.Fatalf("databases = %v, want [before_reset]", got)
	}
	srv.Reset(t)
	if got := databaseNames(t, cfg); len(got) != 0 {
		t.Fatalf("after Reset, databases = %v, want none", got)
	}

	srv.SetAuth(t, true)
	t.Cleanup(func() { srv.SetAuth(t, false) })
	_, err := glue.NewFromConfig(cfg).GetDatabases(context.Background(), &glue.GetDatabasesInput{})
	if err == nil {
		t.Fatal("with enforcement on, moto accepted the made-up key \"test\"")
	}
	srv.SetAuth(t, false)
	databaseNames(t, cfg)
}

func TestCustomerRoleIsolatesAccounts(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	a := CustomerRole(t, srv, "111111111111")
	b := CustomerRole(t, srv, "222222222223")
	createDatabase(t, a.AWS, "only_in_a")

	for _, c := range []struct {
		cust Customer
		want int
	}{{a, 1}, {b, 0}} {
		id, err := sts.NewFromConfig(c.cust.AWS).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(id.Account); got != c.cust.AccountID {
			t.Errorf("caller account = %s, want %s", got, c.cust.AccountID)
		}
		if got := databaseNames(t, c.cust.AWS); len(got) != c.want {
			t.Errorf("account %s sees databases %v, want %d", c.cust.AccountID, got, c.want)
		}
	}
	if want := "arn:aws:iam::111111111111:role/LakemapAccess"; a.RoleARN != want {
		t.Errorf("RoleARN = %s, want %s", a.RoleARN, want)
	}
	// A second CustomerRole for the same account must not fail on the
	// existing role.
	CustomerRole(t, srv, "111111111111")
}

func TestAccountOfDecodesMotoKeys(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	for _, acct := range []string{"123456789012", "000000000001", "210987654321", "999999999998"} {
		c := CustomerRole(t, srv, acct)
		key, err := c.AWS.Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := accountOf(key.AccessKeyID); got != acct {
			t.Errorf("accountOf(key of %s) = %s", acct, got)
		}
	}
	for _, key := range []string{"test", "AKIA", "AKIA!!!!!!!!!!!!!!!!"} {
		if got := accountOf(key); got != DefaultAccountID {
			t.Errorf("accountOf(%q) = %s, want the default account", key, got)
		}
	}
}

func TestStartOwnServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second Python process")
	}
	srv := Start(t)
	databaseNames(t, srv.AWSConfig(t, "", ""))
}

// apiCode returns the AWS error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }
