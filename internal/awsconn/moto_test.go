package awsconn

import (
	"context"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/testenv/moto"
)

var motoSrv moto.Shared

func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }

func motoSession(t *testing.T, cfg Config, opts Options) *Session {
	t.Helper()
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = time.Millisecond
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 3
	}
	s, err := NewSession(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The vendor guide's External ID check, end to end: moto enforces the trust
// policy's sts:ExternalId condition for a role in the caller's own account.
// The guide's principal "arn:aws:iam::<account>:root" is not understood by
// moto, so the trust policy names the vendor user exactly.
func TestExternalIDEnforcedEndToEnd(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	const externalID = "lakemap-3f2b8e0c-9d7a-4c1e-8f5b-1a2b3c4d5e6f"
	roleARN := "arn:aws:iam::" + moto.DefaultAccountID + ":role/CustomerReader"
	// AWS answers a missing role with AccessDenied; the vendor user may
	// assume only CustomerReader, so moto does the same.
	vendor := moto.CreateUser(t, srv, "lakemap-vendor", moto.Policy(roleARN, "sts:AssumeRole"))
	moto.CreateRole(t, srv, "CustomerReader", moto.TrustPolicy(vendor.ARN, externalID))
	srv.SetAuth(t, true)
	t.Cleanup(func() { srv.SetAuth(t, false) })

	base := Config{AccessKeyID: vendor.AccessKeyID, SecretAccessKey: vendor.SecretAccessKey, EndpointURL: srv.URL()}
	with := func(role, id string) Config {
		c := base
		c.AssumeRoleARN, c.AssumeRoleExternalID = role, id
		return c
	}
	badKeys := with(roleARN, externalID)
	badKeys.AccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	wrongSecret := with(roleARN, externalID)
	wrongSecret.SecretAccessKey = "not-the-secret-key"

	for _, tc := range []struct {
		name       string
		cfg        Config
		kind       apperr.Kind
		wantText   []string
		wantAdvice []string
	}{
		{"right external id", with(roleARN, externalID), 0, nil, nil},
		{"wrong external id", with(roleARN, "lakemap-someone-else"), apperr.AccessDenied,
			[]string{"checking the AWS identity: assuming role " + roleARN + " was refused", "STS AssumeRole returned AccessDenied", "HTTP 403"},
			[]string{AdviceTrustPolicy, AdviceExternalID, AdvicePermissionPolicy, AdviceRoleAccount, AdviceRoleTypos}},
		{"missing role", with("arn:aws:iam::"+moto.DefaultAccountID+":role/NoSuchRole", externalID), apperr.AccessDenied,
			[]string{"assuming role arn:aws:iam::123456789012:role/NoSuchRole was refused"},
			[]string{AdviceTrustPolicy, AdviceExternalID, AdvicePermissionPolicy, AdviceRoleAccount, AdviceRoleTypos}},
		{"unknown access key", badKeys, apperr.Unauthenticated,
			[]string{"AWS rejected lakemap's own credentials", "STS AssumeRole returned InvalidClientTokenId"},
			[]string{AdviceOwnCredentials, AdviceSTSNetwork}},
		{"wrong secret key", wrongSecret, apperr.Unauthenticated,
			[]string{"STS AssumeRole returned SignatureDoesNotMatch"}, []string{AdviceOwnCredentials, AdviceSTSNetwork}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := motoSession(t, tc.cfg, Options{ServiceName: "glue"}).Identity(context.Background())
			if tc.wantText == nil {
				if err != nil {
					t.Fatal(err)
				}
				want := "arn:aws:sts::123456789012:assumed-role/CustomerReader/lakemap-glue"
				if id.Account != moto.DefaultAccountID || id.ARN != want || id.SessionName != "lakemap-glue" || id.Expires.IsZero() {
					t.Errorf("Identity = %+v, want %s", id, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Identity = %+v, want an error", id)
			}
			if got := apperr.KindOf(err); got != tc.kind {
				t.Errorf("kind = %v, want %v: %v", got, tc.kind, err)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tc.cfg.SecretAccessKey) {
				t.Errorf("message %q shows the secret key", err)
			}
			if got := apperr.AdviceOf(err); !slices.Equal(got, tc.wantAdvice) {
				t.Errorf("advice = %q\nwant     %q", got, tc.wantAdvice)
			}
		})
	}

	// The role has no permissions policy: moto refuses Glue with an XML
	// 403 body, which the JSON-protocol client cannot decode.
	s := motoSession(t, with(roleARN, externalID), Options{ServiceName: "glue"})
	_, err := s.Glue().GetDatabases(context.Background(), &glue.GetDatabasesInput{})
	err = Classify(err, "listing Glue databases")
	if !apperr.Is(err, apperr.AccessDenied) || !strings.Contains(err.Error(), "listing Glue databases: access denied: Glue GetDatabases returned AccessDenied (HTTP 403") {
		t.Errorf("Glue without a permissions policy: %v (kind %v)", err, apperr.KindOf(err))
	}
}

// Everything the session sends goes to endPointURL, STS included, with the
// AssumeRole parameters the vendor guide promises.
func TestSessionSendsEverythingToTheEndpoint(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := moto.CustomerRole(t, srv, "210987654321")
	proxy := moto.NewGluePager(t, srv.URL(), 100)
	s := motoSession(t, Config{
		AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: proxy.URL(), Region: "eu-west-1",
		AssumeRoleARN: cust.RoleARN, AssumeRoleExternalID: "lakemap-project-1", AssumeRoleSourceIdentity: "alice",
	}, Options{ServiceName: "glue-eu"})

	id, err := s.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != cust.AccountID || id.SessionName != "lakemap-glue-eu" {
		t.Errorf("Identity = %+v, want account %s, session lakemap-glue-eu", id, cust.AccountID)
	}
	if _, err := s.Glue().GetDatabases(context.Background(), &glue.GetDatabasesInput{}); err != nil {
		t.Fatal(err)
	}

	reqs := proxy.Requests()
	var got []string
	for _, r := range reqs {
		got = append(got, r.Service+" "+r.Op)
	}
	if want := []string{"sts AssumeRole", "sts GetCallerIdentity", "glue GetDatabases"}; !slices.Equal(got, want) {
		t.Fatalf("calls through endPointURL = %v, want %v", got, want)
	}
	form := reqs[0].Form()
	for k, want := range map[string]string{
		"RoleArn": cust.RoleARN, "RoleSessionName": "lakemap-glue-eu", "DurationSeconds": "900",
		"ExternalId": "lakemap-project-1", "SourceIdentity": "alice",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("AssumeRole %s = %q, want %q", k, got, want)
		}
	}
	if auth := reqs[2].Header.Get("Authorization"); !strings.Contains(auth, "Credential=ASIA") || !strings.Contains(auth, "/eu-west-1/glue/") {
		t.Errorf("Glue call not signed with the assumed role's key in eu-west-1: %s", auth)
	}
}

func TestClassifyMotoErrors(t *testing.T) {
	srv := motoSrv.Server(t)
	srv.Reset(t)
	cust := moto.CustomerRole(t, srv, "210987654322")
	proxy := moto.NewGluePager(t, srv.URL(), 100)
	ctx := context.Background()
	s := motoSession(t, Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: proxy.URL(), AssumeRoleARN: cust.RoleARN}, Options{})
	client := s.Glue()
	if _, err := client.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("sales")}}); err != nil {
		t.Fatal(err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()
	dead := glue.NewFromConfig(motoSession(t, Config{AccessKeyID: "test", SecretAccessKey: "test", EndpointURL: "http://" + deadAddr}, Options{}).AWS())

	for _, tc := range []struct {
		name     string
		call     func() error
		kind     apperr.Kind
		wantText string
	}{
		{"throttled on every attempt", func() error {
			proxy.FailNext("GetDatabases", 3, "ThrottlingException", 400)
			_, err := client.GetDatabases(ctx, &glue.GetDatabasesInput{})
			return err
		}, apperr.Unavailable, "throttled by AWS, gave up after 3 attempts: Glue GetDatabases returned ThrottlingException"},
		{"access denied", func() error {
			proxy.FailNext("GetTables", 1, "AccessDeniedException", 400)
			_, err := client.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("sales")})
			return err
		}, apperr.AccessDenied, "access denied: Glue GetTables returned AccessDeniedException (HTTP 400"},
		{"missing database", func() error {
			_, err := client.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("nope")})
			return err
		}, apperr.NotFound, "not found: Glue GetDatabase returned EntityNotFoundException"},
		{"existing database", func() error {
			_, err := client.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String("sales")}})
			return err
		}, apperr.Conflict, "Glue CreateDatabase returned AlreadyExistsException"},
		{"bad segment", func() error {
			_, err := client.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("sales"), TableName: aws.String("t"),
				Segment: &gluetypes.Segment{SegmentNumber: 3, TotalSegments: aws.Int32(2)}})
			return err
		}, apperr.Invalid, "Glue GetPartitions returned InvalidInputException"},
		{"unreachable endpoint", func() error {
			_, err := dead.GetDatabases(ctx, &glue.GetDatabasesInput{})
			return err
		}, apperr.Unavailable, "cannot reach the AWS Glue endpoint http://" + deadAddr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Classify(tc.call(), "doing the test")
			if got := apperr.KindOf(err); got != tc.kind {
				t.Errorf("kind = %v, want %v: %v", got, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("message %q lacks %q", err, tc.wantText)
			}
		})
	}
}

func TestNoCredentialsAnywhere(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"HOME": dir, "AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
	} {
		t.Setenv(k, v)
	}
	fake := newFakeSTS(t, time.Hour)
	s, err := NewSession(context.Background(), Config{EndpointURL: fake.srv.URL, AssumeRoleARN: testRole}, Options{MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Identity(context.Background())
	if !apperr.Is(err, apperr.Unauthenticated) || !strings.Contains(err.Error(), "no AWS credentials found") {
		t.Errorf("err = %v (kind %v), want unauthenticated: no AWS credentials found", err, apperr.KindOf(err))
	}
	if got := apperr.AdviceOf(err); !slices.Equal(got, []string{AdviceOwnCredentials, AdviceSTSNetwork}) {
		t.Errorf("advice = %q", got)
	}
}
