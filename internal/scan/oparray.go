package scan

import "github.com/lakemap/lakemap/internal/catalog"

// opArray holds the entities of the op being filled in one array: the
// batch from the front, the staged parts from the back. An S3 scan's ops
// are nearly all parts (objects) and a Glue scan's nearly all batch
// (tables, columns): two arrays per op would hold twice the memory for
// the same entities. The array starts at partsPerOp and doubles as the op
// grows: parts are sent at partsPerOp (see EmitPart), so an inventory's
// ops never pay for a batch-sized array.
type opArray struct {
	array []catalog.Entity // len = cap: partsPerOp, doubled as the op grows, at most the batch size; nil until used
	front int              // the batch is array[:front]
	back  int              // the parts are array[back:]
	calls []partCall
}

// partCall is one EmitPart's entities in the array: kept apart, and in
// call order, so that a later sighting of an FQN stays the later one.
type partCall struct {
	owner    string
	from, to int
}

func (a *opArray) size() int  { return a.front + a.parts() }
func (a *opArray) parts() int { return len(a.array) - a.back }

func (a *opArray) ensure(s *sink) {
	if a.array != nil {
		return
	}
	select {
	case a.array = <-s.free:
	default:
		a.array = make([]catalog.Entity, partsPerOp(s.batchSize))
	}
	a.front, a.back = 0, len(a.array)
}

// partsPerOp is how many staged parts an op takes before it is sent: a
// quarter of a batch, at most maxPartsPerOp. Parts are no unit, so they
// need not wait for a whole batch: a bucket's objects stream out in
// small ops and hold less memory, whatever the bucket's size.
func partsPerOp(batchSize int) int { return max(min(batchSize/4, maxPartsPerOp), 1) }

// maxPartsPerOp bounds the objects an op holds while a busy catalog
// writer makes the scan wait: 5,000 (a quarter of the default batch) held
// ~15 MB more in a 200k-object bucket than 1,250, and staging 1,250 rows
// a transaction costs SQLite or PostgreSQL nothing measurable.
const maxPartsPerOp = 1250

// grow makes room for need more entities, up to the batch size, moving
// the parts to the back of the bigger array.
func (a *opArray) grow(s *sink, need int) {
	if a.back-a.front >= need || len(a.array) >= s.batchSize {
		return
	}
	bigger := make([]catalog.Entity, min(max(2*len(a.array), a.size()+need), s.batchSize))
	shift := len(bigger) - len(a.array)
	copy(bigger, a.array[:a.front])
	copy(bigger[a.back+shift:], a.array[a.back:])
	for i := range a.calls {
		a.calls[i].from += shift
		a.calls[i].to += shift
	}
	a.array, a.back = bigger, a.back+shift
}

// addBatch copies entities, which fit, after the batch.
func (a *opArray) addBatch(s *sink, entities []catalog.Entity) {
	if len(entities) == 0 {
		return
	}
	a.ensure(s)
	a.grow(s, len(entities))
	a.front += copy(a.array[a.front:a.back], entities)
}

// addParts copies as many of entities as fit before the parts, and
// returns the rest.
func (a *opArray) addParts(s *sink, owner string, entities []catalog.Entity) []catalog.Entity {
	a.ensure(s)
	// Room for the parts the op still takes, not for the whole call: the
	// op goes at partsPerOp parts, and the rest of the call starts the
	// next one. Growing for the call would leave an inventory's arrays,
	// reused for the whole scan, twice the size its ops need.
	a.grow(s, min(len(entities), max(partsPerOp(s.batchSize)-a.parts(), 0)))
	n := min(a.back-a.front, len(entities))
	if n == 0 {
		return entities
	}
	a.back -= n
	copy(a.array[a.back:], entities[:n])
	a.calls = append(a.calls, partCall{owner: owner, from: a.back, to: a.back + n})
	return entities[n:]
}

// takeLocked turns what was emitted since the last op into an op.
func (s *sink) takeLocked() op {
	o := op{publish: s.publish, completed: s.completed}
	s.publish, s.completed, s.publishing = nil, nil, 0
	a := &s.next
	if a.array == nil {
		return o
	}
	o.array = a.array
	o.batch = a.array[:a.front:a.front]
	o.nParts = len(a.array) - a.back
	if len(a.calls) > 0 {
		o.parts = make([]catalog.Parts, len(a.calls))
		for i, c := range a.calls {
			o.parts[i] = catalog.Parts{Owner: c.owner, Entities: a.array[c.from:c.to:c.to]}
		}
	}
	a.array, a.calls = nil, a.calls[:0]
	return o
}

// recycle returns a written op's array for reuse: a big scan would
// otherwise allocate (and the collector reclaim) a fresh one every few
// milliseconds. Its entities are cleared so they can be collected.
func (s *sink) recycle(array []catalog.Entity) {
	if array == nil {
		return
	}
	clear(array)
	select {
	case s.free <- array:
	default:
	}
}
