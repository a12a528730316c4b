package schemahist

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
)

// Store is what the command opens.
type Store interface {
	Reader
	Close() error
}

// NewCommand returns `lakemap schema-history <table-fqn> [--since D] [--json]`.
func NewCommand(open func(ctx context.Context) (Store, error)) *cobra.Command {
	var since time.Duration
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:     "schema-history <table-fqn>",
		Short:   "Show the columns added, removed and retyped in a table, scan by scan",
		Example: "  lakemap schema-history prod_glue.sales.orders --since 720h",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if since < 0 {
				return apperr.New(apperr.Invalid, "--since must not be negative, got %s", since)
			}
			fqn, err := catalog.NormalizeFQN(args[0])
			if err != nil {
				return apperr.Wrap(apperr.Invalid, err, "schema history")
			}
			ctx := cmd.Context()
			st, err := open(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			var from time.Time
			if since > 0 {
				from = time.Now().Add(-since)
			}
			changes, err := Table(ctx, st, fqn, from, limit)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"fqn": fqn, "changes": changes})
			}
			Print(cmd.OutOrStdout(), fqn, changes)
			return nil
		},
	}
	cmd.Flags().DurationVar(&since, "since", 0, "only changes this recent, e.g. 720h (default: all)")
	cmd.Flags().IntVar(&limit, "limit", DefaultLimit, "most column changes read")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// Print writes the changes for people.
func Print(w io.Writer, fqn string, changes []ScanChanges) {
	if len(changes) == 0 {
		fmt.Fprintf(w, "no schema changes recorded for %s\n", fqn)
		return
	}
	fmt.Fprintf(w, "schema changes of %s, newest first:\n", fqn)
	for _, s := range changes {
		fmt.Fprintf(w, "scan %d at %s:\n", s.ScanID, s.At.UTC().Format(time.RFC3339))
		for _, c := range s.Added {
			fmt.Fprintf(w, "  + %s %s\n", c.Name, c.DataType)
		}
		for _, c := range s.Removed {
			fmt.Fprintf(w, "  - %s %s\n", c.Name, c.DataType)
		}
		for _, c := range s.Retyped {
			fmt.Fprintf(w, "  ~ %s %s -> %s\n", c.Name, c.From, c.To)
		}
	}
}
