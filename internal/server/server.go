// Package server composes what `lakemap serve` answers: the REST API, MCP
// over HTTP and, later, the web UI, behind the middleware every door
// shares (Host allow-list, cross-origin protection), and runs it with
// hardened listener settings.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/httpapi"
)

// Timeouts of the HTTP server. Streaming routes (MCP today, scan events
// later) lift the write deadline for themselves with StreamingRoute.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 1 << 20
)

// Config is how `lakemap serve` listens.
type Config struct {
	Addr string
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert, TLSKey string
	// BehindTLSProxy says a TLS-terminating proxy faces the clients: a
	// non-loopback address is allowed without TLS here, and cookies are
	// marked Secure.
	BehindTLSProxy bool
	// AllowedHosts are the host names (no port) clients may send in Host,
	// besides the loopback names and the bound address.
	AllowedHosts []string
	// TrustedOrigins may make cross-origin writes (scheme://host[:port]).
	TrustedOrigins []string
}

// TLS reports whether the server terminates TLS itself.
func (c Config) TLS() bool { return c.TLSCert != "" }

// Check refuses settings that would expose the server unsafely. It makes
// no network call.
func (c Config) Check() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w (give host:port, e.g. 127.0.0.1:8080)", c.Addr, err)
	}
	if isLoopback(host) {
		return nil
	}
	if !c.TLS() && !c.BehindTLSProxy {
		return fmt.Errorf("--addr %s is reachable beyond this machine, and sessions and tokens would cross the network in clear text: "+
			"serve TLS with --tls-cert and --tls-key, or, behind a proxy that terminates TLS, say so with --behind-tls-proxy "+
			"(or bind 127.0.0.1)", c.Addr)
	}
	if isWildcard(host) && len(c.AllowedHosts) == 0 {
		return fmt.Errorf("--addr %s accepts requests for any name: list the names clients use with --allowed-host (a defence against DNS rebinding)", c.Addr)
	}
	return nil
}

func isWildcard(host string) bool {
	ip := net.ParseIP(host)
	return host == "" || (ip != nil && ip.IsUnspecified())
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Parts are the surfaces the server composes.
type Parts struct {
	API *httpapi.API
	// MCP serves /mcp; nil leaves it out.
	MCP http.Handler
	// Web serves the pages at / (internal/web); nil leaves them out. It
	// shares the API's mux, whose /api/v1 patterns are more specific.
	Web    interface{ Mount(*http.ServeMux) }
	Logger *slog.Logger
}

// Handler composes the routes and the shared middleware: a request first
// passes the Host allow-list, then cross-origin protection (the whole mux,
// /mcp included), then its route.
func Handler(c Config, p Parts) (http.Handler, error) {
	api := http.NewServeMux()
	p.API.Mount(api)
	if p.Web != nil {
		p.Web.Mount(api)
	}
	mux := http.NewServeMux()
	mux.Handle("/", WithDeadline(api, RequestTimeout))
	// Event streams last as long as their scan: no deadline, and the
	// write deadline lifted. They pass through the API's mux all the same.
	for _, pattern := range p.API.StreamingPatterns() {
		mux.Handle(pattern, StreamingRoute(api))
	}
	if p.MCP != nil {
		mux.Handle("/mcp", StreamingRoute(p.MCP))
	}
	h, err := auth.CrossOrigin(mux, c.TrustedOrigins...)
	if err != nil {
		return nil, err
	}
	return hostCheck(h, c.allowedHosts(), p.Logger), nil
}

// RequestTimeout is how long one REST request may run: reads of the catalog
// take milliseconds, so this only stops a request that went wrong. The
// request's context also ends when its client goes away (net/http). MCP
// streams live longer; their tool calls have deadlines of their own.
const RequestTimeout = 30 * time.Second

// WithDeadline gives every request of h a context that ends after d.
func WithDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// StreamingRoute lifts the server's write deadline for one long-lived
// response (MCP streams, server-sent events).
func StreamingRoute(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A writer that cannot (a test recorder) has no deadline to lift.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		h.ServeHTTP(w, r)
	})
}

// allowedHosts is the Host allow-list: loopback names, the bound address
// and the configured names, lower-case.
func (c Config) allowedHosts() map[string]bool {
	hosts := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	if host, _, err := net.SplitHostPort(c.Addr); err == nil && !isWildcard(host) {
		hosts[strings.ToLower(host)] = true
	}
	for _, h := range c.AllowedHosts {
		hosts[strings.ToLower(strings.TrimSpace(h))] = true
	}
	return hosts
}

// hostCheck refuses requests whose Host is not on the allow-list with 421:
// a page on another site that rebinds its DNS name to this machine's
// address reaches the server with its own name in Host.
func hostCheck(h http.Handler, allowed map[string]bool, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		host = strings.ToLower(strings.Trim(host, "[]"))
		if !allowed[host] {
			if logger != nil {
				logger.Info("request refused: Host not allowed", "host", r.Host, "remote", r.RemoteAddr)
			}
			auth.WriteProblem(w, http.StatusMisdirectedRequest,
				"this server does not answer for that host name; its operator can allow it with --allowed-host")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Run serves h on c.Addr until ctx ends, then shuts down gracefully.
// ready, when not nil, is called with the bound address before serving.
func Run(ctx context.Context, c Config, h http.Handler, logger *slog.Logger, ready func(net.Addr)) error {
	if err := c.Check(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another lakemap running? choose another --addr)", c.Addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// BaseContext ends open streams when ctx is cancelled.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		if c.TLS() {
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", c.Addr, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}
