// Package athena is the athena source: Athena's data catalogs, workgroups
// and query history (package athenascan), and the databases and tables of
// its GLUE data catalogs, each under its data catalog:
//
//	<service>.<data catalog>.<database>.<table>.<column>
//	<service>.<workgroup>.<query execution id>
//
// so that several catalogs (cross-account Glue catalogs registered in
// Athena) keep distinct FQNs within one service.
package athena

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/catalog"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/athena/athenascan"
	"github.com/lakemap/lakemap/internal/source/glue"
)

// Type is the workflow's source.type.
const Type = "athena"

// DefaultCatalog is the data catalog every account has: its own Glue catalog.
const DefaultCatalog = "AwsDataCatalog"

// Register adds the athena source to r.
func Register(r *source.Registry) {
	r.Register(source.Define(source.Definition[*Connection, *SourceConfig]{
		Type:              Type,
		ConnectionType:    "Athena",
		SourceConfigTypes: []string{"DatabaseMetadata", "DatabaseUsage", "DatabaseLineage"},
		// The vendor guide grants Athena with the Glue role.
		Service:                    source.ServiceGlue,
		DatabasesUnderDataCatalogs: true,
		NewConnection:              newConnection,
		NewSourceConfig:            newSourceConfig,
		New:                        newSource,
		Probe: func(c *Connection) source.ProbeScope {
			return source.ProbeScope{GlueCatalogID: c.CatalogID}
		},
	}))
}

// Source scans one account's Athena.
type Source struct {
	Service  string
	Region   string
	RoleARN  string
	Conn     Connection
	Athena   *athenascan.Scanner
	Glue     *glue.Scanner
	scanGlue bool
}

func newSource(p source.Input[*Connection, *SourceConfig]) (source.Source, error) {
	conn, cfg := p.Connection, p.SourceConfig
	a, err := athenascan.New(p.AWS.Athena(), p.ServiceName, cfg.Options, p.Logger)
	if err != nil {
		return nil, err
	}
	a.DefaultCatalog = DefaultCatalog
	g, err := glue.NewScanner(p.AWS.Glue(), p.ServiceName, cfg.SourceConfig, p.Logger)
	if err != nil {
		return nil, err
	}
	g.AccessLevel = conn.Access()
	return &Source{
		Service: p.ServiceName, Region: p.AWS.Region(), RoleARN: conn.AWSConfig.AssumeRoleARN, Conn: *conn,
		Athena: a, Glue: g, scanGlue: cfg.IncludeTables || cfg.IncludeViews,
	}, nil
}

// Scan emits the service, the data catalogs, then, at once, the workgroups
// with their history and the databases of each GLUE data catalog.
func (s *Source) Scan(ctx context.Context, sink source.Sink) error {
	root := catalog.JoinFQN(s.Service)
	if err := sink.Emit(ctx, s.serviceEntity(root)); err != nil {
		return err
	}
	catalogs, err := s.Athena.ScanDataCatalogs(ctx, sink, root)
	if err != nil {
		return err
	}
	if len(catalogs) == 0 && s.scanGlue {
		// Listing failed or is off: the account's own catalog still exists.
		dc := types.DataCatalog{Name: aws.String(DefaultCatalog), Type: types.DataCatalogTypeGlue}
		catalogs = []types.DataCatalog{dc}
		if err := sink.Emit(ctx, catalog.Entity{
			FQN: s.Athena.CatalogFQN(root, DefaultCatalog), Kind: catalog.KindDataCatalog, Service: s.Service,
			ParentFQN: root, Name: DefaultCatalog, Attrs: map[string]any{"type": string(types.DataCatalogTypeGlue)},
		}); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wgDone := make(chan error, 1)
	go func() {
		err := s.Athena.ScanWorkgroups(ctx, sink, root, catalogs)
		if err != nil {
			cancel()
		}
		wgDone <- err
	}()
	glueErr := s.scanCatalogs(ctx, sink, root, catalogs)
	if glueErr != nil {
		cancel()
	}
	wgErr := <-wgDone
	if glueErr != nil {
		return glueErr
	}
	return wgErr
}

func (s *Source) scanCatalogs(ctx context.Context, sink source.Sink, root string, catalogs []types.DataCatalog) error {
	if !s.scanGlue {
		return nil
	}
	for _, dc := range catalogs {
		name := aws.ToString(dc.Name)
		var catalogID string
		switch {
		case strings.EqualFold(name, DefaultCatalog):
			catalogID = s.Conn.CatalogID
		case dc.Type == types.DataCatalogTypeGlue:
			catalogID = athenascan.GlueCatalogID(dc)
		default:
			// LAMBDA, HIVE and FEDERATED catalogs are not Glue's to list.
			continue
		}
		dbs, err := s.Glue.ListDatabases(ctx, catalogID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			sink.Warn(ctx, fmt.Errorf("data catalog %q: %w", name, err))
			continue
		}
		if err := s.Glue.ScanCatalog(ctx, sink, s.Athena.CatalogFQN(root, name), catalogID, dbs); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) serviceEntity(fqn string) catalog.Entity {
	attrs := map[string]any{"sourceType": Type, "region": s.Region, "accountId": awsconn.AccountOfRole(s.RoleARN)}
	if s.Conn.Workgroup != "" {
		attrs["workgroup"] = s.Conn.Workgroup
	}
	if s.Conn.S3StagingDir != "" {
		attrs["s3StagingDir"] = s.Conn.S3StagingDir
	}
	if s.Conn.CatalogID != "" {
		attrs["catalogId"] = s.Conn.CatalogID
	}
	return catalog.Entity{FQN: fqn, Kind: catalog.KindService, Service: s.Service, Name: s.Service, Attrs: attrs}
}
