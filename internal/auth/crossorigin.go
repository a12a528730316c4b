package auth

import (
	"fmt"
	"net/http"
)

// CrossOrigin wraps h in Go's CrossOriginProtection: a state-changing
// request (POST, PUT, PATCH, DELETE) that a browser marks as cross-site, or
// whose Origin is not the request's host, is refused with 403 problem+json.
// Safe methods and non-browser clients (no Sec-Fetch-Site, no Origin) pass,
// so API tokens keep working from scripts. trustedOrigins are
// "scheme://host[:port]" origins allowed besides the server's own.
func CrossOrigin(h http.Handler, trustedOrigins ...string) (http.Handler, error) {
	c := http.NewCrossOriginProtection()
	for _, o := range trustedOrigins {
		if err := c.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w (give scheme://host[:port])", o, err)
		}
	}
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteProblem(w, http.StatusForbidden, "cross-origin request refused: use the lakemap site itself, or an API token without a browser")
	}))
	return c.Handler(h), nil
}
