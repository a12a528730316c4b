package lineage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Stores is the part of catalog.Store the lineage commands use.
type Stores interface {
	catalog.EntityReader
	catalog.LineageStore
	// ScanWriter lets rebuild rewrite the DataZone ↔ Glue link attributes.
	catalog.ScanWriter
	Close() error
}

// Result is `lakemap lineage --json`'s output.
type Result struct {
	FQN       string            `json:"fqn"`
	Kind      catalog.Kind      `json:"kind,omitempty"`
	Direction catalog.Direction `json:"direction"`
	Depth     int               `json:"depth"`
	Edges     []catalog.Edge    `json:"edges"`
}

// NewCommand returns `lakemap lineage <fqn> [--upstream|--downstream]
// [--depth N] [--json]` and its `rebuild <service>` subcommand. open opens
// the catalog; the command closes it. sources is the source registry, for
// rebuild.
func NewCommand(open func(ctx context.Context) (Stores, error), sources Sources) *cobra.Command {
	var up, down, asJSON bool
	var depth int
	cmd := &cobra.Command{
		Use:   "lineage <fqn>",
		Short: "Show where a table's data comes from and goes to",
		Long: `Show table-level lineage: the views, Athena queries (CTAS, INSERT ... SELECT,
MERGE, UPDATE, DELETE) and S3 locations linking an entity to others, each edge
with its evidence. Without --upstream or --downstream both directions are shown.`,
		Example: "  lakemap lineage prod_glue.mart.daily_sales --upstream --depth 5",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if up && down {
				return apperr.New(apperr.Invalid, "--upstream and --downstream exclude each other: give neither for both directions")
			}
			if depth < 1 || depth > catalog.MaxLineageDepth {
				return apperr.New(apperr.Invalid, "--depth must be 1-%d, got %d", catalog.MaxLineageDepth, depth)
			}
			fqn, err := catalog.NormalizeFQN(args[0])
			if err != nil {
				return apperr.Wrap(apperr.Invalid, err, "lineage")
			}
			dir := catalog.Both
			switch {
			case up:
				dir = catalog.Upstream
			case down:
				dir = catalog.Downstream
			}
			ctx := cmd.Context()
			st, err := open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			res := Result{FQN: fqn, Direction: dir, Depth: depth, Edges: []catalog.Edge{}}
			e, err := st.Get(ctx, fqn)
			switch {
			case err == nil:
				res.Kind = e.Kind
			case apperr.Is(err, apperr.NotFound):
				return apperr.Wrap(apperr.NotFound, err, "no entity %s in the catalog: `lakemap search` finds FQNs", fqn)
			default:
				return err
			}
			edges, err := st.Edges(ctx, fqn, dir, depth)
			if err != nil {
				return err
			}
			res.Edges = append(res.Edges, edges...)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return PrintText(cmd.OutOrStdout(), res)
		},
	}
	cmd.Flags().BoolVar(&up, "upstream", false, "only where the data comes from")
	cmd.Flags().BoolVar(&down, "downstream", false, "only where the data goes")
	cmd.Flags().IntVar(&depth, "depth", catalog.DefaultLineageDepth, fmt.Sprintf("hops to follow (1-%d)", catalog.MaxLineageDepth))
	cmd.Flags().BoolVar(&asJSON, "json", false, "print every edge as JSON")
	cmd.AddCommand(newRebuildCommand(open, sources))
	return cmd
}

func newRebuildCommand(open func(ctx context.Context) (Stores, error), sources Sources) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rebuild <service>",
		Short: "Derive a service's lineage again from the catalog, every query execution included",
		Long: `Derive a service's lineage again from the catalog: view, query and storage
edges, every query execution included, DataZone's own lineage between
assets, and the links between the DataZone assets and Glue tables of the
service's account, recomputed from what is live.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			b := &Builder{Entities: st, Lineage: st, Writer: st, Sources: sources}
			rep, err := b.AfterScan(ctx, args[0], 0)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			PrintReport(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// PrintReport writes a build report for people.
func PrintReport(w io.Writer, rep Report) {
	fmt.Fprintf(w, "lineage of %s: %d view, %d query and %d storage edges\n", rep.Service,
		rep.Edges[string(catalog.EdgeView)], rep.Edges[string(catalog.EdgeQuery)], rep.Edges[string(catalog.EdgeStorage)])
	fmt.Fprintf(w, "  views: %d read, %d not parsed\n", rep.Views, rep.ViewsUnparsed)
	fmt.Fprintf(w, "  queries: %d read, %d writing a table, %d not parsed\n", rep.Queries, rep.QueriesWriting, rep.QueriesUnparsed)
	fmt.Fprintf(w, "  names outside the service: %d; S3 locations: %d\n", rep.Unresolved, rep.Locations)
	if n := rep.Edges[string(catalog.EdgeDataZone)]; n > 0 || rep.DataZoneLinks > 0 {
		fmt.Fprintf(w, "  DataZone: %d lineage edges between assets, %d assets linked to Glue tables\n", n, rep.DataZoneLinks)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

// group is the edges of one link, several queries writing the same table
// from the same source being one line.
type group struct {
	hop      int
	from, to string
	kind     catalog.EdgeKind
	count    int
	latest   catalog.Edge
}

// PrintText writes lineage for people: one line per linked pair and kind,
// nearest first, with the latest evidence and how many more there are.
func PrintText(w io.Writer, res Result) error {
	if len(res.Edges) == 0 {
		_, err := fmt.Fprintf(w, "no %s lineage recorded for %s\n", directionWord(res.Direction), res.FQN)
		return err
	}
	groups := map[string]*group{}
	var order []*group
	for _, e := range res.Edges {
		key := fmt.Sprintf("%d\x00%s\x00%s\x00%s", e.Hop, e.From, e.To, e.Kind)
		g, ok := groups[key]
		if !ok {
			g = &group{hop: e.Hop, from: e.From, to: e.To, kind: e.Kind}
			groups[key] = g
			order = append(order, g)
		}
		g.count++
		if g.count == 1 || e.At.After(g.latest.At) {
			g.latest = e
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].hop != order[j].hop {
			return order[i].hop < order[j].hop
		}
		if order[i].to != order[j].to {
			return order[i].to < order[j].to
		}
		return order[i].from < order[j].from
	})
	fmt.Fprintf(w, "%s lineage of %s (depth %d):\n", strings.ToUpper(directionWord(res.Direction)[:1])+directionWord(res.Direction)[1:], res.FQN, res.Depth)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "HOP\tFROM\t\tTO\tKIND\tEVIDENCE")
	for _, g := range order {
		ev := g.latest.Evidence
		if g.count > 1 {
			ev = fmt.Sprintf("%s (+%d more)", ev, g.count-1)
		}
		if !g.latest.At.IsZero() {
			ev += " at " + g.latest.At.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t->\t%s\t%s\t%s\n", g.hop, g.from, g.to, g.kind, ev)
	}
	return tw.Flush()
}

func directionWord(d catalog.Direction) string {
	switch d {
	case catalog.Upstream:
		return "upstream"
	case catalog.Downstream:
		return "downstream"
	}
	return "upstream and downstream"
}
