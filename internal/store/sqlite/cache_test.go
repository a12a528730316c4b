package sqlite

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
)

// The readers' page caches share one budget: a server with many CPUs, and
// so many readers, does not hold a 64 MiB cache per reader.
func TestReaderCachesShareABudget(t *testing.T) {
	for _, c := range []struct{ readers, wantKiB int }{
		{4, 65536},  // a 2-core machine: what searches were measured with
		{8, 32768},  // 4 cores
		{32, 8192},  // 16 cores: the floor
		{64, 8192},  // the floor holds
		{0, 262144}, // never divides by zero
	} {
		if got := readerCacheKiB(c.readers); got != c.wantKiB {
			t.Errorf("readerCacheKiB(%d) = %d, want %d", c.readers, got, c.wantKiB)
		}
	}

	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var reader, writer int
	if err := s.read.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&reader); err != nil {
		t.Fatal(err)
	}
	if err := s.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if want := -readerCacheKiB(max(4, runtime.NumCPU()*2)); reader != want || writer != -12288 {
		t.Errorf("cache_size: reader %d, writer %d; want %d and -12288", reader, writer, want)
	}
}
