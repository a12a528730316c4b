package sqlite

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Issue 15, finding 3: a huge search is refused at once, before the index
// is asked.
func TestSearchTextLimits(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		name, text, want string
	}{
		{"100,000 words", strings.Repeat("orders ", 100000), "search text is 700000 bytes long; at most 1024 are allowed"},
		{"33 words", strings.Repeat("a ", 33), "search text has 33 words; at most 32 are allowed"},
		{"1025 bytes", strings.Repeat("x", 1025), "1025 bytes long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := s.Search(ctx, catalog.SearchQuery{Text: tc.text})
			if d := time.Since(start); d > time.Second {
				t.Errorf("Search took %v", d)
			}
			if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Search = %v (kind %v), want Invalid with %q", err, apperr.KindOf(err), tc.want)
			}
		})
	}
	for _, text := range []string{strings.Repeat("a ", 32), strings.Repeat("x", 1024)} {
		if _, err := s.Search(ctx, catalog.SearchQuery{Text: text}); err != nil {
			t.Errorf("Search at the limit: %v", err)
		}
	}
}

// Issue 15, finding 5: a new catalog and its -wal and -shm are readable by
// their owner only.
func TestNewCatalogIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, _ := s.BeginScan(ctx, catalog.ScanStart{Service: "svc"})
	if _, err := s.Upsert(ctx, sc.ID, []catalog.Entity{{FQN: "svc", Kind: catalog.KindService}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "svc"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := fi.Mode() & fs.ModePerm; mode != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), mode)
		}
	}
}
