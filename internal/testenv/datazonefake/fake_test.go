package datazonefake

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"
)

// An ASIA key moto issues for account 123456789012's neighbour is not
// needed here: any 20-character ASIA key decodes to some account.
const tempKey = "ASIAQAAAAAAAGXYZ7ABC"

func client(url, key, token string) *dz.Client {
	return dz.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret", token),
		Retryer:     func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 1) }})
}

func TestFakeProtocol(t *testing.T) {
	f := New(t, "", 2, "AKIABASEKEY000000000")
	acct := accountOf(tempKey)
	f.Edit(acct, func(e *Estate) { *e = *Seed(acct) })
	ctx := context.Background()
	good := client(f.URL(), tempKey, "token")

	var denied *types.AccessDeniedException
	var notFound *types.ResourceNotFoundException
	var invalid *types.ValidationException
	var throttled *types.ThrottlingException
	for _, tc := range []struct {
		name string
		call func() error
		want any
	}{
		{"base key", func() error {
			_, err := client(f.URL(), "AKIABASEKEY000000000", "").ListDomains(ctx, &dz.ListDomainsInput{})
			return err
		}, &denied},
		{"unknown domain", func() error {
			_, err := good.GetDomain(ctx, &dz.GetDomainInput{Identifier: aws.String("dzd_nope")})
			return err
		}, &notFound},
		{"bad token", func() error {
			_, err := good.ListDomains(ctx, &dz.ListDomainsInput{NextToken: aws.String("garbage")})
			return err
		}, &invalid},
		{"bad scope", func() error {
			_, err := good.Search(ctx, &dz.SearchInput{DomainIdentifier: aws.String("dzd_0001"), SearchScope: "NOPE"})
			return err
		}, &invalid},
		{"injected throttle", func() error {
			f.FailNext("ListProjects", 1, "ThrottlingException")
			_, err := good.ListProjects(ctx, &dz.ListProjectsInput{DomainIdentifier: aws.String("dzd_0001")})
			return err
		}, &throttled},
		{"policy", func() error {
			f.Allow(acct, GuideReadOnly)
			defer f.Allow(acct, nil)
			_, err := good.Search(ctx, &dz.SearchInput{DomainIdentifier: aws.String("dzd_0001"), SearchScope: types.InventorySearchScopeAsset})
			return err
		}, &denied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err == nil || !errors.As(err, tc.want) {
				t.Errorf("err = %v, want %T", err, tc.want)
			}
		})
	}

	// Pages of two, to the end.
	var n int
	pages := dz.NewListProjectsPaginator(good, &dz.ListProjectsInput{DomainIdentifier: aws.String("dzd_0002")})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > 2 {
			t.Fatalf("page of %d", len(p.Items))
		}
		n += len(p.Items)
	}
	if n != SeedProjectsPerDomain {
		t.Errorf("%d projects, want %d", n, SeedProjectsPerDomain)
	}

	// Writes are recorded as such.
	f.ClearRequests()
	a, err := good.CreateAsset(ctx, &dz.CreateAssetInput{DomainIdentifier: aws.String("dzd_0001"), Name: aws.String("new"),
		OwningProjectIdentifier: aws.String("prj000"), TypeIdentifier: aws.String("amazon.datazone.GlueTableAssetType")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.CreateListingChangeSet(ctx, &dz.CreateListingChangeSetInput{DomainIdentifier: aws.String("dzd_0001"),
		EntityIdentifier: a.Id, EntityType: types.EntityTypeAsset, Action: types.ChangeActionPublish}); err != nil {
		t.Fatal(err)
	}
	if _, err := good.DeleteAsset(ctx, &dz.DeleteAssetInput{DomainIdentifier: aws.String("dzd_0001"), Identifier: a.Id}); err != nil {
		t.Fatal(err)
	}
	if w := f.WriteRequests(); len(w) != 3 || w[0].Op != "CreateAsset" || w[1].Op != "CreateListingChangeSet" || w[2].Op != "DeleteAsset" {
		t.Errorf("writes = %+v", w)
	}
}
