package s3

// slab hands out pointers to values stored in shared chunks, so that a
// page of 1,000 objects costs a few allocations rather than one per
// pointer field. A full chunk is replaced, never grown, so pointers already
// handed out stay valid; they keep their chunk alive.
type slab[T any] []T

// newSlab starts a slab whose first chunk holds n values.
func newSlab[T any](n int) slab[T] { return make(slab[T], 0, n) }

// keep stores v and returns a pointer to it.
func (s *slab[T]) keep(v T) *T {
	if len(*s) == cap(*s) {
		*s = make(slab[T], 0, 64)
	}
	*s = append(*s, v)
	return &(*s)[len(*s)-1]
}
