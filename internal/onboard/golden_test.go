package onboard

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden and testdata/seed")

const (
	testVendor     = "123456789012"
	testExternalID = "lakemap-3f1c0d2e-7b9a-4c1e-9d2f-0a1b2c3d4e5f"
)

func goldenOptions(service, access string) Options {
	return Options{Service: service, Access: access, VendorAccount: testVendor, ExternalID: testExternalID}
}

// TestGolden renders every format of every service and access level, and
// compares it with testdata/golden/<service>-<access>/<format>.<ext>.
func TestGolden(t *testing.T) {
	for _, spec := range services {
		for _, access := range []string{ReadOnly, ReadWrite} {
			for _, f := range formats {
				name := spec.Name + "-" + strings.ToLower(access) + "/" + f.Name + "." + f.Ext
				t.Run(name, func(t *testing.T) {
					// The cli format writes policy files into the working directory.
					dir := t.TempDir()
					t.Chdir(dir)
					got, err := Render(goldenOptions(spec.Name, access), f.Name, ".")
					if err != nil {
						t.Fatal(err)
					}
					if f.Name == "cli" {
						checkWrittenPolicies(t, dir, spec.Name, access)
					}
					checkGolden(t, name, got)
				})
			}
		}
	}
}

// checkWrittenPolicies checks the cli format's files are the policies the
// other formats print.
func checkWrittenPolicies(t *testing.T, dir, service, access string) {
	t.Helper()
	trust, err := TrustPolicy(testVendor, testExternalID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{TrustPolicyFile: trust}
	for _, level := range policyLevels(access) {
		doc, err := PermissionPolicy(service, level, nil)
		if err != nil {
			t.Fatal(err)
		}
		want[PermissionsFile(service, level)] = doc
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("cli wrote %d files, want %d", len(entries), len(want))
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, data)
		}
	}
}

// checkGolden compares got with testdata/golden/<name>, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(testdataDir, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/onboard -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale (run go test ./internal/onboard -update and review the diff); got:\n%s", name, got)
	}
}

// testdataDir is absolute because TestGolden changes directory.
var testdataDir = func() string {
	dir, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return dir
}()
