// Package ingest turns a parsed workflow into a scan: it resolves the AWS
// session, remembers the connection (secrets sealed) and runs the source.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/connections"
	"github.com/lakemap/lakemap/internal/lineage"
	"github.com/lakemap/lakemap/internal/scan"
	"github.com/lakemap/lakemap/internal/secrets"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/workflow"
)

// Options tune a run.
type Options struct {
	Logger     *slog.Logger
	OnProgress func(scan.Progress)
	// Secrets seals the connection's secret fields before they are stored.
	// Nil means the connection is not remembered.
	Secrets *secrets.Box
	// AWS tunes the session (concurrency, HTTP client) for tests and benchmarks.
	AWS awsconn.Options
	// FileRoot is the directory local files a workflow names (S3's
	// manifestFilePath) must be in. "" means $LAKEMAP_MANIFEST_DIR, else
	// the workflow file's directory.
	FileRoot string
}

// EnvManifestDir names the variable with the directory local manifest
// files must be in (Options.FileRoot).
const EnvManifestDir = "LAKEMAP_MANIFEST_DIR"

// fileRooted is implemented by source configs that read local files named
// in the workflow (S3's manifestFilePath).
type fileRooted interface{ SetFileRoot(dir string) }

// fileRoot is the directory the workflow's local files must be in.
func (o Options) fileRoot(wf *workflow.Workflow) string {
	if o.FileRoot != "" {
		return o.FileRoot
	}
	if d := os.Getenv(EnvManifestDir); d != "" {
		return d
	}
	return filepath.Dir(wf.File)
}

// Params builds the source parameters and the session for a workflow. It
// makes no network call.
func Params(ctx context.Context, wf *workflow.Workflow, opts Options) (source.Params, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	awsOpts := opts.AWS
	awsOpts.ServiceName = wf.Source.ServiceName
	awsOpts.Logger = logger
	sess, err := awsconn.NewSession(ctx, *wf.Source.Connection.AWS(), awsOpts)
	if err != nil {
		return source.Params{}, err
	}
	if r, ok := wf.Source.SourceConfig.(fileRooted); ok {
		r.SetFileRoot(opts.fileRoot(wf))
	}
	return source.Params{
		ServiceName:  wf.Source.ServiceName,
		Connection:   wf.Source.Connection,
		SourceConfig: wf.Source.SourceConfig,
		AWS:          sess,
		Logger:       logger.With("service", wf.Source.ServiceName, "source", wf.Source.Type),
	}, nil
}

// Result is a scan's summary and the lineage derived after it.
type Result struct {
	scan.Summary
	Lineage *lineage.Report `json:"lineage,omitempty"`
}

// Run scans the workflow's source into store, then derives lineage. The
// connection is first bound to its project (BindProject), so the role is
// assumed with the project's External ID.
func Run(ctx context.Context, store catalog.Store, wf *workflow.Workflow, opts Options) (Result, error) {
	if _, _, err := BindProject(ctx, store, wf); err != nil {
		return Result{}, err
	}
	p, err := Params(ctx, wf, opts)
	if err != nil {
		return Result{}, err
	}
	src, err := wf.Source.Spec.New(p)
	if err != nil {
		return Result{}, fmt.Errorf("set up %s source %q: %w", wf.Source.Type, wf.Source.ServiceName, err)
	}
	if opts.Secrets != nil {
		if err := Remember(ctx, store, wf, opts.Secrets); err != nil {
			return Result{}, err
		}
	}
	// The walk reads this service alone, whose source is the workflow's.
	sources := source.NewRegistry()
	sources.Register(wf.Source.Spec)
	b := &lineage.Builder{Entities: store, Lineage: store, Writer: store, Sources: sources, Logger: p.Logger}
	// Links derived by earlier scans ride along, so that an unchanged
	// entity is written unchanged (no history entry per rescan).
	writer, err := b.KeepLinks(ctx, wf.Source.ServiceName, store)
	if err != nil {
		return Result{}, fmt.Errorf("reading the DataZone ↔ Glue links of %q: %w", wf.Source.ServiceName, err)
	}
	onProgress := opts.OnProgress
	if onProgress != nil {
		onProgress = func(pr scan.Progress) {
			pr.Calls = p.AWS.Calls()
			opts.OnProgress(pr)
		}
	}
	runner := &scan.Runner{Store: writer, Logger: p.Logger, OnProgress: onProgress}
	var sum Result
	sum.Summary, err = runner.Run(ctx, wf.Source.ServiceName, wf.Source.Type, src)
	if err != nil || sum.Status == catalog.ScanFailed {
		return sum, err
	}
	// Lineage is derived from what the catalog now holds, so links to
	// other services appear whichever scan runs second.
	rep, err := b.AfterScan(ctx, sum.Service, sum.ScanID)
	if err != nil {
		// The scan itself is written and every listing finished; only the
		// derived edges are stale: a warning, not a partial scan.
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("deriving lineage: %v", err))
		return sum, nil
	}
	sum.Lineage = &rep
	return sum, nil
}

// Remember stores the workflow's connection so live tools, later scans and
// the server's API see it: the workflow door of the one connection model
// (internal/connections), which seals secret fields and keeps the scan
// options.
//
// This is where server mode learns connections, so the project rule is
// enforced here too (BindProject): a remembered connection of a project
// carries the project's id and External ID, never one a workflow chose.
func Remember(ctx context.Context, store Stores, wf *workflow.Workflow, box *secrets.Box) error {
	project, _, err := BindProject(ctx, store, wf)
	if err != nil {
		return err
	}
	return connections.New(store, nil, box).Save(ctx, project.ID, wf)
}
