package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lakemap/lakemap/internal/store/storetest"
)

func TestIdentityConformance(t *testing.T) {
	storetest.RunIdentity(t, func(t *testing.T) storetest.IdentityBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
