package glue

import "github.com/lakemap/lakemap/internal/source"

// probeScope points the connection test's catalog probe at the Glue catalog
// the scan lists.
func probeScope(c *Connection) source.ProbeScope {
	return source.ProbeScope{GlueCatalogID: c.CatalogID}
}
