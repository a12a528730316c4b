package lineage

import (
	"context"
	"fmt"
	"strings"

	"github.com/lakemap/lakemap/internal/catalog"
)

// walked is what lineage needs of one service's entities: never its
// columns, partitions or objects, which are the bulk of a catalog.
type walked struct {
	service    string
	serviceFQN string
	sourceType string
	// catalogs maps a lower-cased Athena data catalog name to its FQN
	// (athena services, and glue services scanning Athena).
	catalogs map[string]string
	views    []viewInfo
	queries  []catalog.Entity
	// tables are the service's non-view tables, deleted ones included (their
	// storage links must go).
	tables []tableInfo
	// s3 are the service's buckets and containers.
	s3 []catalog.Location
}

type viewInfo struct {
	entity   catalog.Entity
	database string // the view's database name
	catalog  string // lower-cased data catalog name, "" in a glue service
}

type tableInfo struct {
	entity   catalog.Entity
	location string
}

// Kinds the walk descends into, and the kinds it lists under each.
var walkKinds = map[catalog.Kind][]catalog.Kind{
	catalog.KindService:     {catalog.KindDatabase, catalog.KindDataCatalog, catalog.KindWorkgroup, catalog.KindBucket},
	catalog.KindDataCatalog: {catalog.KindDatabase},
	catalog.KindDatabase:    {catalog.KindTable},
	catalog.KindWorkgroup:   {catalog.KindQuery},
	catalog.KindBucket:      {catalog.KindContainer},
	catalog.KindContainer:   {catalog.KindContainer},
}

func (b *Builder) walk(ctx context.Context, service string) (*walked, error) {
	fqn := catalog.JoinFQN(service)
	svc, err := b.Entities.Get(ctx, fqn)
	if err != nil {
		return nil, fmt.Errorf("lineage of service %q: %w", service, err)
	}
	w := &walked{service: service, serviceFQN: fqn, catalogs: map[string]string{}}
	w.sourceType, _ = svc.Attrs["sourceType"].(string)
	type frame struct {
		e       catalog.Entity
		catalog string // enclosing data catalog, lower-cased
		bucket  string // enclosing bucket
	}
	stack := []frame{{e: svc}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kinds := walkKinds[f.e.Kind]
		if len(kinds) == 0 {
			continue
		}
		after := ""
		for {
			page, err := b.Entities.List(ctx, catalog.ListQuery{
				ParentFQN: f.e.FQN, Service: service, Kinds: kinds, IncludeDeleted: true, After: after, Limit: catalog.MaxLimit,
			})
			if err != nil {
				return nil, fmt.Errorf("lineage of service %q: listing %s: %w", service, f.e.FQN, err)
			}
			for _, e := range page.Entities {
				child := frame{e: e, catalog: f.catalog, bucket: f.bucket}
				switch e.Kind {
				case catalog.KindDataCatalog:
					if !e.Deleted {
						w.catalogs[strings.ToLower(e.Name)] = e.FQN
					}
					child.catalog = strings.ToLower(e.Name)
				case catalog.KindTable:
					if isView, _ := e.Attrs["isView"].(bool); isView {
						w.views = append(w.views, viewInfo{entity: e, database: f.e.Name, catalog: f.catalog})
					} else {
						loc, _ := e.Attrs["location"].(string)
						if e.Deleted {
							loc = ""
						}
						w.tables = append(w.tables, tableInfo{entity: e, location: loc})
					}
					continue
				case catalog.KindQuery:
					if !e.Deleted {
						w.queries = append(w.queries, e)
					}
					continue
				case catalog.KindBucket:
					child.bucket = e.Name
					if !e.Deleted {
						w.s3 = append(w.s3, catalog.Location{FQN: e.FQN, Kind: e.Kind, Service: service, Bucket: e.Name})
					}
				case catalog.KindContainer:
					path, _ := e.Attrs["path"].(string)
					if !e.Deleted && child.bucket != "" {
						w.s3 = append(w.s3, catalog.Location{FQN: e.FQN, Kind: e.Kind, Service: service, Bucket: child.bucket, Prefix: normPrefix(path)})
					}
				}
				// Deleted parents too: the views and tables under them
				// are deleted, and their edges must go.
				stack = append(stack, child)
			}
			if page.Next == "" {
				break
			}
			after = page.Next
		}
	}
	return w, nil
}

// normPrefix writes a key prefix as locations store it: no leading slash,
// a trailing one unless empty.
func normPrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// ParseS3 splits s3://bucket/prefix (s3a:// and s3n:// too) into the bucket
// and a normalised prefix.
func ParseS3(uri string) (bucket, prefix string, ok bool) {
	lower := strings.ToLower(uri)
	for _, scheme := range []string{"s3://", "s3a://", "s3n://"} {
		if strings.HasPrefix(lower, scheme) {
			rest := uri[len(scheme):]
			bucket, path, _ := strings.Cut(rest, "/")
			if bucket == "" {
				return "", "", false
			}
			return bucket, normPrefix(path), true
		}
	}
	return "", "", false
}
