package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

func TestMarkRunningInterrupted(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	begin := func() int64 {
		sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", SourceType: "glue", Started: t0})
		if err != nil {
			t.Fatal(err)
		}
		return sc.ID
	}
	done, left1, left2 := begin(), begin(), begin()
	if err := s.FinishScan(ctx, done, catalog.ScanResult{Status: catalog.ScanSucceeded, Finished: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	n, err := s.MarkRunningInterrupted(ctx, at)
	if err != nil || n != 2 {
		t.Fatalf("MarkRunningInterrupted = %d, %v; want 2", n, err)
	}
	for id, want := range map[int64]catalog.ScanStatus{done: catalog.ScanSucceeded, left1: scanInterrupted, left2: scanInterrupted} {
		sc, err := s.GetScan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Status != want {
			t.Errorf("scan %d status = %s, want %s", id, sc.Status, want)
		}
		if want == scanInterrupted && (sc.Finished == nil || !sc.Finished.Equal(at)) {
			t.Errorf("scan %d finished = %v, want %v", id, sc.Finished, at)
		}
	}
	if n, err := s.MarkRunningInterrupted(ctx, at); err != nil || n != 0 {
		t.Fatalf("second MarkRunningInterrupted = %d, %v; want 0", n, err)
	}
}

func TestSetScanStatus(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ended, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishScan(ctx, ended.ID, catalog.ScanResult{Status: catalog.ScanFailed, Finished: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	running, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc", Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	for _, tc := range []struct {
		name         string
		id           int64
		status       catalog.ScanStatus
		wantFinished time.Time
	}{
		{"keeps the runner's end time", ended.ID, "cancelled", t0.Add(time.Minute)},
		{"sets a missing end time", running.ID, scanInterrupted, at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SetScanStatus(ctx, tc.id, tc.status, at); err != nil {
				t.Fatal(err)
			}
			sc, err := s.GetScan(ctx, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Status != tc.status || sc.Finished == nil || !sc.Finished.Equal(tc.wantFinished) {
				t.Fatalf("scan = %s finished %v, want %s finished %v", sc.Status, sc.Finished, tc.status, tc.wantFinished)
			}
		})
	}
	t.Run("unknown scan", func(t *testing.T) {
		if err := s.SetScanStatus(ctx, 9999, scanInterrupted, at); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("err = %v, want NotFound", err)
		}
	})
	t.Run("empty status", func(t *testing.T) {
		if err := s.SetScanStatus(ctx, running.ID, "", at); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("err = %v, want Invalid", err)
		}
	})
}
