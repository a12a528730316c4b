package benchproc

import (
	"runtime"
	"runtime/metrics"
	"time"
)

// HeapPeaks are a run's peaks of the Go heap, in MiB. InUse counts what
// the collector has not reclaimed yet (GOGC lets it reach twice the live
// heap); Live, the heap the last collection marked, is what the run holds.
// Peak RSS less InUse is roughly what is not Go's: SQLite's memory when a
// benchmark writes into a real catalog.
type HeapPeaks struct{ InUse, Live float64 }

// SampleHeap samples the heap every 20 ms until the returned function is
// called, which returns the peaks.
func SampleHeap() func() HeapPeaks {
	stop, result := make(chan struct{}), make(chan HeapPeaks)
	go func() {
		var inUse, live uint64
		marked := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			inUse = max(inUse, ms.HeapInuse)
			metrics.Read(marked)
			live = max(live, marked[0].Value.Uint64())
			select {
			case <-tick.C:
			case <-stop:
				result <- HeapPeaks{InUse: float64(inUse) / (1 << 20), Live: float64(live) / (1 << 20)}
				return
			}
		}
	}()
	return func() HeapPeaks {
		close(stop)
		return <-result
	}
}
