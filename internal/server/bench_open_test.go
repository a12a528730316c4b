package server

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// openLoop is the open loop: clients goroutines each send on their own
// Poisson schedule, rate requests a second among them all, for as long as
// calls requests take at that rate. A latency runs from the request's
// scheduled send time: a client still waiting on its last answer sends
// late, and the lateness counts, as it would for a user (no coordinated
// omission). It returns the sorted latencies and the wall time.
func openLoop(b *testing.B, base string, c *http.Client, header http.Header, path func() string, calls, clients int, rate float64) ([]time.Duration, time.Duration) {
	b.Helper()
	perClient := rate / float64(clients) // requests a second of one client
	start := time.Now()
	end := start.Add(time.Duration(float64(calls) / rate * float64(time.Second)))
	lats := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failMu sync.Mutex
	var failure string
	for i := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			for due := start; ; {
				due = due.Add(time.Duration(rng.ExpFloat64() / perClient * float64(time.Second)))
				if !due.Before(end) {
					return
				}
				time.Sleep(time.Until(due))
				err := benchGet(c, base+path(), header)
				lats[i] = append(lats[i], time.Since(due))
				if err != nil {
					failMu.Lock()
					failure = err.Error()
					failMu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if failure != "" {
		b.Fatalf("a request failed: %s", failure)
	}
	lat := slices.Concat(lats...)
	if len(lat) == 0 {
		b.Fatalf("the open loop sent nothing in %s at %.1f requests/s", wall, rate)
	}
	slices.Sort(lat)
	return lat, wall
}

// loadResult is one load model's run of one operation and mode.
type loadResult struct {
	n             int
	p50, p99, max time.Duration
	perSecond     float64 // requests answered a second
	cpuPerReq     float64 // process CPU ms a request
	cpuOfAllCores float64 // process CPU over the run, % of every core
}

func newLoadResult(sorted []time.Duration, wall, cpu time.Duration, cores int) loadResult {
	n := len(sorted)
	return loadResult{
		n:             n,
		p50:           sorted[n/2],
		p99:           sorted[n*99/100],
		max:           sorted[n-1],
		perSecond:     float64(n) / wall.Seconds(),
		cpuPerReq:     ms(cpu) / float64(n),
		cpuOfAllCores: 100 * cpu.Seconds() / wall.Seconds() / float64(cores),
	}
}

// benchRow is one operation and mode under both load models; rate is the
// open loop's target.
type benchRow struct {
	key          string
	closed, open loadResult
	rate         float64
}

// busyRate is the open-loop rate that keeps cores percent busy by the
// closed loop's CPU per request, the costliest of rows' modes.
func busyRate(cores, percent int, rows []benchRow) float64 {
	var cpu float64
	for _, r := range rows {
		cpu = max(cpu, r.closed.cpuPerReq)
	}
	return float64(percent) / 100 * float64(cores) * 1000 / max(cpu, 0.001)
}

// loadAverage is the machine's one-minute load average, "?" where
// /proc/loadavg cannot say: latencies mean little beside other work.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// writeBenchTable prints both load models side by side.
func writeBenchTable(w io.Writer, title string, rows []benchRow) {
	d := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	fmt.Fprintf(w, "\n%s\n", title)
	fmt.Fprintf(w, "closed loop: each client sends again as soon as answered (saturated; latency ~ clients / throughput)\n")
	fmt.Fprintf(w, "open loop:   Poisson arrivals at a fixed rate across the clients, latency from the scheduled send\n")
	fmt.Fprintf(w, "%-24s | %-49s | %s\n", "", "closed loop", "open loop")
	fmt.Fprintf(w, "%-24s | %8s %10s %9s %9s %9s | %8s %5s %9s %9s %9s\n", "operation", "req/s", "CPU ms/req", "p50", "p99", "max", "rate/s", "CPU%", "p50", "p99", "max")
	for _, r := range rows {
		c, o := r.closed, r.open
		fmt.Fprintf(w, "%-24s | %8.0f %10.2f %9s %9s %9s | %8.1f %5.0f %9s %9s %9s\n", r.key,
			c.perSecond, c.cpuPerReq, d(c.p50), d(c.p99), d(c.max),
			r.rate, o.cpuOfAllCores, d(o.p50), d(o.p99), d(o.max))
	}
}
