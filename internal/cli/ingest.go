package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/ingest"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
)

func newIngestCmd(app *App) *cobra.Command {
	var file string
	var asJSON, quiet, strict bool
	cmd := &cobra.Command{
		Use:   "ingest -c workflow.yaml",
		Short: "Run an ingestion workflow (OpenMetadata-shaped YAML) into the catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wf, err := app.loadWorkflow(file)
			if err != nil {
				return err
			}
			for _, n := range wf.Notes {
				fmt.Fprintln(app.Stderr, "note:", n)
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			box, err := app.secretBox()
			if err != nil {
				return err
			}
			opts := ingest.Options{Logger: app.Logger, Secrets: box}
			var prog *progressLine
			if !quiet && isTerminal(app.Stderr) {
				prog = newProgressLine(app.Stderr)
				opts.OnProgress = prog.update
			}
			sum, runErr := ingest.Run(cmd.Context(), store, wf, opts)
			if prog != nil {
				prog.done()
			}
			if sum.ScanID == 0 {
				return runErr
			}
			interrupted := cmd.Context().Err() != nil
			if interrupted {
				sum.Status = recordInterrupted(cmd.Context(), app, store, sum.ScanID)
			}
			if asJSON {
				if err := writeJSON(app.Stdout, sum); err != nil {
					return err
				}
			} else {
				printSummary(app.Stdout, sum.Summary)
				if sum.Lineage != nil {
					lineage.PrintReport(app.Stdout, *sum.Lineage)
				}
			}
			if interrupted {
				return &exitStatus{code: ExitInterrupted, err: fmt.Errorf("scan %d of %q %s: what it wrote is kept, and nothing under a listing it did not finish was marked deleted; run it again to complete it",
					sum.ScanID, sum.Service, sum.Status)}
			}
			return scanOutcome(sum.Summary, runErr, strict)
		},
	}
	cmd.Flags().StringVarP(&file, "config", "c", "", "workflow YAML file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress line")
	cmd.Flags().BoolVar(&strict, "strict", false, fmt.Sprintf("exit %d when the scan has warnings (optional enrichments skipped, unusable customer files)", scan.ExitWarnings))
	_ = cmd.MarkFlagRequired("config")
	return cmd
}

func printSummary(w io.Writer, s scan.Summary) {
	fmt.Fprintf(w, "scan %d of %s (%s): %s in %s\n", s.ScanID, s.Service, s.SourceType, s.Status, s.Duration.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tadded\tupdated\tunchanged\tdeleted\t")
	kinds := make([]string, 0, len(s.Stats))
	for k := range s.Stats {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		c := s.Stats[catalog.Kind(k)]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", k, c.Added, c.Updated, c.Unchanged, c.Deleted)
	}
	tw.Flush()
	if len(s.Errors) > 0 {
		fmt.Fprintf(w, "errors (%d):\n", len(s.Errors))
		for _, e := range s.Errors {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "warnings (%d):\n", len(s.Warnings))
		for _, e := range s.Warnings {
			fmt.Fprintf(w, "  - %s\n", e)
		}
	}
}

// ExitInterrupted is the exit status of a command stopped by Ctrl-C or
// SIGTERM (128 + SIGINT, as shells report it).
const ExitInterrupted = 130

// recordInterrupted records a scan stopped by a signal as interrupted, as
// the server records the scans it was running when it stopped (the runner
// records any scan whose context ended as failed), and returns the status
// recorded.
func recordInterrupted(ctx context.Context, app *App, store catalog.Store, scanID int64) catalog.ScanStatus {
	records, ok := store.(jobs.ScanRecords)
	if !ok {
		return catalog.ScanFailed
	}
	if err := records.SetScanStatus(context.WithoutCancel(ctx), scanID, jobs.ScanInterrupted, time.Now()); err != nil {
		app.Logger.Warn("record the scan interrupted", "scan", scanID, "err", err)
		return catalog.ScanFailed
	}
	return jobs.ScanInterrupted
}

// scanOutcome is the error `lakemap ingest` ends with, its exit status that
// of scan.ExitCode: nil when every listing finished (warnings or not, unless
// strict).
func scanOutcome(sum scan.Summary, runErr error, strict bool) error {
	code := scan.ExitCode(sum, runErr, strict)
	switch {
	case code == 0:
		return nil
	case runErr != nil:
		return runErr
	case code == scan.ExitPartial:
		return &exitStatus{code: code, err: fmt.Errorf("scan %d of %q is partial: %d listing(s) failed, and entities under them were kept as they were", sum.ScanID, sum.Service, len(sum.Errors))}
	case code == scan.ExitWarnings:
		return &exitStatus{code: code, err: fmt.Errorf("scan %d of %q succeeded with %d warning(s), which --strict makes a failure", sum.ScanID, sum.Service, len(sum.Warnings))}
	}
	return &exitStatus{code: code, err: fmt.Errorf("scan %d of %q %s", sum.ScanID, sum.Service, sum.Status)}
}

// exitStatus is an error that sets the process exit status itself, for
// outcomes that are not an error kind (a partial scan).
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

// progressLine redraws one status line on a terminal.
type progressLine struct {
	mu   sync.Mutex // the runner reports from several goroutines
	w    io.Writer
	last time.Time
}

func newProgressLine(w io.Writer) *progressLine { return &progressLine{w: w} }

func (p *progressLine) update(pr scan.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	var parts []string
	for _, k := range []catalog.Kind{catalog.KindDatabase, catalog.KindTable, catalog.KindPartition, catalog.KindBucket, catalog.KindContainer, catalog.KindObject} {
		if n := pr.Seen[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, k))
		}
	}
	line := fmt.Sprintf("scanning: %s; %d entities written; %d errors; %s",
		strings.Join(parts, ", "), pr.Written, pr.Errors, pr.Elapsed.Round(time.Second))
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\033[K")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
