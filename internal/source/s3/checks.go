package s3

import "github.com/lakemap/lakemap/internal/source"

// probeScope has the connection test read a configured bucket before any
// other the account lists.
func probeScope(c *Connection) source.ProbeScope {
	return source.ProbeScope{Buckets: c.BucketNames}
}
