package web

import (
	"fmt"
	"sort"

	"github.com/lakemap/lakemap/internal/catalog"
)

// graph is a lineage graph laid out for SVG on the server: upstream
// entities in columns to the left of the entity, downstream to the right,
// one column per hop.
type graph struct {
	Width, Height int
	Nodes         []gnode
	Edges         []gedge
}

type gnode struct {
	FQN, Label, URL string
	X, Y, W, H      int
	TX, TY          int // text anchor
	Center          bool
}

type gedge struct {
	Path            string
	LX, LY          int // label position
	Kind, Evidence  string
	Label, From, To string
}

const (
	nodeW, nodeH = 200, 36
	colGap       = 170
	rowGap       = 24
	pad          = 16
)

// layout places the entity and its edges; nil when there is no lineage.
func layout(center string, edges []catalog.Edge) *graph {
	if len(edges) == 0 {
		return nil
	}
	level := map[string]int{center: 0}
	// Levels spread from the center along the edges: a node upstream of a
	// placed node sits one column left of it, downstream one column right.
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			lf, okf := level[e.From]
			lt, okt := level[e.To]
			switch {
			case okt && !okf:
				level[e.From], changed = lt-1, true
			case okf && !okt:
				level[e.To], changed = lf+1, true
			}
		}
	}
	cols := map[int][]string{}
	minL, maxL := 0, 0
	for fqn, l := range level {
		cols[l] = append(cols[l], fqn)
		minL, maxL = min(minL, l), max(maxL, l)
	}
	rows := 0
	for _, c := range cols {
		sort.Strings(c)
		rows = max(rows, len(c))
	}
	g := &graph{Width: (maxL-minL+1)*(nodeW+colGap) - colGap + 2*pad, Height: rows*(nodeH+rowGap) - rowGap + 2*pad}
	pos := map[string]gnode{}
	for l := minL; l <= maxL; l++ {
		c := cols[l]
		sort.Strings(c)
		top := pad + (rows-len(c))*(nodeH+rowGap)/2
		for i, fqn := range c {
			n := gnode{FQN: fqn, Label: shortLabel(fqn), URL: entityURL(fqn), X: pad + (l-minL)*(nodeW+colGap),
				Y: top + i*(nodeH+rowGap), W: nodeW, H: nodeH, Center: fqn == center}
			n.TX, n.TY = n.X+10, n.Y+nodeH/2+5
			pos[fqn] = n
			g.Nodes = append(g.Nodes, n)
		}
	}
	for _, e := range edges {
		a, b := pos[e.From], pos[e.To]
		x1, y1, x2, y2 := a.X+a.W, a.Y+a.H/2, b.X, b.Y+b.H/2
		if x2 <= x1 { // an edge within one column (a cycle): loop below
			x2 = b.X + b.W/2
		}
		mx := (x1 + x2) / 2
		label := string(e.Kind)
		if e.Evidence != "" {
			label += ": " + clipText(e.Evidence, 20)
		}
		g.Edges = append(g.Edges, gedge{
			Path: fmt.Sprintf("M%d %d C%d %d, %d %d, %d %d", x1, y1, mx, y1, mx, y2, x2, y2),
			LX:   mx, LY: (y1+y2)/2 - 6, Kind: string(e.Kind), Evidence: e.Evidence, Label: label, From: e.From, To: e.To,
		})
	}
	return g
}

// shortLabel is the last two FQN parts, clipped to fit a node.
func shortLabel(fqn string) string {
	parts, err := catalog.SplitFQN(fqn)
	if err != nil || len(parts) == 0 {
		return clipText(fqn, 26)
	}
	if len(parts) >= 2 {
		return clipText(parts[len(parts)-2]+"."+parts[len(parts)-1], 26)
	}
	return clipText(parts[0], 26)
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
