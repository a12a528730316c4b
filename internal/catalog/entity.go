package catalog

import (
	"encoding/json"
	"time"
)

// Entity is anything catalogued: a database, table, column, bucket, asset...
type Entity struct {
	FQN         string `json:"fqn"`
	Kind        Kind   `json:"kind"`
	Service     string `json:"service"` // the workflow's serviceName; first FQN part
	ParentFQN   string `json:"parentFqn,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Attrs holds the kind's typed attributes (see KindSpec.Fields). Values are
	// JSON-compatible: string, bool, float64/int64, []any, map[string]any.
	Attrs map[string]any `json:"attributes,omitempty"`

	SourceCreated *time.Time `json:"sourceCreated,omitempty"`
	SourceUpdated *time.Time `json:"sourceUpdated,omitempty"`

	// Set by the store.
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	Deleted   bool      `json:"deleted"`
	// LastScanID is the scan that last saw the entity.
	LastScanID int64 `json:"lastScanId,omitempty"`

	// sealed is the entity's encoding, kept by Seal; its Hash is empty
	// until then.
	sealed Encoded
}

// ChangeType says what happened to an entity in a scan.
type ChangeType string

const (
	ChangeAdded    ChangeType = "added"
	ChangeUpdated  ChangeType = "updated"
	ChangeDeleted  ChangeType = "deleted"
	ChangeRestored ChangeType = "restored" // seen again after being marked deleted
)

// FieldChange is one changed field in an update: "description", "attributes.location", ...
type FieldChange struct {
	Field string `json:"field"`
	Old   any    `json:"old,omitempty"`
	New   any    `json:"new,omitempty"`
}

// Change is one entry of an entity's history.
type Change struct {
	ID        int64         `json:"id"`
	FQN       string        `json:"fqn"`
	Kind      Kind          `json:"kind"`
	ParentFQN string        `json:"parentFqn,omitempty"`
	ScanID    int64         `json:"scanId"`
	At        time.Time     `json:"at"`
	Type      ChangeType    `json:"type"`
	Fields    []FieldChange `json:"fields,omitempty"`
}

// Diff lists the fields that differ between old and new, for the history.
func Diff(old, new *Entity) []FieldChange {
	var out []FieldChange
	add := func(field string, o, n any) {
		if !jsonEqual(o, n) {
			out = append(out, FieldChange{Field: field, Old: o, New: n})
		}
	}
	add("name", old.Name, new.Name)
	add("description", old.Description, new.Description)
	add("parentFqn", old.ParentFQN, new.ParentFQN)
	add("sourceCreated", timeOrNil(old.SourceCreated), timeOrNil(new.SourceCreated))
	add("sourceUpdated", timeOrNil(old.SourceUpdated), timeOrNil(new.SourceUpdated))
	for k, nv := range new.Attrs {
		add("attributes."+k, old.Attrs[k], nv)
	}
	for k, ov := range old.Attrs {
		if _, ok := new.Attrs[k]; !ok {
			add("attributes."+k, ov, nil)
		}
	}
	sortFieldChanges(out)
	return out
}

func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
