package cli

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/auth"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/mcpserver"
	"github.com/lakemap/lakemap/internal/onboard"
	"github.com/lakemap/lakemap/internal/server"
	"github.com/lakemap/lakemap/internal/web"
	"github.com/lakemap/lakemap/internal/webpanels"
)

func newServeCmd(app *App) *cobra.Command {
	var cfg server.Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the authenticated REST API (/api/v1) and MCP (streamable HTTP at /mcp)",
		Long: "Serve the REST API and MCP over HTTP. Every route but /healthz, /api/v1/openapi.json, setup and\n" +
			"sign-in needs a session or an API token. On an empty catalog it prints a one-time setup link that\n" +
			"creates the first administrator. Beyond loopback it needs --tls-cert/--tls-key or --behind-tls-proxy.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := cfg.Check(); err != nil {
				return apperr.Wrap(apperr.Invalid, err, "lakemap serve")
			}
			st, err := app.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			store, ok := st.(httpapi.Store)
			if !ok {
				return apperr.New(apperr.Invalid, "catalog %s keeps no users or projects: use a SQLite catalog", app.DB)
			}
			box, err := app.secretBox()
			if err != nil {
				return err
			}
			logger := slog.New(server.ClipHandler(app.Logger.Handler()))
			authn := auth.New(store, auth.Options{Logger: logger, SecureCookies: cfg.BehindTLSProxy})
			conns := connections.New(store, app.Registry, box)
			scans, err := openScans(ctx, app.DB, store, conns, logger)
			if err != nil {
				return err
			}
			started := false
			defer func() {
				if scans != nil && !started {
					scans.close()
				}
			}()
			api := &httpapi.API{Store: store, Auth: authn, Logger: logger, Connections: conns}
			if scans != nil {
				api.Scans, api.Events = scans.sched, scans.events
			}
			mcpSrv := mcpserver.New(mcpserver.Options{Store: store, Secrets: box, Logger: logger, Version: version(), Auth: authn})
			panels := &webpanels.Connections{Store: store, Connections: conns, Logger: logger}
			uiOpts := web.Options{Store: store, Auth: authn, Logger: logger, VendorAccount: os.Getenv(onboard.VendorAccountEnv),
				Connections: panels, Tools: &webpanels.Tools{Store: store, MCP: mcpSrv}}
			if scans != nil {
				uiOpts.Scans = &webpanels.Scans{Store: store, Connections: conns, Scheduler: scans.sched}
				panels.Schedules = scans.sched
			}
			ui, err := web.New(uiOpts)
			if err != nil {
				return fmt.Errorf("prepare the web UI: %w", err)
			}
			h, err := server.Handler(cfg, server.Parts{API: api, MCP: mcpSrv.HTTPHandler(), Web: ui, Logger: logger})
			if err != nil {
				return apperr.Wrap(apperr.Invalid, err, "lakemap serve")
			}
			if scans != nil {
				if err := scans.sched.Start(ctx); err != nil {
					return err
				}
				started = true
				defer scans.stop(ctx, logger)
			}
			link, err := authn.EnsureSetupCode(ctx)
			if err != nil {
				return fmt.Errorf("prepare the first sign-in: %w", err)
			}
			return server.Run(ctx, cfg, h, logger, func(addr net.Addr) {
				base := baseURL(cfg, addr)
				fmt.Fprintf(app.Stderr, "lakemap serving catalog %s on %s (REST %s/api/v1, MCP %s/mcp, API document %s/api/v1/openapi.json)\n",
					app.catalogName(), base, base, base, base)
				if link != "" {
					fmt.Fprintf(app.Stderr, "\nNo user yet. Create the first administrator within 24 hours, once, with this link:\n\n    %s%s\n\n"+
						"(or POST {\"code\",\"username\",\"password\"} to %s/api/v1/setup, or run `lakemap user create NAME`)\n\n", base, link, base)
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", envOr("LAKEMAP_ADDR", "127.0.0.1:8080"), "listen address (env LAKEMAP_ADDR)")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key file of --tls-cert")
	f.BoolVar(&cfg.BehindTLSProxy, "behind-tls-proxy", false, "a proxy in front terminates TLS: allow a non-loopback --addr without TLS, mark cookies Secure")
	f.StringSliceVar(&cfg.AllowedHosts, "allowed-host", nil, "host name clients use to reach the server, besides loopback names and the --addr host (repeatable)")
	f.StringSliceVar(&cfg.TrustedOrigins, "trusted-origin", nil, "origin (scheme://host[:port]) allowed to make cross-origin writes (repeatable)")
	return cmd
}

// baseURL is the address to print: the bound address, with localhost for
// a wildcard bind.
func baseURL(cfg server.Config, addr net.Addr) string {
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + ":" + port
}
