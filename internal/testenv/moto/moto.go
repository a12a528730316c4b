// Package moto runs the moto AWS emulator for tests and puts a Glue paging
// proxy and a fake for the Glue operations moto lacks in front of it.
//
// It is test support: only _test.go files may import it. Files here have no
// _test suffix so that every package's tests can share it.
//
// One moto_server process per test package is the intended use:
//
//	var motoSrv moto.Shared
//
//	func TestMain(m *testing.M) { os.Exit(motoSrv.Run(m)) }
//
//	func TestScan(t *testing.T) {
//		srv := motoSrv.Server(t) // skips when moto_server is missing (fails when CI=true)
//		srv.Reset(t)
//		// Seed a customer account: assume its role, then write with those
//		// credentials; moto files the data under that account.
//		cust := moto.CustomerRole(t, srv, "210987654321")
//		glue.NewFromConfig(cust.AWS).CreateDatabase(ctx, ...)
//		// Serve it paged, with the Glue operations moto lacks:
//		pager := moto.NewGluePager(t, srv.URL(), 100)
//		// Run the code under test with endPointURL = pager.URL(),
//		// assumeRoleArn = cust.RoleARN and keys "test"/"test", then assert
//		// on pager.Ops() / pager.WriteOps().
//	}
//
// Tests sharing a server must not see each other's data: Reset at the start
// of each test (tests that do must not run in parallel), or give each test
// its own customer account id. Tests that turn IAM enforcement on (SetAuth)
// must turn it off again and must not run in parallel with others.
package moto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Binary is the moto server executable looked up on PATH.
const Binary = "moto_server"

// InstallHint is what to run when moto_server is missing.
const InstallHint = `pip install "moto[server]"`

// Region is the region AWSConfig and CustomerRole use.
const Region = "us-east-1"

// DefaultAccountID is the account moto puts non-moto access keys (like
// "test") in.
const DefaultAccountID = "123456789012"

// Server is one running moto_server.
type Server struct {
	url    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	client *http.Client
}

// Start runs a moto_server for this test alone and stops it when the test
// ends. Prefer Shared: a Python process takes a second or two to start.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := start()
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(s.Stop)
	return s
}

// errMissing marks "moto_server is not installed", which skips rather than fails.
var errMissing = errors.New(Binary + " not found on PATH; install it with: " + InstallHint)

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, errMissing) && os.Getenv("CI") != "true" {
		t.Skip(err.Error())
	}
	t.Fatal(err)
}

func start() (*Server, error) {
	bin, err := exec.LookPath(Binary)
	if err != nil {
		return nil, errMissing
	}
	// The free port is found by closing a listener, so another process may
	// grab it before moto binds: try a few times.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(bin, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(bin string, port int) (*Server, error) {
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// moto would otherwise pick up the developer's real AWS settings.
	cmd.Env = cleanEnv(os.Environ())
	cmd.SysProcAttr = procAttr()
	stderr := &lockedBuffer{}
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	s := &Server{
		url:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		stderr: stderr,
		exited: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second},
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(60 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func cleanEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "MOTO_ACCOUNT_ID=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (s *Server) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	probe := &http.Client{Timeout: 2 * time.Second}
	for delay := 20 * time.Millisecond; ; delay = min(delay*2, 500*time.Millisecond) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/moto-api/data.json", nil)
		if resp, err := probe.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited before serving on %s: %s", Binary, s.url, s.stderr.tail(2000))
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer on %s within %s: %s", Binary, s.url, limit, s.stderr.tail(2000))
		case <-time.After(delay):
		}
	}
}

// Stop kills the server's process group and waits for it to exit.
func (s *Server) Stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	killGroup(s.cmd)
	<-s.exited
}

// URL is the server's base URL, to use as endPointURL / BaseEndpoint.
func (s *Server) URL() string { return s.url }

// Reset wipes every account's data (not the auth setting).
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	s.post(t, "/moto-api/reset", "")
}

// SetAuth turns IAM enforcement on or off for every later request. Seed
// users, roles and policies before turning it on; turn it off again with
// t.Cleanup when the server is shared.
func (s *Server) SetAuth(t testing.TB, enabled bool) {
	t.Helper()
	body := "inf"
	if enabled {
		body = "0"
	}
	s.post(t, "/moto-api/reset-auth", body)
}

func (s *Server) post(t testing.TB, path, body string) {
	t.Helper()
	// moto reads the raw body; a form content type would make Flask
	// swallow it, so say text/plain.
	resp, err := s.client.Post(s.url+path, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		t.Fatalf("POST %s: status %d: %s", path, resp.StatusCode, msg)
	}
}

// AWSConfig returns an SDK configuration that talks to this server with
// static keys ("test"/"test" when accessKey is empty) in us-east-1. Retries
// are off so that a seeding mistake fails at once instead of after backoff.
func (s *Server) AWSConfig(t testing.TB, accessKey, secret string) aws.Config {
	t.Helper()
	return endpointConfig(s.url, accessKey, secret, "")
}

func endpointConfig(url, accessKey, secret, token string) aws.Config {
	if accessKey == "" {
		accessKey, secret = "test", "test"
	}
	return aws.Config{
		Region:           Region,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secret, token),
		RetryMaxAttempts: 1,
	}
}

// Shared starts one moto_server for a whole test package, lazily on first
// use, and stops it when the package's tests are done. Its zero value is
// ready; declare it as a package variable of the test package and call Run
// from TestMain.
type Shared struct {
	mu  sync.Mutex
	srv *Server
	err error
}

// Run runs the tests and then stops the server, if one was started.
func (sh *Shared) Run(m *testing.M) int {
	code := m.Run()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.srv != nil {
		sh.srv.Stop()
	}
	return code
}

// Server returns the package's server, starting it on first use. It skips
// the test when moto_server is missing (fails when CI=true).
func (sh *Shared) Server(t testing.TB) *Server {
	t.Helper()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.srv == nil && sh.err == nil {
		sh.srv, sh.err = start()
	}
	if sh.err != nil {
		skipOrFail(t, sh.err)
	}
	return sh.srv
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep memory bounded: moto logs every request.
	if b.buf.Len() > 1<<20 {
		b.buf.Reset()
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
