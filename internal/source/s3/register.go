// Package s3 scans Amazon S3: buckets (region, versioning, tags, policy,
// creation date and CloudWatch storage metrics, each read in the bucket's
// own region), the containers inside them (datasets, from OpenMetadata
// manifests or discovered by walking prefixes) with their inferred schemas,
// and, optionally, every object.
//
// FQNs, fixed for every release:
//
//	<service>.<bucket>                       bucket
//	<service>.<bucket>.<container path>      container: its whole path is ONE part
//	<service>.<bucket>.<container path>.<column>[.<nested field>...]
//	<service>.<bucket>.<object key>          object: its whole key is one part
//
// A container's path is its prefix without the slashes at its ends
// ("sales/orders", "/" for files at the bucket root), kept whole as one FQN
// part rather than split at "/": a container's FQN then does not depend on
// whether its parent directories are containers too (OpenMetadata
// flattens the same way), and moving a dataset one level down changes one
// name instead of creating intermediate entities. Parts holding a dot or a
// quote are quoted as catalog.QuotePart says, e.g.
// svc.landing."events/v1.2". Objects hang under their bucket, never under a
// container, so that an object's FQN does not change when discovery
// groups files differently; an object whose key equals a container's path
// (a file "events" beside the directory "events/") would share its FQN,
// which S3 allows and lakemap does not try to disambiguate.
package s3

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lakemap/lakemap/internal/awsconn"
	"github.com/lakemap/lakemap/internal/source"
	"github.com/lakemap/lakemap/internal/source/s3/manifest"
)

// Type is the workflow's source.type.
const Type = "s3"

// Register adds the s3 source to r.
func Register(r *source.Registry) {
	r.Register(source.Define(source.Definition[*Connection, *SourceConfig]{
		Type:              Type,
		ConnectionType:    "S3",
		SourceConfigTypes: []string{"StorageMetadata"},
		Service:           source.ServiceS3,
		NewConnection:     newConnection,
		NewSourceConfig:   DefaultSourceConfig,
		New:               newSource,
		Probe:             probeScope,
	}))
}

func newSource(p source.Input[*Connection, *SourceConfig]) (source.Source, error) {
	conn, cfg := p.Connection, p.SourceConfig
	if p.AWS == nil {
		return nil, fmt.Errorf("s3 source: no AWS session")
	}
	s, err := NewScanner(newSessionClients(p.AWS), p.ServiceName, *cfg, p.Logger)
	if err != nil {
		return nil, err
	}
	s.Region = p.AWS.Region()
	s.RoleARN = conn.AWSConfig.AssumeRoleARN
	s.BucketNames = conn.BucketNames
	if src := cfg.StorageMetadataConfigSource; src != nil {
		s.GlobalManifest = globalManifestLoader(*src, p.AWS, p.ServiceName, p.Logger)
	}
	return s, nil
}

// NewScanner returns a scanner compiling cfg's filters; set the exported
// fields for the rest.
func NewScanner(clients Clients, service string, cfg SourceConfig, logger *slog.Logger) (*Scanner, error) {
	cfg = cfg.withDefaults()
	if dm := cfg.DefaultManifest; dm != nil {
		// Number the entries for messages, on a copy: the workflow's
		// config is not the scanner's to change.
		entries := append([]manifest.Entry(nil), dm.Entries...)
		for i := range entries {
			entries[i].Index = i
		}
		cfg.DefaultManifest = &manifest.Manifest{Entries: entries}
	}
	buckets, err := cfg.ContainerFilterPattern.Compile("containerFilterPattern")
	if err != nil {
		return nil, err
	}
	// Includes select buckets; inside a bucket only the excludes apply,
	// so that including "sales.*" buckets does not exclude every file.
	inside, err := source.FilterPattern{Excludes: cfg.ContainerFilterPattern.Excludes}.Compile("containerFilterPattern")
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Scanner{
		Clients: clients, ServiceName: service, Config: cfg, Logger: logger, Region: awsconn.DefaultRegion,
		Now: time.Now, bucketFilter: buckets, pathFilter: inside,
	}, nil
}

// globalManifestLoader reads storageMetadataConfigSource at scan time.
func globalManifestLoader(src ConfigSource, sess *awsconn.Session, service string, logger *slog.Logger) func(ctx context.Context) ([]byte, string, error) {
	return func(ctx context.Context) ([]byte, string, error) {
		return loadGlobalManifest(ctx, src, sess, service, logger)
	}
}
