package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/httpapi"
	"github.com/lakemap/lakemap/internal/mcpserver"
)

func newServeCmd(app *App) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API and MCP (streamable HTTP at /mcp, bearer tokens)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			store, err := app.openStore(ctx)
			if err != nil {
				return err
			}
			defer store.Close()
			box, err := app.secretBox()
			if err != nil {
				return err
			}
			mux := http.NewServeMux()
			api := http.NewServeMux()
			(&httpapi.API{Store: store, Logger: app.Logger}).Routes(api)
			mux.Handle("/", withDeadline(api, restTimeout))
			mcpSrv := mcpserver.New(mcpserver.Options{Store: store, Secrets: box, Logger: app.Logger, Version: version()})
			mux.Handle("/mcp", mcpSrv.HTTPHandler())
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w (is another lakemap running? choose another --addr)", addr, err)
			}
			// BaseContext ends open MCP streams when the command is cancelled.
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
			fmt.Fprintf(app.Stderr, "lakemap serving catalog %s on http://%s (REST /api/v1, MCP /mcp: create a token with `lakemap token create NAME`)\n", app.DB, ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("shut down: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr("LAKEMAP_ADDR", "127.0.0.1:8080"), "listen address (env LAKEMAP_ADDR)")
	return cmd
}

// restTimeout is how long one REST request may run: reads of the catalog
// take milliseconds, so this only stops a request that went wrong. The
// request's context also ends when its client goes away (net/http). MCP
// streams live longer; their tool calls have deadlines of their own.
const restTimeout = 30 * time.Second

// withDeadline gives every request of h a context that ends after d.
func withDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
