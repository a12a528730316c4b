package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lakemap/lakemap/internal/apperr"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/jobs"
	"github.com/lakemap/lakemap/internal/store/postgres"
)

// `lakemap scan` works the same queue as `lakemap serve` (the file beside
// the catalog): start queues a scan the server runs, cancel reaches a scan
// the server is running. The CLI never runs queued jobs itself: only the
// server may, or a crash recovery here could mark a live server's scans
// interrupted. `lakemap ingest -c` still scans in the foreground.

func newScanCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Start, follow, cancel and list the scans `lakemap serve` runs",
	}
	cmd.AddCommand(newScanStartCmd(app), newScanCancelCmd(app), newScanListCmd(app, "list"), newScanShowCmd(app))
	return cmd
}

// newScansCmd keeps `lakemap scans`, older than the scan group, working.
func newScansCmd(app *App) *cobra.Command {
	cmd := newScanListCmd(app, "scans")
	cmd.Short = "List recent scans (the same as lakemap scan list)"
	return cmd
}

// withQueue opens the catalog and the scan queue beside it.
func (app *App) withQueue(ctx context.Context, fn func(catalog.Store, *jobs.Queue) error) error {
	if postgres.IsURL(app.DB) {
		return apperr.New(apperr.Invalid, "scans are queued beside a SQLite catalog only; with PostgreSQL use the server's API (POST /api/v1/projects/{project}/connections/{name}/scans)")
	}
	if !app.catalogExists() {
		return apperr.New(apperr.NotFound, "no catalog at %s: give --db, or create it with lakemap ingest or lakemap serve", app.DB)
	}
	st, err := app.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := jobs.OpenSQLite(ctx, jobs.QueuePath(app.DB))
	if err != nil {
		return err
	}
	defer b.Close()
	q, err := jobs.NewQueue(b, app.Logger)
	if err != nil {
		return err
	}
	return fn(st, q)
}

// scanStarted is what `scan start --json` prints.
type scanStarted struct {
	Connection string        `json:"connection"`
	Job        jobs.Job      `json:"job"`
	Scan       *catalog.Scan `json:"scan,omitempty"` // with --wait
}

func newScanStartCmd(app *App) *cobra.Command {
	var wait, asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "start CONNECTION",
		Short: "Queue a scan of a stored connection for the lakemap serve that owns this catalog",
		Long: `Queues a scan of a stored connection in the queue beside the catalog. The lakemap serve
running on the same catalog picks it up within a second (or at its next start). A connection
already queued or being scanned is refused (exit 6) with the running scan's id. With --wait the
command follows the scan to its end and exits as lakemap ingest would (0, or 7 partial, ...).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if timeout < 0 {
				return apperr.New(apperr.Invalid, "--timeout %s is negative", timeout)
			}
			return app.withQueue(cmd.Context(), func(st catalog.Store, q *jobs.Queue) error {
				c, err := connections.New(st, app.Registry, nil).Find(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				j, err := q.StartScan(cmd.Context(), jobs.Target{Connection: c.Name, ProjectID: c.ProjectID}, jobs.TriggerManual)
				if err != nil {
					return err
				}
				out := scanStarted{Connection: c.Name, Job: j}
				if !wait {
					if asJSON {
						return writeJSON(app.Stdout, out)
					}
					fmt.Fprintf(app.Stdout, "queued scan of %s as job %d\n", c.Name, j.ID)
					fmt.Fprintf(app.Stderr, "lakemap serve on %s runs it; follow it with lakemap scan list, or start it with --wait\n", app.catalogName())
					return nil
				}
				fmt.Fprintf(app.Stderr, "queued scan of %s as job %d; waiting for lakemap serve on %s to run it\n", c.Name, j.ID, app.catalogName())
				ctx := cmd.Context()
				if timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, timeout)
					defer cancel()
				}
				j, err = awaitJob(ctx, q, j)
				if err != nil && cmd.Context().Err() != nil {
					// Interrupted, not timed out: the scan is the server's.
					return &exitStatus{code: ExitInterrupted, err: fmt.Errorf("stopped waiting for scan job %d of %s (%s): it goes on in lakemap serve; follow it with lakemap scan list, or cancel it with lakemap scan cancel --job %d",
						j.ID, c.Name, j.State, j.ID)}
				}
				if err != nil {
					return err
				}
				out.Job = j
				var sc catalog.Scan
				if j.ScanID != 0 {
					if sc, err = st.GetScan(cmd.Context(), j.ScanID); err != nil {
						return err
					}
					out.Scan = &sc
				}
				if asJSON {
					if err := writeJSON(app.Stdout, out); err != nil {
						return err
					}
				} else if out.Scan != nil {
					printScan(app.Stdout, sc)
				}
				return waitedOutcome(c.Name, j, out.Scan)
			})
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "follow the scan to its end; the exit status is the scan's")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "with --wait, give up waiting after this long (the scan goes on); 0 waits until interrupted")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// awaitJob polls the job until it ends or ctx is done.
func awaitJob(ctx context.Context, q *jobs.Queue, j jobs.Job) (jobs.Job, error) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for j.Finished == nil {
		select {
		case <-ctx.Done():
			return j, &apperr.Error{Kind: apperr.Unavailable, Msg: fmt.Sprintf("scan job %d has not ended (state %s)", j.ID, j.State), Err: ctx.Err(),
				Advice: []string{"is lakemap serve running on this catalog? the job stays queued until it runs", fmt.Sprintf("cancel it with lakemap scan cancel --job %d", j.ID)}}
		case <-tick.C:
		}
		next, err := q.GetJob(ctx, j.ID)
		if err != nil {
			return j, err
		}
		j = next
	}
	return j, nil
}

// waitedOutcome is the exit status of a waited-for scan: as lakemap ingest's.
func waitedOutcome(conn string, j jobs.Job, sc *catalog.Scan) error {
	if sc == nil {
		return apperr.New(apperr.Internal, "scan job %d of %s ended %s before its scan began: see the server's log", j.ID, conn, j.State)
	}
	switch sc.Status {
	case catalog.ScanSucceeded:
		return nil
	case catalog.ScanPartial:
		return &exitStatus{code: 7, err: fmt.Errorf("scan %d of %s was partial: %d listing(s) failed", sc.ID, conn, len(sc.Errors))}
	}
	return apperr.New(apperr.Internal, "scan %d of %s ended %s", sc.ID, conn, sc.Status)
}

func newScanCancelCmd(app *App) *cobra.Command {
	var byJob, asJSON bool
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a running scan (by scan id), or a queued one with --job JOBID",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return apperr.New(apperr.Invalid, "%q is not a scan id: give the number lakemap scan list shows", args[0])
			}
			return app.withQueue(cmd.Context(), func(_ catalog.Store, q *jobs.Queue) error {
				var j jobs.Job
				if byJob {
					j, err = q.CancelJob(cmd.Context(), id)
				} else {
					j, err = q.CancelScan(cmd.Context(), id)
				}
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(app.Stdout, j)
				}
				fmt.Fprintf(app.Stdout, "cancelled job %d (%s)", j.ID, j.State)
				if j.ScanID != 0 {
					fmt.Fprintf(app.Stdout, ", scan %d", j.ScanID)
				}
				fmt.Fprintln(app.Stdout)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&byJob, "job", false, "ID is a job id (lakemap scan start prints it), for a scan still queued")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// queuedScan is one line of `scan list --queue --json`.
type queuedScan struct {
	Connection string `json:"connection"`
	jobs.Job
}

// listQueue prints the scans queued or running in the server's queue, of
// the project projectRef names (name or id) when it is not "".
func (app *App) listQueue(ctx context.Context, projectRef string, asJSON bool) error {
	return app.withQueue(ctx, func(st catalog.Store, q *jobs.Queue) error {
		var keep map[string]bool // connection names; nil keeps every job
		if projectRef != "" {
			rd, err := projectReader(ctx, st, projectRef)
			if err != nil {
				return err
			}
			conns, err := rd.ListConnections(ctx)
			if err != nil {
				return err
			}
			keep = make(map[string]bool, len(conns))
			for _, c := range conns {
				keep[c.Name] = true
			}
		}
		active, err := q.ActiveScans(ctx)
		if err != nil {
			return err
		}
		out := make([]queuedScan, 0, len(active))
		for _, j := range active {
			if keep == nil || keep[j.Target.Connection] {
				out = append(out, queuedScan{Connection: j.Target.Connection, Job: j})
			}
		}
		if asJSON {
			return writeJSON(app.Stdout, out)
		}
		tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "JOB\tCONNECTION\tTRIGGER\tSTATE\tSCAN\tQUEUED")
		for _, j := range out {
			scan := "-"
			if j.ScanID != 0 {
				scan = strconv.FormatInt(j.ScanID, 10)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", j.ID, j.Connection, j.Trigger, j.State, scan, j.Created.Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

// projectReader is the catalog as the project ref (name or id) sees it:
// its connections and their scans only. An unknown project is
// apperr.NotFound, naming it.
func projectReader(ctx context.Context, st catalog.Store, ref string) (catalog.Reader, error) {
	p, err := st.GetProject(ctx, ref)
	if err != nil {
		return nil, err
	}
	return st.Scoped(catalog.Projects(p.ID)), nil
}

func newScanListCmd(app *App, use string) *cobra.Command {
	var service, projectRef string
	var limit int
	var asJSON, queue bool
	cmd := &cobra.Command{
		Use:   use,
		Short: "List recent scans with their status and counts (--queue: the scans queued or running)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if queue {
				return app.listQueue(cmd.Context(), projectRef, asJSON)
			}
			req, err := catalog.SurfaceCLI.ParseRead(catalog.ReadScans, catalog.ReadArgs{Services: []string{service}, Limit: limit}, time.Now())
			if err != nil {
				return err
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			var rd catalog.ScanReader = store
			if projectRef != "" {
				if rd, err = projectReader(cmd.Context(), store, projectRef); err != nil {
					return err
				}
			}
			scans, err := rd.ListScans(cmd.Context(), req.Service(), req.Limit)
			if err != nil {
				return err
			}
			if asJSON {
				if scans == nil {
					scans = []catalog.Scan{}
				}
				return writeJSON(app.Stdout, scans)
			}
			tw := tabwriter.NewWriter(app.Stdout, 0, 2, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSERVICE\tSOURCE\tSTATUS\tSTARTED\tDURATION\tERRORS\tWARNINGS")
			for _, s := range scans {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", s.ID, s.Service, s.SourceType, s.Status, s.Started.Format(time.RFC3339), duration(s), len(s.Errors), len(s.Warnings))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service")
	cmd.Flags().StringVar(&projectRef, "project", "", "only the scans of this project's connections (name or id)")
	cmd.Flags().IntVar(&limit, "limit", catalog.SurfaceCLI.DefaultPageSize(catalog.ReadScans), "scans to list")
	cmd.Flags().BoolVar(&queue, "queue", false, "list the scans queued or running in the server's queue (job, connection, trigger, state)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func duration(s catalog.Scan) string {
	if s.Finished == nil {
		return "-"
	}
	return s.Finished.Sub(s.Started).Round(time.Millisecond).String()
}

func newScanShowCmd(app *App) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one scan: status, counts, errors and warnings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return apperr.New(apperr.Invalid, "%q is not a scan id: give the number lakemap scan list shows", args[0])
			}
			store, err := app.openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			sc, err := store.GetScan(cmd.Context(), id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(app.Stdout, sc)
			}
			printScan(app.Stdout, sc)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printScan(w io.Writer, sc catalog.Scan) {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "Scan:\t%d\n", sc.ID)
	fmt.Fprintf(tw, "Connection:\t%s (%s)\n", sc.Service, sc.SourceType)
	fmt.Fprintf(tw, "Status:\t%s\n", sc.Status)
	fmt.Fprintf(tw, "Started:\t%s\n", sc.Started.Format(time.RFC3339))
	fmt.Fprintf(tw, "Duration:\t%s\n", duration(sc))
	kinds := make([]string, 0, len(sc.Stats))
	for k := range sc.Stats {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		c := sc.Stats[catalog.Kind(k)]
		fmt.Fprintf(tw, "%s:\t%d added, %d updated, %d unchanged, %d deleted\n", k, c.Added, c.Updated, c.Unchanged, c.Deleted)
	}
	for _, e := range sc.Errors {
		fmt.Fprintf(tw, "Error:\t%s\n", e)
	}
	for _, e := range sc.Warnings {
		fmt.Fprintf(tw, "Warning:\t%s\n", e)
	}
	_ = tw.Flush()
}
