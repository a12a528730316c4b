// Package benchproc serves a benchmark's AWS fake from a child process —
// the test binary itself, running one named test — and reads the peak RSS
// of the benchmark's own process: a fake serving 200,000 objects or
// 50,000 assets from the benchmark's process would count its own pages
// and garbage as the scanner's memory.
package benchproc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Shape reads the child's parameters from env into v; ok is false in
// the benchmark's own process, where env is unset and the child's test
// should pass at once.
func Shape(tb testing.TB, env string, v any) (ok bool) {
	tb.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		return false
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		tb.Fatalf("%s: %v", env, err)
	}
	return true
}

// Serve is the child's end: it hands url to the parent and returns when
// the parent's benchmark ends (its standard input closes) or after an
// hour, should the parent have died without closing it.
func Serve(url string) {
	fmt.Printf("URL %s\n", url)
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Hour):
	}
}

// Start runs testName in a child process with shape in env and returns
// the URL it serves; the child ends with tb.
func Start(tb testing.TB, testName, env string, shape any) string {
	tb.Helper()
	raw, err := json.Marshal(shape)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+testName+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+string(raw))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
				urlc <- u
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			tb.Fatalf("%s ended without a URL", testName)
		}
		return u
	case <-time.After(5 * time.Minute):
		tb.Fatalf("%s gave no URL in 5 minutes", testName)
	}
	return ""
}

// ResetPeakRSS restarts the process's peak RSS (VmHWM) from its current
// RSS (Linux: "5" into clear_refs; elsewhere nothing happens), so that
// sizes run in one process each get their own peak. The heap a previous
// run freed is returned to the OS first: restarting the mark only sets it
// to the RSS of the moment.
func ResetPeakRSS() {
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// PeakRSS is the process's peak RSS (VmHWM) in MiB, 0 where /proc is
// missing.
func PeakRSS() float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return float64(kb) / 1024
		}
	}
	return 0
}

// StatsPath is where a child's fake may answer its counts: no bucket and
// no JSON operation can be named so.
const StatsPath = "/__lakemap_stats"

// GetJSON reads the JSON answer at url (a child's counts) into v, failing
// tb when it cannot.
func GetJSON(tb testing.TB, url string, v any) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatalf("read %s: %v", url, err)
	}
}
