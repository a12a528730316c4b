package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// Warnings are kept apart from errors, and a scan finished without any reads
// back with none (the conformance suite does not cover them yet).
func TestScanWarnings(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0).UTC()
	tests := []struct {
		name     string
		warnings []string
	}{
		{"none", nil},
		{"some", []string{"lake formation: access denied, tags not read", "s3://b/x.parquet: not a parquet file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: now})
			if err != nil {
				t.Fatal(err)
			}
			err = s.FinishScan(ctx, sc.ID, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: now, Errors: []string{"e"}, Warnings: tt.warnings})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.GetScan(ctx, sc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Warnings, tt.warnings) || !slices.Equal(got.Errors, []string{"e"}) {
				t.Errorf("scan %d: warnings %q errors %q, want %q and [e]", sc.ID, got.Warnings, got.Errors, tt.warnings)
			}
		})
	}
}
