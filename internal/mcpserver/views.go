package mcpserver

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
)

// EntitySummary is one entity in a list: its name and the few attributes of
// its kind an agent usually needs next.
type EntitySummary struct {
	FQN         string         `json:"fqn"`
	Kind        catalog.Kind   `json:"kind"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Facts       map[string]any `json:"facts,omitempty" jsonschema:"key attributes of the kind (format, location, size...)"`
	Deleted     bool           `json:"deleted,omitempty"`
}

// summaryFacts names, per kind, the attributes a list shows. The rest is one
// get_entity away.
var summaryFacts = map[catalog.Kind][]string{
	catalog.KindService:     {"sourceType", "region"},
	catalog.KindDatabase:    {"locationUri", "tableCount"},
	catalog.KindTable:       {"tableType", "format", "columnCount", "location", "isView"},
	catalog.KindColumn:      {"dataType", "ordinal", "isPartitionKey"},
	catalog.KindPartition:   {"values", "location"},
	catalog.KindFunction:    {"className"},
	catalog.KindDataCatalog: {"type"},
	catalog.KindWorkgroup:   {"state", "outputLocation"},
	catalog.KindQuery:       {"state", "submitted"},
	catalog.KindBucket:      {"region", "sizeBytes", "objectCount"},
	catalog.KindContainer:   {"path", "format", "fileCount", "sizeBytes", "newestObject"},
	catalog.KindObject:      {"size", "contentType"},
}

func summarize(e catalog.Entity) EntitySummary {
	out := EntitySummary{FQN: e.FQN, Kind: e.Kind, Name: e.Name, Description: clipped(e.Description, descriptionClip), Deleted: e.Deleted}
	names := summaryFacts[e.Kind]
	if names == nil {
		names = []string{"status"}
	}
	for _, n := range names {
		v, ok := e.Attrs[n]
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr {
			v = clipped(s, valueClip/2)
		}
		if out.Facts == nil {
			out.Facts = map[string]any{}
		}
		out.Facts[n] = v
	}
	return out
}

// EntityView is an entity in full, long values clipped.
type EntityView struct {
	FQN           string         `json:"fqn"`
	Kind          catalog.Kind   `json:"kind"`
	Service       string         `json:"connection" jsonschema:"the connection (serviceName) it was scanned through"`
	ParentFQN     string         `json:"parentFqn,omitempty"`
	Name          string         `json:"name"`
	Description   string         `json:"description,omitempty"`
	Attributes    map[string]any `json:"attributes,omitempty"`
	SourceCreated *time.Time     `json:"sourceCreated,omitempty"`
	SourceUpdated *time.Time     `json:"sourceUpdated,omitempty"`
	FirstSeen     time.Time      `json:"firstSeen"`
	LastSeen      time.Time      `json:"lastSeen"`
	Deleted       bool           `json:"deleted"`
	// ClippedFields names the values shortened to fit; ask get_table_schema
	// or the REST API for them whole.
	ClippedFields []string `json:"clippedFields,omitempty" jsonschema:"attributes or fields shortened to fit the response"`
}

func viewOf(e catalog.Entity) EntityView {
	attrs, cut := clipAttrs(e.Attrs, valueClip)
	desc, descCut := clip(e.Description, longTextClip/4)
	if descCut {
		cut = append([]string{"description"}, cut...)
	}
	return EntityView{
		FQN: e.FQN, Kind: e.Kind, Service: e.Service, ParentFQN: e.ParentFQN, Name: e.Name,
		Description: desc, Attributes: attrs, SourceCreated: e.SourceCreated, SourceUpdated: e.SourceUpdated,
		FirstSeen: e.FirstSeen, LastSeen: e.LastSeen, Deleted: e.Deleted, ClippedFields: cut,
	}
}

// renderSummary is one text line for a listed entity.
func renderSummary(t *textOut, e EntitySummary) {
	var facts []string
	keys := make([]string, 0, len(e.Facts))
	for k := range e.Facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		facts = append(facts, fmt.Sprintf("%s=%v", k, e.Facts[k]))
	}
	line := fmt.Sprintf("- %s [%s]", e.FQN, e.Kind)
	if len(facts) > 0 {
		line += " " + strings.Join(facts, " ")
	}
	if e.Deleted {
		line += " (deleted)"
	}
	if e.Description != "" {
		line += " — " + clipped(e.Description, 120)
	}
	t.line("%s", line)
}
