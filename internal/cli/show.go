package cli

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
	"github.com/lakemap/lakemap/internal/schemadrift"
)

// entityView is what `show` prints: the entity, a page of its children and
// its recent history.
type entityView struct {
	Entity       catalog.Entity   `json:"entity"`
	Children     []catalog.Entity `json:"children,omitempty"`
	MoreChildren bool             `json:"moreChildren,omitempty"`
	History      []catalog.Change `json:"history,omitempty"`
	// SchemaDrift is how a Glue table disagrees with its S3 files, when
	// lakemap has a schema of them.
	SchemaDrift *schemadrift.Drift `json:"schemaDrift,omitempty"`
}

func newShowCmd(app *App) *cobra.Command {
	var asJSON bool
	var childLimit, historyLimit int
	cmd := &cobra.Command{
		Use:   "show FQN",
		Short: "Show one catalog entity: attributes, children (columns...) and history",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			view, err := loadEntityView(cmd.Context(), store, args[0], childLimit, historyLimit)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, view)
			}
			printEntityView(app.Stdout, view)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&childLimit, "children", 200, "children to list (columns, tables...)")
	cmd.Flags().IntVar(&historyLimit, "history", 10, "history entries to list")
	return cmd
}

func loadEntityView(ctx context.Context, store catalog.Store, rawFQN string, childLimit, historyLimit int) (entityView, error) {
	fqn, err := catalog.NormalizeFQN(rawFQN)
	if err != nil {
		return entityView{}, apperr.Wrap(apperr.Invalid, err, "bad FQN")
	}
	e, err := store.Get(ctx, fqn)
	if apperr.Is(err, apperr.NotFound) {
		return entityView{}, notFoundWithSuggestions(ctx, store, fqn)
	}
	if err != nil {
		return entityView{}, err
	}
	view := entityView{Entity: e}
	if d, ok, err := schemadrift.Of(ctx, store, e); err != nil {
		return entityView{}, err
	} else if ok {
		view.SchemaDrift = &d
	}
	if childLimit > 0 {
		page, err := store.List(ctx, catalog.ListQuery{ParentFQN: fqn, Limit: childLimit})
		if err != nil {
			return entityView{}, err
		}
		view.Children, view.MoreChildren = page.Entities, page.Next != ""
		sortByOrdinal(view.Children)
	}
	if historyLimit > 0 {
		if view.History, err = store.History(ctx, fqn, historyLimit); err != nil {
			return entityView{}, err
		}
	}
	return view, nil
}

// notFoundWithSuggestions turns a miss into "did you mean" using search on
// the FQN's last part.
func notFoundWithSuggestions(ctx context.Context, store catalog.Store, fqn string) error {
	parts, _ := catalog.SplitFQN(fqn)
	e := &apperr.Error{Kind: apperr.NotFound, Msg: fmt.Sprintf("no entity %q in the catalog", fqn)}
	if len(parts) > 0 {
		res, err := store.Search(ctx, catalog.SearchQuery{Text: parts[len(parts)-1], Limit: 5})
		if err == nil {
			for _, h := range res.Hits {
				e.Advice = append(e.Advice, "did you mean "+h.FQN+" ("+string(h.Kind)+")?")
			}
		}
	}
	if len(e.Advice) == 0 {
		e.Advice = []string{"search for it with: lakemap search <name>"}
	}
	return e
}

func sortByOrdinal(es []catalog.Entity) {
	ord := func(e catalog.Entity) float64 {
		switch v := e.Attrs["ordinal"].(type) {
		case float64:
			return v
		case int64:
			return float64(v)
		case json.Number:
			f, _ := v.Float64()
			return f
		}
		return -1
	}
	sort.SliceStable(es, func(i, j int) bool {
		oi, oj := ord(es[i]), ord(es[j])
		if oi != oj && oi >= 0 && oj >= 0 {
			return oi < oj
		}
		return false
	})
}

func printEntityView(w io.Writer, v entityView) {
	e := v.Entity
	status := ""
	if e.Deleted {
		status = "  [deleted]"
	}
	fmt.Fprintf(w, "%s  %s%s\n", e.Kind, e.FQN, status)
	if e.Description != "" {
		fmt.Fprintf(w, "  %s\n", e.Description)
	}
	if assets, ok := e.Attrs["dataZoneAssets"].([]any); ok && len(assets) > 0 {
		names := make([]string, len(assets))
		for i, a := range assets {
			names[i] = fmt.Sprint(a)
		}
		fmt.Fprintf(w, "  governed in DataZone as %s\n", strings.Join(names, ", "))
	}
	if d := v.SchemaDrift; d != nil {
		if d.Empty() {
			fmt.Fprintf(w, "  schema: matches its files in %s\n", d.Container)
		} else {
			fmt.Fprintf(w, "  schema drift against its files in %s: %s\n", d.Container, d.Summary())
		}
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\n", k, oneLine(attrString(e.Attrs[k]), 120))
	}
	if e.SourceCreated != nil {
		fmt.Fprintf(tw, "  created\t%s\n", e.SourceCreated.Format(time.RFC3339))
	}
	if e.SourceUpdated != nil {
		fmt.Fprintf(tw, "  updated\t%s\n", e.SourceUpdated.Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "  first seen\t%s\n", e.FirstSeen.Format(time.RFC3339))
	fmt.Fprintf(tw, "  last seen\t%s\n", e.LastSeen.Format(time.RFC3339))
	tw.Flush()
	if len(v.Children) > 0 {
		fmt.Fprintf(w, "\nchildren:\n")
		tw = tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
		for _, c := range v.Children {
			typ, _ := c.Attrs["dataType"].(string)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Kind, c.Name, typ, oneLine(c.Description, 60))
		}
		tw.Flush()
		if v.MoreChildren {
			fmt.Fprintln(w, "  ... more (raise --children)")
		}
	}
	if len(v.History) > 0 {
		fmt.Fprintf(w, "\nhistory:\n")
		for _, h := range v.History {
			fields := make([]string, len(h.Fields))
			for i, f := range h.Fields {
				fields[i] = f.Field
			}
			fmt.Fprintf(w, "  %s  scan %d  %s  %s\n", h.At.Format(time.RFC3339), h.ScanID, h.Type, strings.Join(fields, ", "))
		}
	}
}

func attrString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
