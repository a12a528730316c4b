package datazone

import (
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// FQNs:
//
//	domain:              <service>.<domain>
//	project:             <service>.<domain>.<project>
//	environment profile: <service>.<domain>."environment_profile:<name>"
//	listing:             <service>.<domain>.listing:<listing id>
//	asset:               <service>.<domain>.<project>.<asset>
//	environment:         <service>.<domain>.<project>.environment:<name>
//	data source:         <service>.<domain>.<project>.data_source:<name>
//	glossary:            <service>.<domain>.<owning project>.glossary:<name>
//	glossary term:       <glossary FQN>.<term>
//
// Projects and assets, the names people look for, take the plain name;
// the other kinds sharing their parent's namespace take a kind prefix.
// Listings are named by id: a listing carries its asset's name, and the
// same asset name is routinely published from many projects of a domain.
//
// Collisions: DataZone names are not unique (two assets of a project, two
// glossaries, two terms may share a name). Within one namespace (same
// parent, same prefix), a name held by exactly one item is used as is; a
// name held by several (compared case-insensitively) is suffixed with
// "~<DataZone id>" for every holder, so no holder's FQN depends on the
// order DataZone lists them in. When the duplicate goes away, the
// survivor's FQN reverts to the plain name (the suffixed one is marked
// deleted by the next complete listing).

// named is one item of a namespace.
type named struct{ id, name string }

// uniqueParts returns each item's FQN part (prefix + name, "~id" on
// collision), by id.
func uniqueParts(prefix string, items []named) map[string]string {
	counts := make(map[string]int, len(items))
	for _, it := range items {
		counts[strings.ToLower(it.name)]++
	}
	out := make(map[string]string, len(items))
	for _, it := range items {
		part := prefix + it.name
		if counts[strings.ToLower(it.name)] > 1 {
			part += "~" + it.id
		}
		out[it.id] = part
	}
	return out
}

// Prefixes of the kinds that share a namespace with projects or assets.
const (
	prefixProfile     = "environment_profile:"
	prefixListing     = "listing:"
	prefixEnvironment = "environment:"
	prefixDataSource  = "data_source:"
	prefixGlossary    = "glossary:"
)

func entity(kind catalog.Kind, service, parent, part, name, desc string, attrs map[string]any) catalog.Entity {
	return catalog.Entity{FQN: catalog.Child(parent, part), Kind: kind, Service: service, ParentFQN: parent,
		Name: name, Description: desc, Attrs: attrs}
}

func setStr(attrs map[string]any, key, v string) {
	if v != "" {
		attrs[key] = v
	}
}

func setStrs(attrs map[string]any, key string, v []string) {
	if len(v) == 0 {
		return
	}
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	attrs[key] = out
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func rfc3339(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
