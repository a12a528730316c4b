package onboard

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jsonPolicy is a parsed policy, for statement-by-statement comparison.
type jsonPolicy struct {
	Version   string
	Statement []jsonStatement
}

type jsonStatement struct {
	Sid       string
	Effect    string
	Principal map[string]string
	Action    any
	Resource  any
	Condition map[string]map[string]string
}

func parsePolicy(t *testing.T, data []byte) jsonPolicy {
	t.Helper()
	var p jsonPolicy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("parsing policy: %v\n%s", err, data)
	}
	return p
}

// TestPermissionPolicyMatchesSeed compares every generated policy with the
// vendor guide's, statement by statement; the S3 CloudWatch statement is the
// one documented addition and must be OpenMetadata's.
func TestPermissionPolicyMatchesSeed(t *testing.T) {
	cloudWatch := parsePolicy(t, readSeed(t, "s3-cloudwatch.json")).Statement[0]
	for _, spec := range services {
		for _, access := range []string{ReadOnly, ReadWrite} {
			name := spec.Name + "-" + strings.ToLower(access)
			t.Run(name, func(t *testing.T) {
				data, err := PermissionPolicy(spec.Name, access, nil)
				if err != nil {
					t.Fatal(err)
				}
				got := parsePolicy(t, data)
				want := parsePolicy(t, readSeed(t, name+".json"))
				if spec.Name == S3 {
					last := got.Statement[len(got.Statement)-1]
					if last.Sid != "CloudWatchMetricsRead" || last.Effect != "Allow" || last.Resource != "*" ||
						!reflect.DeepEqual(last.Action, cloudWatch.Action) {
						t.Errorf("last s3 statement = %+v, want CloudWatchMetricsRead with OpenMetadata's actions %v on *", last, cloudWatch.Action)
					}
					got.Statement = got.Statement[:len(got.Statement)-1]
				}
				if got.Version != want.Version {
					t.Errorf("Version = %q, want %q", got.Version, want.Version)
				}
				if len(got.Statement) != len(want.Statement) {
					t.Fatalf("%d statements, the seed has %d", len(got.Statement), len(want.Statement))
				}
				for i := range want.Statement {
					if !reflect.DeepEqual(got.Statement[i], want.Statement[i]) {
						t.Errorf("statement %d:\n got %+v\nwant %+v", i, got.Statement[i], want.Statement[i])
					}
				}
			})
		}
	}
}

// TestPolicyActionsOneService guards the rule --resources relies on: all
// actions of a statement belong to one IAM service.
func TestPolicyActionsOneService(t *testing.T) {
	for _, spec := range services {
		for _, st := range append(append([]statement{}, spec.ReadOnly...), spec.ReadWrite...) {
			for _, a := range st.Actions {
				if !strings.HasPrefix(a, st.service()+":") {
					t.Errorf("%s %s: action %q is not of service %q", spec.Name, st.Sid, a, st.service())
				}
			}
		}
	}
}

func TestTrustPolicyMatchesSeed(t *testing.T) {
	const vendor, externalID = "210987654321", "lakemap-0f4e2c1a-aaaa-bbbb-cccc-0123456789ab"
	seed := strings.NewReplacer(
		"<CHICORY_VENDOR_ACCOUNT_ID>", vendor,
		"chicory-<your-project-uuid>", externalID,
	).Replace(string(readSeed(t, "trust-policy.json")))
	got, err := TrustPolicy(vendor, externalID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parsePolicy(t, got), parsePolicy(t, []byte(seed))) {
		t.Errorf("trust policy:\n%s\nwant:\n%s", got, seed)
	}
}

func TestTrustPolicyKeepsSpecialCharacters(t *testing.T) {
	const externalID = "lakemap+a=b,c.d@e:f/g-h_i"
	got, err := TrustPolicy("123456789012", externalID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte(`"sts:ExternalId": "`+externalID+`"`)) {
		t.Errorf("external ID not written as is:\n%s", got)
	}
}

func TestPermissionPolicyResources(t *testing.T) {
	// The guide's "Restrict to Specific Resources" ARNs for Glue.
	var seedGlue struct{ Resource []string }
	fragment := strings.NewReplacer("<REGION>", "eu-west-1", "<ACCOUNT_ID>", "111122223333").
		Replace(string(readSeed(t, "glue-restrict.fragment")))
	if err := json.Unmarshal([]byte("{"+fragment+"}"), &seedGlue); err != nil {
		t.Fatal(err)
	}
	var seedS3 struct{ Resource []string }
	if err := json.Unmarshal([]byte("{"+string(readSeed(t, "s3-restrict.fragment"))+"}"), &seedS3); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service, access string
		resources       []string
		want            map[string]any // Sid -> Resource
	}{
		{Glue, ReadOnly, seedGlue.Resource, map[string]any{
			"GlueCatalogReadAccess": seedGlue.Resource, "AthenaQueryRead": "*", "S3ReadAccess": "*",
		}},
		{Glue, ReadWrite, append(append([]string{}, seedGlue.Resource...), seedS3.Resource...), map[string]any{
			"GlueCatalogReadAccess": seedGlue.Resource, "GlueDataQualityAccess": seedGlue.Resource,
			"GlueColumnStatisticsAccess": seedGlue.Resource, "AthenaWorkGroupAccess": "*",
			"AthenaDataCatalogAccess": "*", "AthenaQueryAccess": "*", "S3AccessForAthenaResults": seedS3.Resource,
		}},
		{Glue, ReadOnly, []string{"arn:aws:athena:eu-west-1:111122223333:workgroup/primary"}, map[string]any{
			"GlueCatalogReadAccess": "*", "AthenaQueryRead": []string{"arn:aws:athena:eu-west-1:111122223333:workgroup/primary"}, "S3ReadAccess": "*",
		}},
		{S3, ReadWrite, seedS3.Resource, map[string]any{
			"S3BucketReadAccess": seedS3.Resource, "S3ObjectReadAccess": seedS3.Resource,
			"S3WriteAccess": seedS3.Resource, "CloudWatchMetricsRead": "*",
		}},
		{DataZone, ReadOnly, []string{"arn:aws:datazone:us-east-1:111122223333:domain/dzd_abc"}, map[string]any{
			"DataZoneReadAccess": []string{"arn:aws:datazone:us-east-1:111122223333:domain/dzd_abc"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.service+"-"+tc.access, func(t *testing.T) {
			data, err := PermissionPolicy(tc.service, tc.access, tc.resources)
			if err != nil {
				t.Fatal(err)
			}
			got := parsePolicy(t, data)
			if len(got.Statement) != len(tc.want) {
				t.Fatalf("%d statements, want %d", len(got.Statement), len(tc.want))
			}
			for _, st := range got.Statement {
				want, err := json.Marshal(tc.want[st.Sid])
				if err != nil {
					t.Fatal(err)
				}
				have, err := json.Marshal(st.Resource)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(have, want) {
					t.Errorf("%s Resource = %s, want %s", st.Sid, have, want)
				}
			}
		})
	}
}

func TestPermissionPolicyNormalisesNames(t *testing.T) {
	got, err := PermissionPolicy(" GLUE ", "readwrite", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := PermissionPolicy(Glue, ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("service and access names are not normalised")
	}
}

func TestChecklistWithResources(t *testing.T) {
	opts := goldenOptions(S3, ReadOnly)
	opts.Resources = []string{"arn:aws:s3:::my-bucket-name", "arn:aws:s3:::my-bucket-name/*"}
	got, err := Checklist(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"arn:aws:s3:::my-bucket-name/*"`,
		"`s3:ListAllMyBuckets` takes no bucket ARN",
		"The template grants `\"Resource\": \"*\"`",
		"--resources 'arn:aws:s3:::my-bucket-name,arn:aws:s3:::my-bucket-name/*' --format cli",
	} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("checklist lacks %q", want)
		}
	}
}
