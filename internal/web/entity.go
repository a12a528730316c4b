package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/schemahist"
)

// attr is one attribute row of the entity page.
type attr struct{ Name, Value, Doc string }

// column is one row of a schema.
type column struct {
	Name, Type, Comment string
	PartitionKey        bool
	Nested              *typeNode
	Stats               []attr
}

type entityData struct {
	Entity      catalog.Entity
	Spec        catalog.KindSpec
	Crumbs      []crumb
	Attrs       []attr
	Columns     []column
	HasStats    bool // some column has statistics: the comment column holds them too
	Partitions  []catalog.Entity
	PartCount   string
	NewestPart  string
	PartKeys    string
	Children    []catalog.Entity
	MoreKids    bool
	Location    string
	LocationFQN string
	Size        string
	Objects     string
	History     []catalog.Change
	Charts      []chart
	Schema      []schemahist.ScanChanges
	Lineage     *graph
	Depth       int
}

type crumb struct{ Name, URL string }

// chartHistory bounds the changes read for the metric charts, and
// schemaHistory the column changes read for the schema diffs.
const (
	chartHistory  = 100
	schemaHistory = 500
)

// skipAttrs are shown in their own sections, not the attribute table.
var skipAttrs = map[string]bool{"partitionKeys": true, "statistics": true,
	"location": true, "sizeBytes": true, "objectCount": true, "fileCount": true}

func (u *UI) entity(w http.ResponseWriter, r *http.Request) error {
	fqn, err := catalog.NormalizeFQN(r.PathValue("fqn"))
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "the address names no entity")
	}
	s, err := u.scope(r.Context(), r)
	if err != nil {
		return err
	}
	e, err := u.get(r.Context(), s, fqn)
	if err != nil {
		return err
	}
	d := entityData{Entity: e, Depth: 1}
	d.Spec, _ = catalog.Spec(e.Kind)
	if v := r.URL.Query().Get("depth"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return apperr.New(apperr.Invalid, "lineage depth %q: choose 1 to 5", v)
		}
		d.Depth = n
	}
	d.Crumbs = crumbs(fqn)
	d.Attrs = attrs(e, d.Spec)
	kids, err := u.opts.Store.List(r.Context(), catalog.ListQuery{ParentFQN: fqn, Limit: 500})
	if err != nil {
		return err
	}
	for _, k := range kids.Entities {
		switch k.Kind {
		case catalog.KindColumn:
			c := toColumn(k)
			d.HasStats = d.HasStats || len(c.Stats) > 0
			d.Columns = append(d.Columns, c)
		case catalog.KindPartition:
			if len(d.Partitions) < 20 {
				d.Partitions = append(d.Partitions, k)
			}
		default:
			d.Children = append(d.Children, k)
		}
	}
	d.MoreKids = kids.Next != ""
	sort.SliceStable(d.Columns, func(i, j int) bool {
		return d.Columns[i].PartitionKey != d.Columns[j].PartitionKey && !d.Columns[i].PartitionKey
	})
	d.PartCount, d.NewestPart = str(e.Attrs["partitionCount"]), str(e.Attrs["newestPartition"])
	d.PartKeys = partitionKeys(e.Attrs["partitionKeys"])
	if loc, ok := e.Attrs["location"].(string); ok {
		d.Location = loc
		d.LocationFQN = u.locationEntity(r, s, loc)
	}
	if v, ok := e.Attrs["sizeBytes"]; ok {
		d.Size = humanBytes(v)
	}
	for _, k := range []string{"objectCount", "fileCount"} {
		if v, ok := e.Attrs[k]; ok {
			d.Objects = str(v)
		}
	}
	// The charts read further back than the change table shows.
	if d.History, err = u.opts.Store.History(r.Context(), fqn, chartHistory); err != nil {
		return err
	}
	d.Charts = metricCharts(e.Attrs, d.History)
	d.History = d.History[:min(len(d.History), 20)]
	if e.Kind == catalog.KindTable || e.Kind == catalog.KindContainer {
		if d.Schema, err = schemahist.Table(r.Context(), u.opts.Store, fqn, time.Time{}, schemaHistory); err != nil {
			return err
		}
	}
	edges, err := u.opts.Store.Edges(r.Context(), fqn, catalog.Both, d.Depth)
	if err != nil {
		return err
	}
	kept := edges[:0]
	for _, ed := range edges {
		if s.allowsFQN(ed.From) && s.allowsFQN(ed.To) {
			kept = append(kept, ed)
		}
	}
	d.Lineage = layout(fqn, kept)
	return u.render(w, r, http.StatusOK, "entity", view{Title: e.Name, Nav: "search", Data: d})
}

// locationEntity finds the bucket or container holding an s3:// location,
// the deepest one known, for the link from a table to its storage.
func (u *UI) locationEntity(r *http.Request, s scope, loc string) string {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		return ""
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	locs, err := u.opts.Store.LocationsInBucket(r.Context(), bucket)
	if err != nil {
		u.opts.Logger.Warn("finding the entity of a location", "err", err)
		return ""
	}
	best, bestLen := "", -1
	for _, l := range locs {
		if (l.Kind == catalog.KindBucket || l.Kind == catalog.KindContainer) && strings.HasPrefix(prefix, l.Prefix) &&
			len(l.Prefix) > bestLen && s.allowsFQN(l.FQN) {
			best, bestLen = l.FQN, len(l.Prefix)
		}
	}
	return best
}

func crumbs(fqn string) []crumb {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil {
		return nil
	}
	out := make([]crumb, len(parts))
	for i := range parts {
		out[i] = crumb{Name: parts[i], URL: entityURL(catalog.JoinFQN(parts[:i+1]...))}
	}
	return out
}

// attrs lists the kind's declared attributes in declaration order, then
// any others, skipping those shown in sections of their own.
func attrs(e catalog.Entity, spec catalog.KindSpec) []attr {
	var out []attr
	seen := map[string]bool{}
	for _, f := range spec.Fields {
		seen[f.Name] = true
		if v, ok := e.Attrs[f.Name]; ok && !skipAttrs[f.Name] {
			out = append(out, attr{Name: f.Name, Value: str(v), Doc: f.Doc})
		}
	}
	var rest []string
	for k := range e.Attrs {
		if !seen[k] && !skipAttrs[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, attr{Name: k, Value: str(e.Attrs[k])})
	}
	return out
}

func toColumn(e catalog.Entity) column {
	c := column{Name: e.Name, Comment: e.Description}
	c.Type, _ = e.Attrs["dataType"].(string)
	c.PartitionKey, _ = e.Attrs["isPartitionKey"].(bool)
	if n := parseType(c.Type); n != nil && len(n.Fields) > 0 {
		c.Nested = n
	}
	if st, ok := e.Attrs["statistics"].(map[string]any); ok {
		keys := make([]string, 0, len(st))
		for k := range st {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.Stats = append(c.Stats, attr{Name: k, Value: str(st[k])})
		}
	}
	return c
}

func partitionKeys(v any) string {
	list, ok := v.([]any)
	if !ok {
		return ""
	}
	var names []string
	for _, k := range list {
		if m, ok := k.(map[string]any); ok {
			names = append(names, fmt.Sprintf("%v %v", m["name"], m["type"]))
		}
	}
	return strings.Join(names, ", ")
}

// str shows an attribute value: JSON numbers without exponent, lists and
// objects compactly.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = str(p)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + str(x[k])
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}

func itoa(n int) string { return strconv.Itoa(n) }

func parseNonNegative(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a non-negative integer: %q", s)
	}
	return n, nil
}
