package slab

import "testing"

func TestPointersStayValidAcrossChunks(t *testing.T) {
	for _, first := range []int{0, 1, 3, 100} {
		t.Run("", func(t *testing.T) {
			s := New[int](first)
			var ptrs []*int
			for i := range 200 {
				ptrs = append(ptrs, s.Keep(i))
			}
			for i, p := range ptrs {
				if *p != i {
					t.Fatalf("first chunk %d: value %d reads %d", first, i, *p)
				}
			}
		})
	}
}
