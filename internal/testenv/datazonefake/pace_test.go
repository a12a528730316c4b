package datazonefake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	dz "github.com/aws/aws-sdk-go-v2/service/datazone"
	"github.com/aws/aws-sdk-go-v2/service/datazone/types"
)

// A token bucket of burst 2 refilling once a minute lets two calls through
// and throttles the third as DataZone does (429, ThrottlingException);
// the stats count both, also over HTTP for a fake in another process.
func TestPaceThrottles(t *testing.T) {
	f := New(t, "", 50)
	acct := accountOf(tempKey)
	f.Edit(acct, func(e *Estate) { *e = *SeedScale(acct, Scale{Domains: 1, ProjectsPerDomain: 2, Assets: 300}) })
	f.Pace(0, 1.0/60, 2)
	ctx := context.Background()
	c := client(f.URL(), tempKey, "token")
	for i := range 2 {
		if _, err := c.GetAsset(ctx, &dz.GetAssetInput{DomainIdentifier: aws.String("dzd_s000"), Identifier: aws.String("as0_0000299")}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	var throttled *types.ThrottlingException
	if _, err := c.ListDomains(ctx, &dz.ListDomainsInput{}); !errors.As(err, &throttled) {
		t.Fatalf("third call: %v, want ThrottlingException", err)
	}
	resp, err := http.Get(f.URL() + StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.Requests != 3 || st.Throttled != 1 || st.Ops["GetAsset"] != 2 || st.Ops["ListDomains"] != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// Lookups by id follow edits of the slices (the index is rebuilt when it
// no longer matches).
func TestLookupFollowsEdits(t *testing.T) {
	d := SeedScale("111122223333", Scale{Domains: 1, ProjectsPerDomain: 2, Assets: 10}).Domains[0]
	if a := d.asset("as0_0000003"); a == nil || a.ID != "as0_0000003" {
		t.Fatalf("asset = %+v", a)
	}
	d.RemoveAsset("as0_0000003")
	if a := d.asset("as0_0000003"); a != nil {
		t.Errorf("removed asset found: %+v", a)
	}
	if a := d.asset("as0_0000009"); a == nil || a.ID != "as0_0000009" {
		t.Errorf("asset after a removal = %+v", a)
	}
	d.Assets[0] = &Asset{ID: "new"}
	if d.asset("as0_0000000") != nil || d.asset("new") == nil {
		t.Error("a replaced asset is still found, or its replacement is not")
	}
	if l := d.listing("las0_0000009"); l == nil || l.AssetID != "as0_0000009" {
		t.Errorf("listing = %+v", l)
	}
}
