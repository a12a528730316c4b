package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lakemap/lakemap/internal/apperr"
)

// Prepare checks e and fills what its FQN implies and it left empty: name,
// service and parent. Stores prepare every entity they write (the error is
// apperr.Invalid); Encode expects a prepared entity. A sealed entity was
// prepared when it was sealed and is not prepared again: splitting its FQN
// a second time was a twentieth of the writer's time staging a Glue
// scan's partitions.
func (e *Entity) Prepare() error {
	if e.isSealed() {
		return nil
	}
	parts, err := SplitFQN(e.FQN)
	if err != nil {
		return apperr.Wrap(apperr.Invalid, err, "entity FQN")
	}
	if _, ok := Spec(e.Kind); !ok {
		return apperr.New(apperr.Invalid, "entity %q: unknown kind %q", e.FQN, e.Kind)
	}
	if e.Name == "" {
		e.Name = parts[len(parts)-1]
	}
	if e.Service == "" {
		e.Service = parts[0]
	}
	if e.ParentFQN == "" && len(parts) > 1 {
		e.ParentFQN = JoinFQN(parts[:len(parts)-1]...)
	}
	return nil
}

// Encoded is an entity as the stores write it: its attributes as JSON
// ("{}" for none) and its ContentHash, from one encoding of the
// attributes.
type Encoded struct {
	Attrs string
	Hash  string
}

// Encode encodes a prepared entity (see Prepare).
func (e *Entity) Encode() (Encoded, error) {
	if e.isSealed() {
		return e.sealed, nil
	}
	if len(e.Attrs) == 0 {
		return Encoded{Attrs: "{}", Hash: e.hashWith(noAttrs(e.Attrs))}, nil
	}
	b, err := json.Marshal(e.Attrs)
	if err != nil {
		return Encoded{}, fmt.Errorf("encode attributes: %w", err)
	}
	return Encoded{Attrs: string(b), Hash: e.hashWith(b)}, nil
}

// Seal prepares and encodes e once and for all: its Encode returns that
// encoding, and its attribute map, which the stores no longer read, is
// dropped. A scan seals its staged parts on the goroutines that found
// them, so the one catalog writer only writes them (encoding was a third
// of its time staging a Glue scan's partitions), and a part waiting for
// the writer holds its attributes as one string rather than a map. Seal
// is for entities about to be written: nothing may change them after.
func (e *Entity) Seal() error {
	if err := e.Prepare(); err != nil {
		return err
	}
	enc, err := e.Encode()
	if err != nil {
		return err
	}
	e.sealed = enc
	// The search indexes take a query's text from its attributes.
	if e.Kind != KindQuery {
		e.Attrs = nil
	}
	return nil
}

// isSealed says Seal succeeded on e: every encoding has a hash.
func (e *Entity) isSealed() bool { return e.sealed.Hash != "" }

// ContentHash fingerprints what a source reports about an entity, so a rescan
// can tell "unchanged" from "updated" without comparing field by field.
func (e *Entity) ContentHash() string {
	if e.isSealed() {
		return e.sealed.Hash
	}
	if len(e.Attrs) == 0 {
		return e.hashWith(noAttrs(e.Attrs))
	}
	b, err := json.Marshal(e.Attrs)
	if err != nil {
		// What the hash always was for attributes JSON cannot hold: the
		// encoder wrote nothing. Such an entity is refused when written.
		return hex.EncodeToString(emptySum[:16])
	}
	return e.hashWith(b)
}

var emptySum = sha256.Sum256(nil)

// noAttrs is how missing attributes are hashed: the hash tells a nil map
// from an empty one, as it always has.
func noAttrs(a map[string]any) []byte {
	if a == nil {
		return []byte("null")
	}
	return []byte("{}")
}

// hashWith hashes e with its attributes already encoded (json.Marshal,
// which sorts map keys): the stored hashes of every catalog are of this
// encoding of this list, so neither may change.
//
// That encoding is [kind,parent,name,description,attributes,created,updated]
// and a newline. The attributes are json.Marshal's, compact and escaped
// already, so they go in as they are, between the encodings of the fields
// before and after them: re-encoding them as a json.RawMessage (compacted
// and checked byte by byte) cost a scan's writer as much as encoding them.
func (e *Entity) hashWith(attrs []byte) string {
	head, _ := json.Marshal([]any{e.Kind, e.ParentFQN, e.Name, e.Description}) // strings: cannot fail
	tail, _ := json.Marshal([]any{timeOrNil(e.SourceCreated), timeOrNil(e.SourceUpdated)})
	h := sha256.New()
	h.Write(head[:len(head)-1])
	h.Write([]byte{','})
	h.Write(attrs)
	h.Write([]byte{','})
	h.Write(tail[1:])
	h.Write([]byte{'\n'})
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}
