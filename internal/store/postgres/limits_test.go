package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// FQNs up to catalog.MaxFQNBytes are stored when PostgreSQL's index can hold
// them (it compresses long keys); one it cannot hold is refused as invalid
// input, never an internal error.
func TestLongFQNs(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	sc, err := s.BeginScan(ctx, catalog.ScanStart{Service: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	db := catalog.Entity{FQN: "svc.db", Kind: catalog.KindDatabase}
	long := "svc.db." + strings.Repeat("t", catalog.MaxFQNBytes-len("svc.db."))
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{db, {FQN: long, Kind: catalog.KindTable}}); err != nil {
		t.Fatalf("a repetitive FQN of %d bytes: %v", len(long), err)
	}
	if _, err := s.Get(ctx, long); err != nil {
		t.Fatalf("Get long FQN: %v", err)
	}
	noise := make([]byte, (catalog.MaxFQNBytes-len("svc.db."))/2)
	_, _ = rand.Read(noise)
	random := "svc.db." + hex.EncodeToString(noise)
	_, err = s.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: random, Kind: catalog.KindTable}})
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an incompressible FQN of %d bytes: err %v, want success or apperr.Invalid", len(random), err)
	}
}
