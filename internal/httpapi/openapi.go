package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route of routes(); TestOpenAPIMatchesRoutes
// fails when the two differ.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves the API's OpenAPI 3.1 document; it holds no data, so
// anonymous callers may read it.
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
	return nil
}
