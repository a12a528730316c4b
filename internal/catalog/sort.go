package catalog

import "sort"

func sortFieldChanges(c []FieldChange) {
	sort.Slice(c, func(i, j int) bool { return c[i].Field < c[j].Field })
}
