// Package lineage derives table-level lineage from what scans put in the
// catalog, stores it through catalog.LineageStore, and answers
// `lakemap lineage`.
//
// Lineage is derived after a scan rather than during it, from the catalog
// itself: views carry their SQL (viewOriginalText), query executions their
// text, tables their S3 location, S3 buckets and containers their paths.
// Deriving from the catalog lets a link between two services appear
// whichever of their scans runs second, needs nothing from the sources
// beyond the entities they already emit, and can be re-run at any time.
package lineage

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/lineage/sqlparse"
)

// Builder derives one service's lineage after its scan.
type Builder struct {
	Entities catalog.EntityReader
	Lineage  catalog.LineageStore
	// Writer, when set, lets the build write the DataZone ↔ Glue link
	// attributes (datazone.go); nil skips them (and leaves stale ones).
	Writer catalog.ScanWriter
	// Sources says how each source type lays out its FQNs; nil treats every
	// source as keeping its databases right under the service.
	Sources Sources
	Logger  *slog.Logger
}

// Sources is what lineage asks of the source registry
// (*source.Registry implements it): lineage does not import the sources.
type Sources interface {
	// DatabasesUnderDataCatalogs reports that a source type's databases sit
	// under Athena data catalogs rather than right under the service.
	DatabasesUnderDataCatalogs(sourceType string) bool
}

// Report counts what a build did. Statements that cannot be parsed are
// counted and skipped, never guessed; Problems samples them.
type Report struct {
	Service         string         `json:"service"`
	Views           int            `json:"views"`
	ViewsUnparsed   int            `json:"viewsUnparsed"`
	Queries         int            `json:"queries"`
	QueriesUnparsed int            `json:"queriesUnparsed"`
	QueriesWriting  int            `json:"queriesWriting"`
	Unresolved      int            `json:"unresolved"` // names in catalogs the service does not hold
	Locations       int            `json:"locations"`
	DataZoneLinks   int            `json:"dataZoneLinks,omitempty"` // assets linked to Glue tables, in the service's account
	Edges           map[string]int `json:"edges"`
	Problems        []string       `json:"problems,omitempty"`
}

const maxProblems = 20

func (r *Report) problem(format string, args ...any) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// originBatch bounds the origins replaced in one transaction.
const originBatch = 1000

// AfterScan derives the lineage of service: the edges of its views, of the
// query executions scan scanID saw (0: every query execution in the
// catalog), and the storage links between its tables and S3 — in both
// directions, so that the scan of either side creates them.
func (b *Builder) AfterScan(ctx context.Context, service string, scanID int64) (Report, error) {
	rep := Report{Service: service, Edges: map[string]int{}}
	w, err := b.walk(ctx, service)
	if err != nil {
		return rep, err
	}
	res := newResolver(w, b.Sources)

	viewEdges, viewOrigins := b.viewEdges(w, res, scanID, &rep)
	if err := b.replace(ctx, scanID, catalog.EdgeView, viewOrigins, viewEdges); err != nil {
		return rep, err
	}
	rep.Edges[string(catalog.EdgeView)] = len(viewEdges)

	queryEdges, queryOrigins := b.queryEdges(w, res, scanID, &rep)
	if err := b.replace(ctx, scanID, catalog.EdgeQuery, queryOrigins, queryEdges); err != nil {
		return rep, err
	}
	rep.Edges[string(catalog.EdgeQuery)] = len(queryEdges)

	n, err := b.storage(ctx, w, scanID, &rep)
	if err != nil {
		return rep, err
	}
	rep.Edges[string(catalog.EdgeStorage)] = n
	if n, err = b.dataZoneEdges(ctx, service, scanID, &rep); err != nil {
		return rep, err
	}
	if n > 0 {
		rep.Edges[string(catalog.EdgeDataZone)] = n
	}
	if b.Writer != nil {
		if rep.DataZoneLinks, err = b.dataZoneLinks(ctx, service, scanID == 0); err != nil {
			return rep, err
		}
	}
	if b.Logger != nil {
		b.Logger.Info("lineage derived", "service", service, "views", rep.Views, "viewsUnparsed", rep.ViewsUnparsed,
			"queries", rep.Queries, "queriesUnparsed", rep.QueriesUnparsed, "edges", rep.Edges)
	}
	return rep, nil
}

func (b *Builder) replace(ctx context.Context, scanID int64, kind catalog.EdgeKind, origins []string, edges []catalog.Edge) error {
	byOrigin := map[string][]catalog.Edge{}
	for _, e := range edges {
		byOrigin[e.Origin] = append(byOrigin[e.Origin], e)
	}
	for start := 0; start < len(origins); start += originBatch {
		batch := origins[start:min(start+originBatch, len(origins))]
		var be []catalog.Edge
		for _, o := range batch {
			be = append(be, byOrigin[o]...)
		}
		if err := b.Lineage.ReplaceEdges(ctx, scanID, kind, batch, be); err != nil {
			return fmt.Errorf("record %s lineage: %w", kind, err)
		}
	}
	return nil
}

func (b *Builder) viewEdges(w *walked, res resolver, scanID int64, rep *Report) ([]catalog.Edge, []string) {
	var edges []catalog.Edge
	var origins []string
	for _, v := range w.views {
		origins = append(origins, v.entity.FQN)
		if v.entity.Deleted {
			continue
		}
		rep.Views++
		orig, _ := v.entity.Attrs["viewOriginalText"].(string)
		expanded, _ := v.entity.Attrs["viewExpandedText"].(string)
		view, err := sqlparse.DecodeView(orig, expanded)
		if err == nil {
			var st sqlparse.Statement
			if st, err = sqlparse.Parse(view.SQL); err == nil {
				catalogName, schema := view.Catalog, view.Schema
				if schema == "" {
					schema = strings.ToLower(v.database)
				}
				if catalogName == "" {
					catalogName = v.catalog
				}
				for _, r := range st.Reads {
					from, ok := res.table(r, catalogName, schema)
					if !ok {
						rep.Unresolved++
						continue
					}
					if from == v.entity.FQN {
						continue
					}
					edges = append(edges, catalog.Edge{
						From: from, To: v.entity.FQN, Kind: catalog.EdgeView, Origin: v.entity.FQN,
						Evidence: "view " + v.entity.FQN, Service: w.service, ScanID: scanID, At: updated(v.entity),
					})
				}
				continue
			}
		}
		rep.ViewsUnparsed++
		rep.problem("view %s: %v", v.entity.FQN, err)
	}
	return edges, origins
}

func (b *Builder) queryEdges(w *walked, res resolver, scanID int64, rep *Report) ([]catalog.Edge, []string) {
	var edges []catalog.Edge
	var origins []string
	for _, q := range w.queries {
		if scanID != 0 && q.LastScanID != scanID {
			continue
		}
		if state, _ := q.Attrs["state"].(string); state != "SUCCEEDED" {
			continue
		}
		if typ, _ := q.Attrs["statementType"].(string); typ == "UTILITY" {
			continue
		}
		origins = append(origins, q.FQN)
		rep.Queries++
		text, _ := q.Attrs["query"].(string)
		st, err := sqlparse.Parse(text)
		if err != nil {
			rep.QueriesUnparsed++
			rep.problem("query %s: %v", q.Name, err)
			continue
		}
		if st.Target == nil {
			continue
		}
		rep.QueriesWriting++
		catalogName, _ := q.Attrs["catalog"].(string)
		database, _ := q.Attrs["database"].(string)
		catalogName, database = strings.ToLower(catalogName), strings.ToLower(database)
		to, ok := res.table(*st.Target, catalogName, database)
		if !ok {
			rep.Unresolved++
			continue
		}
		at := queryTime(q)
		for _, r := range st.Reads {
			from, ok := res.table(r, catalogName, database)
			if !ok {
				rep.Unresolved++
				continue
			}
			if from == to {
				continue
			}
			edges = append(edges, catalog.Edge{
				From: from, To: to, Kind: catalog.EdgeQuery, Origin: q.FQN,
				Evidence: "query " + q.Name + " (" + string(st.Kind) + ")", Service: w.service, ScanID: scanID, At: at,
			})
		}
	}
	return edges, origins
}

func updated(e catalog.Entity) time.Time {
	if e.SourceUpdated != nil {
		return *e.SourceUpdated
	}
	if e.SourceCreated != nil {
		return *e.SourceCreated
	}
	return time.Time{}
}

func queryTime(q catalog.Entity) time.Time {
	for _, k := range []string{"completed", "submitted"} {
		if s, ok := q.Attrs[k].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}
