// Package slab hands out pointers to values stored in shared chunks, so
// that decoding a page of 1,000 objects costs a few allocations rather than
// one per pointer field (the AWS SDK's types point at every optional value).
package slab

// Of stores values of T in chunks. A full chunk is replaced, never grown,
// so pointers already handed out stay valid; they keep their chunk alive.
type Of[T any] []T

// New starts a slab whose first chunk holds n values.
func New[T any](n int) Of[T] { return make(Of[T], 0, n) }

// Keep stores v and returns a pointer to it.
func (s *Of[T]) Keep(v T) *T {
	if len(*s) == cap(*s) {
		*s = make(Of[T], 0, 64)
	}
	*s = append(*s, v)
	return &(*s)[len(*s)-1]
}
